package org.patchvisor.cli;

import java.util.ArrayList;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.patchvisor.feed.Revocation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code patchvisor repo revoke DIR BUNDLE-ID|MODULE --reason TEXT}: withdraws a bad bundle (or every bundle of a
 * module). Once signed, hosts and guests that run it remove it at their next {@code upgrade}, and no host applies it
 * again, from any mirror or cache.
 */
@Command(name = "revoke", mixinStandardHelpOptions = true,
        description = "Withdraw a bundle (or every bundle of a module) from every host and guest.")
public final class RepoRevokeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @ParentCommand
    RepoCommand repo;

    @Parameters(index = "0", paramLabel = "DIR")
    Path dir;

    @Parameters(index = "1", paramLabel = "BUNDLE-ID|MODULE")
    String bundle;

    @Option(names = "--reason", required = true, paramLabel = "TEXT",
            description = "Why, in one line: every host that removes it says so.")
    String reason;

    @Override
    public Integer call() {
        return RepoAction.perform(spec, () -> {
            List<String> lines = new ArrayList<>();
            for (Revocation r : RepoCommand.repository(repo, dir)
                    .revoke(bundle, reason)) {
                lines.add("revoked " + r.bundle() + " (" + r.module() + ", sha256 " + r.sha256() + "): " + r.reason());
            }
            lines.add("run 'patchvisor repo sign' to publish the revocation");
            return lines;
        });
    }
}
