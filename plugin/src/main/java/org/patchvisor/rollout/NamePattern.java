package org.patchvisor.rollout;

import java.util.regex.Pattern;

/**
 * A guest name or a shell-style glob ({@code *} any run of characters, {@code ?} one character) as given to
 * {@code --only} and {@code --exclude}. Guest names are not paths, so {@code *} also matches {@code /}.
 */
final class NamePattern {
    private NamePattern() {
    }

    static void check(String pattern) {
        if (pattern == null || pattern.isBlank()) {
            throw new IllegalArgumentException("an empty guest name or pattern was given");
        }
    }

    static boolean matches(String pattern, String name) {
        return compile(pattern).matcher(name).matches();
    }

    static Pattern compile(String pattern) {
        StringBuilder regex = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            if (c == '*' || c == '?') {
                if (literal.length() > 0) {
                    regex.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                regex.append(c == '*' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        if (literal.length() > 0) {
            regex.append(Pattern.quote(literal.toString()));
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }
}
