package org.patchvisor.feed;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one JSON form the feed signs: properties sorted, no whitespace, UTF-8. The verifier never re-serializes;
 * it checks the signature over the bytes it fetched, so this form only has to be stable on the publisher side.
 */
public final class CanonicalJson {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .disable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // A key given twice would let two readers of the same signed bytes see different values.
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    /** Jackson's text for a repeated key, and what a key name in a message may look like. */
    private static final Pattern DUPLICATE = Pattern.compile("Duplicate field '([A-Za-z0-9_.-]{1,64})'.*", Pattern.DOTALL);

    private CanonicalJson() {
    }

    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + value.getClass().getSimpleName(), e);
        }
    }

    /** Parses, turning every syntax or validation failure into one {@link MalformedIndexException} line. */
    public static <T> T read(byte[] bytes, Class<T> type, String what) throws MalformedIndexException {
        try {
            T value = MAPPER.readValue(bytes, type);
            if (value == null) {
                throw new MalformedIndexException(what + " is empty JSON (null)");
            }
            return value;
        } catch (StreamReadException e) {
            Matcher duplicate = DUPLICATE.matcher(String.valueOf(e.getOriginalMessage()));
            if (duplicate.matches()) {
                throw new MalformedIndexException(what + " is malformed: the key '" + duplicate.group(1)
                        + "' appears twice in one object" + position(e), e);
            }
            // A syntax error's own text quotes the offending token; for a file that is not JSON at all (a link to a
            // secret, a server's error page) that would print its content, so only the position is given.
            throw new MalformedIndexException(what + " is not valid JSON" + position(e), e);
        } catch (JsonProcessingException e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            String detail = root instanceof IllegalArgumentException ? root.getMessage() : e.getOriginalMessage();
            throw new MalformedIndexException(what + " is malformed: " + detail, e);
        } catch (IOException e) {
            throw new MalformedIndexException(what + " cannot be read: " + e.getMessage(), e);
        }
    }

    private static String position(JsonProcessingException e) {
        JsonLocation location = e.getLocation();
        return location == null ? "" : " (at line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }
}
