package org.patchvisor.cli;

import java.nio.file.Path;
import org.patchvisor.elf.ModuleFiles;
import org.patchvisor.publish.PublisherRepository;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code patchvisor repo}: the publisher's commands that build, sign, serve and mirror a feed repository. */
@Command(name = "repo", mixinStandardHelpOptions = true,
        description = "Publish a signed live-patch feed: init, keygen, add, promote, revoke, sign, rotate-key, "
                + "revoke-key, serve, mirror.",
        subcommands = {RepoInitCommand.class, RepoKeygenCommand.class, RepoAddCommand.class, RepoPromoteCommand.class,
                RepoRevokeCommand.class, RepoSignCommand.class, RepoRotateKeyCommand.class, RepoRevokeKeyCommand.class,
                RepoServeCommand.class, RepoMirrorCommand.class})
public final class RepoCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @ParentCommand
    PatchvisorCli parent;

    /** The seams of the run: the parent's context; the real host for a subcommand run on its own (tests). */
    static HostContext context(RepoCommand repo) {
        return repo == null || repo.parent == null ? HostContext.system() : repo.parent.context();
    }

    /** The repository in DIR as every subcommand but {@code add} opens it: real module files, the run's clock. */
    static PublisherRepository repository(RepoCommand repo, Path dir) {
        return new PublisherRepository(dir, ModuleFiles::read, context(repo).clock());
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "repo needs a subcommand: init, keygen, add, promote, revoke, sign, rotate-key, revoke-key, serve, mirror");
    }
}
