package org.patchvisor.state;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The one Jackson configuration for state files. Instants are written as ISO-8601 text (readable by an
 * operator, stable across versions) without pulling in the jsr310 module. Unknown fields are tolerated and missing
 * primitives read as their default, so files written by another patchvisor version still load; the value
 * types validate what matters in their constructors.
 */
final class StateJson {

    static final ObjectMapper MAPPER = create();

    private StateJson() {
    }

    private static ObjectMapper create() {
        SimpleModule instants = new SimpleModule("patchvisor-instants");
        instants.addSerializer(Instant.class, new JsonSerializer<Instant>() {
            @Override
            public void serialize(Instant value, JsonGenerator gen, SerializerProvider provider) throws IOException {
                gen.writeString(value.toString());
            }
        });
        instants.addDeserializer(Instant.class, new JsonDeserializer<Instant>() {
            @Override
            public Instant deserialize(JsonParser parser, DeserializationContext context) throws IOException {
                String text = parser.getValueAsString();
                try {
                    return Instant.parse(text);
                } catch (DateTimeParseException | NullPointerException e) {
                    return (Instant) context.handleWeirdStringValue(Instant.class, text, "not an ISO-8601 instant");
                }
            }
        });
        return new ObjectMapper()
                .registerModule(instants)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
    }
}
