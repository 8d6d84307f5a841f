package org.patchvisor.publish;

import java.util.List;
import org.patchvisor.io.ProcessRunner;

/** The part of a failed make or gcc run worth one error line: its first errors, else its last line. */
final class CompilerMessages {

    private CompilerMessages() {
    }

    static String firstErrors(ProcessRunner.Result result) {
        String output = result.stderr() + "\n" + result.stdout();
        List<String> errors = output.lines().filter(l -> l.contains("error")).limit(3).toList();
        return errors.isEmpty() ? output.strip().lines().reduce((a, b) -> b).orElse("exit code " + result.exitCode())
                : String.join(" | ", errors);
    }
}
