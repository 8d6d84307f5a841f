package org.patchvisor.guest;

/**
 * Makes text that a guest, or whoever names a guest, controls safe to print: guest names, the kernel a guest
 * reports, its agent's replies and errors. An escape sequence in such text could clear the terminal or recolour
 * it, a newline or a carriage return could forge a line such as "guest prod: applied", and a bidi override could
 * make a name read backwards. Every control character (C0, DEL, C1), the Unicode line and paragraph separators,
 * the bidi marks, overrides and isolates, and lone surrogates become visible escapes ({@code \x1b},
 * {@code \u202e}), and the text is capped at {@link #MAX_CHARS} characters ending in "…".
 *
 * <p>It is applied where such text enters a value that exists to be shown ({@link GuestOs}, {@link AgentReport},
 * {@link GuestAgentException}, {@link GuestOutcome}, the rollout's report rows and settled guests, the worker's
 * results), so that no renderer, text or JSON, can forget it. A guest's own name stays exact where it addresses
 * the guest (libvirt looks it up by that name) and passes through here where it is printed. {@link #printable}
 * is idempotent, so a value escaped twice on its way up reads the same as one escaped once.
 */
public final class GuestText {
    /** Long enough for any honest kernel release, guest name or agent reason, short enough to bound a log line. */
    public static final int MAX_CHARS = 400;
    private static final String ELLIPSIS = "…";

    private GuestText() {
    }

    /** {@code text} with every unsafe character escaped and at most {@link #MAX_CHARS} long; null stays null. */
    public static String printable(String text) {
        return escaped(text, MAX_CHARS);
    }

    /**
     * {@code text} with every unsafe character escaped, however long: for one error line, which may quote what a
     * guest, a file or a server said and must stay one line.
     */
    public static String oneLine(String text) {
        return escaped(text, Integer.MAX_VALUE);
    }

    /** Whether {@code text} holds nothing this class would escape: how a signed feed's own text is checked. */
    public static boolean isPrintable(String text) {
        return text.codePoints().noneMatch(GuestText::unsafe);
    }

    private static String escaped(String text, int max) {
        if (text == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), max) + 8);
        int i = 0;
        while (i < text.length()) {
            int cp = text.codePointAt(i);
            int width = Character.charCount(cp);
            String unit = unsafe(cp) ? escape(cp) : text.substring(i, i + width);
            if (out.length() + unit.length() > max - ELLIPSIS.length()
                    && (out.length() + unit.length() > max || i + width < text.length())) {
                // Too long: cut at a whole character or escape, so the result is at most max with the "…".
                return out.append(ELLIPSIS).toString();
            }
            out.append(unit);
            i += width;
        }
        return out.toString();
    }

    private static boolean unsafe(int cp) {
        return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)
                || cp == 0x2028 || cp == 0x2029                    // line and paragraph separators
                || cp == 0x061c || cp == 0x200e || cp == 0x200f    // arabic letter mark, LRM, RLM
                || (cp >= 0x202a && cp <= 0x202e)                   // bidi embeddings and overrides
                || (cp >= 0x2066 && cp <= 0x2069)                   // bidi isolates
                || (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE);   // a lone surrogate
    }

    private static String escape(int cp) {
        return cp <= 0xff ? String.format("\\x%02x", cp) : String.format("\\u%04x", cp);
    }
}
