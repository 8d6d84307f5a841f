package org.patchvisor.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.patchvisor.fleet.GuestInventory;
import org.patchvisor.fleet.GuestTargets;
import org.patchvisor.guest.GuestPatcher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code patchvisor guests}: every guest of every hypervisor here, with its agent, kernel and live patches. */
@Command(name = "guests", mixinStandardHelpOptions = true,
        description = "List the guests of this host's hypervisors: state, whether the guest agent answers, the "
                + "kernel each runs and the live patches it carries.")
final class GuestsCommand implements Callable<Integer> {
    @ParentCommand
    PatchvisorCli parent;

    @Spec
    CommandSpec spec;

    @Mixin
    GuestOptions guests;

    @Option(names = "--json", description = "Print the guests as JSON.")
    boolean json;

    @Option(names = "--debug", description = "Show stack traces on errors.")
    boolean debug;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (GuestTargets targets = parent.guestTargets(guests.uris())) {
            if (targets.none()) {
                spec.commandLine().getErr().println("patchvisor: no guests " + targets.describe());
            }
            List<GuestInventory.Row> rows = GuestInventory.collect(targets.all(), GuestPatcher.standard());
            if (json) {
                Json.print(out, GuestInventoryText.view(rows));
            } else {
                GuestInventoryText.print(out, rows);
            }
        }
        out.flush();
        return ExitCodes.OK;
    }
}
