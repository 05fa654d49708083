// SPDX-License-Identifier: MIT
package socketio.emitter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static socketio.emitter.EmitterTest.throwsCode;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reader of the C library's JSON answers: its values, and malformed text as INTERNAL. */
final class JsonReaderTest {
    @Test
    void readsEveryKindOfValue() {
        Object v = JsonReader.parse(" {\"a\": [1, -2.5, 1e3, 12345678901234567890, true, false, null],"
                + " \"s\": \"q\\\"\\\\\\/\\n\\u00e9\\ud83d\\ude00\", \"o\": {}, \"e\": []} ");
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals(Arrays.asList(1L, -2.5, 1000.0, 1.2345678901234567e19, true, false, null), m.get("a"));
        assertEquals("q\"\\/\n\u00e9\ud83d\ude00", m.get("s"));
        assertEquals(Map.of(), m.get("o"));
        assertEquals(List.of(), m.get("e"));
        assertNull(JsonReader.parse("null"));
    }

    @Test
    void malformedTextIsInternal() {
        for (String bad : new String[] {"", "{", "[1,", "{\"a\" 1}", "[1 2]", "\"open", "\"\\u12\"", "nul", "1 2", "{1:2}"}) {
            throwsCode(EmitterException.INTERNAL, () -> JsonReader.parse(bad));
        }
    }
}
