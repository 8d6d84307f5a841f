package org.patchvisor.cli;

/** Entry point of bin/patchvisor. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(PatchvisorCli.run(args));
    }
}
