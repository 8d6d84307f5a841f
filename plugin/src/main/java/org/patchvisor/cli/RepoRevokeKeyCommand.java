package org.patchvisor.cli;

import java.util.List;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.patchvisor.publish.FeedKeySet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code patchvisor repo revoke-key DIR KEY-ID}: retires a signing key outright (a stolen one). The next index,
 * signed with another key the hosts trust, tells them; from then on they refuse an index signed only by it.
 */
@Command(name = "revoke-key", mixinStandardHelpOptions = true, description = "Retire a signing key outright.")
public final class RepoRevokeKeyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @ParentCommand
    RepoCommand repo;

    @Parameters(index = "0", paramLabel = "DIR")
    Path dir;

    @Parameters(index = "1", paramLabel = "KEY-ID")
    String keyId;

    @Override
    public Integer call() {
        return RepoAction.perform(spec, () -> {
            FeedKeySet keys = RepoCommand.repository(repo, dir)
                    .revokeKey(keyId);
            return List.of("key " + keyId + " retired (" + keys.retired().size() + " retired in all); sign with "
                    + "another trusted key ('patchvisor repo sign') to tell the hosts");
        });
    }
}
