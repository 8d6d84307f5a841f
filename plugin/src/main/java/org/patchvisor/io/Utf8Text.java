package org.patchvisor.io;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Strict UTF-8 decoding for text files patchvisor reads (the config, the journal). The JDK's own error for a bad
 * byte is "Input length = 1"; this one names the file and the line, and never echoes the bytes themselves.
 */
public final class Utf8Text {
    private Utf8Text() {
    }

    /** The text of {@code bytes}, read from {@code file}, or a {@link NotUtf8Exception} naming the first bad line. */
    public static String decode(Path file, byte[] bytes) throws NotUtf8Exception {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            throw new NotUtf8Exception(file, lineAt(bytes, in.position()), in.position());
        }
        result = decoder.flush(out);
        if (result.isError()) {
            throw new NotUtf8Exception(file, lineAt(bytes, in.position()), in.position());
        }
        return out.flip().toString();
    }

    private static int lineAt(byte[] bytes, int offset) {
        int line = 1;
        for (int i = 0; i < offset && i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                line++;
            }
        }
        return line;
    }

    /** A text file holds a byte sequence that is not UTF-8. */
    public static final class NotUtf8Exception extends CharacterCodingException {
        private final transient Path file;
        private final int line;
        private final int offset;

        NotUtf8Exception(Path file, int line, int offset) {
            this.file = file;
            this.line = line;
            this.offset = offset;
        }

        public int line() {
            return line;
        }

        @Override
        public String getMessage() {
            return file + " line " + line + " is not UTF-8 text (a bad byte at offset " + offset
                    + "; save the file as UTF-8)";
        }
    }
}
