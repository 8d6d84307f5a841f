package org.patchvisor.hooks;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads the event files the hook script ({@code patchvisor-hook.sh}) writes: {@code key=value} lines. The one
 * place that knows the format, so the reader and the hook cannot drift apart without a test noticing.
 */
final class EventFormat {
    /** An event file that is regular and small but does not hold an event. */
    static final class MalformedEventException extends Exception {
        MalformedEventException(String message) {
            super(message);
        }
    }

    private EventFormat() {
    }

    static GuestEvent parse(Path file, byte[] content) throws MalformedEventException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(content)).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedEventException("not UTF-8 text");
        }
        Map<String, String> fields = new HashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                fields.putIfAbsent(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        String guest = fields.get("guest");
        if (guest == null || guest.isEmpty()) {
            throw new MalformedEventException("no guest name");
        }
        return new GuestEvent(file, guest, fields.get("operation"), fields.get("time"), fields.get("uuid"));
    }
}
