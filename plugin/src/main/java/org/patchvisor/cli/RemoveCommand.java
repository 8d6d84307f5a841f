package org.patchvisor.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.patchvisor.fleet.GuestTargets;
import org.patchvisor.guest.GuestChannel;
import org.patchvisor.guest.GuestPatcher;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code patchvisor remove NAME|--all}: disable live patches, wait for the reverse transition, unload. */
@Command(name = "remove", mixinStandardHelpOptions = true,
        description = "Disable a live patch (or all of them), wait for the kernel to switch back, unload the module "
                + "and forget it for this kernel.")
final class RemoveCommand implements Callable<Integer> {
    @ParentCommand
    PatchvisorCli parent;

    @Spec
    CommandSpec spec;

    @Mixin
    StateOptions state;

    @ArgGroup(multiplicity = "1")
    Target target;

    static final class Target {
        @Parameters(paramLabel = "NAME", description = "The live patch, as `patchvisor status` names it.")
        String name;

        @Option(names = "--all", description = "Remove every live patch, newest first.")
        boolean all;
    }

    @Mixin
    TransitionTimeout timeout = new TransitionTimeout();

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Option(names = "--guest", paramLabel = "NAME",
            description = "Remove the patch from this guest's kernel instead of the host's.")
    String guest;

    @Mixin
    GuestOptions guests;

    private void removeFromGuest() throws Exception {
        try (GuestTargets targets = parent.guestTargets(guests.uris())) {
            GuestTargets.Target t = targets.find(guest);
            try (GuestChannel channel = t.adapter().channel(t.guest())) {
                GuestPatcher.standard().remove(channel, target.name, timeout.value);
            }
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (guest != null) {
            if (target.all) {
                throw new ParameterException(spec.commandLine(), "--all cannot be used with --guest: name the patch");
            }
            removeFromGuest();
            if (json) {
                Json.print(out, Map.of("guest", guest, "removed", List.of(target.name)));
            } else {
                out.println("guest " + guest + ": " + target.name + " removed");
            }
            out.flush();
            return ExitCodes.OK;
        }
        PrintWriter err = spec.commandLine().getErr();
        List<String> removed = parent.hostPatcher(state, err).remove(Optional.ofNullable(target.name), timeout.value,
                Progress.to(err, !json));
        if (json) {
            Json.print(out, Map.of("removed", removed));
        } else if (removed.isEmpty()) {
            out.println("no live patches loaded");
        } else {
            removed.forEach(name -> out.println(name + " removed"));
        }
        out.flush();
        return ExitCodes.OK;
    }
}
