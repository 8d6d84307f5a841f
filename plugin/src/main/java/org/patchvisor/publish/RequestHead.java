package org.patchvisor.publish;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The part of an HTTP/1.x request a static file server needs: the method and the path of the request line.
 * Headers are read (the head ends at the blank line) but not kept: a GET or HEAD of a file depends on none.
 *
 * @param rawPath the path as sent, for the access log
 * @param path    the decoded path, for finding the file
 */
record RequestHead(String method, String rawPath, String path) {
    /** Longer heads are refused: a feed client sends a few hundred bytes. */
    static final int MAX_BYTES = 8192;

    /** The length of the head in {@code bytes[0, length)} including its blank line, or -1 while it is incomplete. */
    static int end(byte[] bytes, int length) {
        for (int i = 3; i < length; i++) {
            if (bytes[i] == '\n' && bytes[i - 1] == '\r' && bytes[i - 2] == '\n' && bytes[i - 3] == '\r') {
                return i + 1;
            }
        }
        for (int i = 1; i < length; i++) {
            if (bytes[i] == '\n' && bytes[i - 1] == '\n') {
                return i + 1; // bare LF line ends, which RFC 9112 lets a server accept
            }
        }
        return -1;
    }

    /** The request line of a complete head; empty when it is not {@code METHOD /path HTTP/1.x}. */
    static Optional<RequestHead> parse(byte[] head, int length) {
        String text = new String(head, 0, length, StandardCharsets.ISO_8859_1);
        int eol = text.indexOf('\n');
        String line = (eol < 0 ? text : text.substring(0, eol)).strip();
        String[] parts = line.split(" ", -1);
        if (parts.length != 3 || parts[0].isEmpty() || !parts[1].startsWith("/") || !parts[2].startsWith("HTTP/1.")) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(parts[1]);
            return Optional.of(new RequestHead(parts[0], uri.getRawPath(), uri.getPath()));
        } catch (java.net.URISyntaxException e) {
            return Optional.empty();
        }
    }
}
