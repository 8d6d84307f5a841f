package org.patchvisor.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.patchvisor.feed.FeedConfig;
import org.patchvisor.feed.FeedState;
import org.patchvisor.feed.FileFeedStateStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code patchvisor reset-trust}: the operator's way back after a signing key was stolen and used (an index with a
 * huge serial, or a rotation to the thief's key). Forgets what this host learned to trust: every feed's serial
 * floor, which feed each repository serves, and every key learned or retired. Revocations stay. Edit
 * {@code trusted-key} to the publisher's new key first: the next index signed by it is then taken as new.
 */
@Command(name = "reset-trust", mixinStandardHelpOptions = true,
        description = "Forget every feed's serial floor, repository binding and learned or retired key (after a key "
                + "compromise); revocations stay. Stop the upgrade timer and the worker first.")
final class ResetTrustCommand implements Callable<Integer> {
    @ParentCommand
    PatchvisorCli parent;

    @Spec
    CommandSpec spec;

    @Mixin
    FeedFileOptions files = new FeedFileOptions();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        FeedConfig settings = FeedSettings.read(files.config(), files.stateDirOption(), parent.context().env(),
                spec.commandLine().getErr());
        FileFeedStateStore store = new FileFeedStateStore(settings.stateDir());
        FeedState before = store.load();
        store.replace(before.withoutTrust());
        out.println("forgot " + before.feeds().size() + " feed serial floor(s), "
                + before.repositories().size() + " repository binding(s), "
                + before.learnedKeys().size() + " learned and " + before.retiredKeys().size() + " retired key(s); "
                + before.revoked().size() + " revocation(s) kept");
        out.println("the next index signed by a configured trusted-key is taken as new: check trusted-key first");
        out.flush();
        return ExitCodes.OK;
    }
}
