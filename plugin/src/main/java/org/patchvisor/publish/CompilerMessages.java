package org.patchvisor.publish;

import java.util.List;
import org.patchvisor.io.ProcessRunner;

/** The part of a failed make or gcc run worth one error line: its first errors, else its last line. */
final class CompilerMessages {

    private CompilerMessages() {
    }

    static String firstErrors(ProcessRunner.Result result) {
        String output = result.stderr() + "\n" + result.stdout();
        // gcc says "error:", modpost "ERROR:" or "FATAL:", make "No rule to make target"; make's own "*** [...]
        // Error 1" lines only repeat that something failed.
        List<String> errors = output.lines().filter(l -> !l.contains("*** [")).filter(l -> l.contains("error")
                || l.contains("ERROR:") || l.contains("FATAL:") || l.contains("No rule to make target") || l.contains("No such file")).limit(3)
                .toList();
        return errors.isEmpty() ? output.strip().lines().reduce((a, b) -> b).orElse("exit code " + result.exitCode())
                : String.join(" | ", errors);
    }
}
