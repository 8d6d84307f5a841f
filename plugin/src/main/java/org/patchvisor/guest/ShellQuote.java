package org.patchvisor.guest;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Turns an argv into the one command string SSH carries. sshd hands that string to the login shell, so every
 * argument is single-quoted (a quote inside becomes {@code '\''}): the shell sees exactly the words given,
 * with no expansion, globbing or command separators.
 */
public final class ShellQuote {
    private ShellQuote() {
    }

    public static String join(List<String> argv) {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("empty argv");
        }
        return argv.stream().map(ShellQuote::quote).collect(Collectors.joining(" "));
    }

    static String quote(String word) {
        if (word.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("an argument cannot hold a NUL byte");
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
