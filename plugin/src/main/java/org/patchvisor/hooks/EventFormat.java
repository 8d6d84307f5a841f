package org.patchvisor.hooks;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;

/**
 * Reads the event files the hook script ({@code patchvisor-hook.sh}) writes: one {@code key=value} line per field.
 * The one place that knows the format, so the reader and the hook cannot drift apart without a test noticing.
 *
 * <p>The hook writes the guest's name hex-encoded ({@code guest-hex=}), so that a name with a newline cannot add
 * fields. Hooks installed by earlier versions wrote it as is ({@code guest=}); such events are still read, and
 * there the strictness below is what catches an injected line: the hook always writes every field after the name,
 * so an injected field repeats one, and anything else is an unknown field or a line without one.
 */
final class EventFormat {
    static final String GUEST_HEX = "guest-hex";
    /** How hooks before the hex encoding wrote the name. */
    static final String GUEST_RAW = "guest";
    private static final Set<String> FIELDS = Set.of(GUEST_HEX, GUEST_RAW, "operation", "time", "uuid");

    /** An event file that is regular and small but does not hold exactly one well-formed event. */
    static final class MalformedEventException extends Exception {
        MalformedEventException(String message) {
            super(message);
        }
    }

    private EventFormat() {
    }

    static GuestEvent parse(Path file, byte[] content) throws MalformedEventException {
        if (content.length == 0) {
            throw new MalformedEventException("an empty file");
        }
        Map<String, String> fields = new HashMap<>();
        for (String line : utf8(content).split("\n")) {
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new MalformedEventException(line.isEmpty() ? "an empty line" : "a line that is not a field");
            }
            String key = line.substring(0, eq);
            if (!FIELDS.contains(key)) {
                throw new MalformedEventException("an unknown field '" + key + "'");
            }
            if (fields.putIfAbsent(key, line.substring(eq + 1)) != null) {
                throw new MalformedEventException("the field '" + key + "' appears twice");
            }
        }
        if (fields.containsKey(GUEST_HEX) && fields.containsKey(GUEST_RAW)) {
            throw new MalformedEventException("both " + GUEST_HEX + " and " + GUEST_RAW + " name a guest");
        }
        String guest = fields.containsKey(GUEST_HEX) ? utf8(hex(fields.get(GUEST_HEX))) : fields.get(GUEST_RAW);
        if (guest == null || guest.isEmpty()) {
            throw new MalformedEventException("no guest name");
        }
        return new GuestEvent(file, guest, fields.get("operation"), fields.get("time"), fields.get("uuid"));
    }

    private static byte[] hex(String text) throws MalformedEventException {
        try {
            return HexFormat.of().parseHex(text); // ASCII hex digits only, an even number of them
        } catch (IllegalArgumentException e) {
            throw new MalformedEventException(GUEST_HEX + " is not an even number of hex digits");
        }
    }

    private static String utf8(byte[] bytes) throws MalformedEventException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedEventException("not UTF-8 text");
        }
    }
}
