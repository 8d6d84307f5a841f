package org.patchvisor.rollout;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import org.patchvisor.model.Outcome;

/** Writes an outcome into the JSON report as its word ("failed-reverted"), so the model needs no Jackson. */
final class OutcomeJson {
    private OutcomeJson() {
    }

    /** As a value: a row's state. */
    static class Word extends StdSerializer<Outcome> {
        private final boolean key;

        Word() {
            this(false);
        }

        private Word(boolean key) {
            super(Outcome.class);
            this.key = key;
        }

        @Override
        public void serialize(Outcome value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            if (key) {
                gen.writeFieldName(value.label());
            } else {
                gen.writeString(value.label());
            }
        }
    }

    /** As a map key: the report's totals. */
    static final class Key extends Word {
        Key() {
            super(true);
        }
    }
}
