// SPDX-License-Identifier: MIT
package socketio.emitter;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the JSON answers of the C library into plain Java values: objects become
 * unmodifiable {@code Map<String, Object>} (in their order), arrays unmodifiable
 * {@code List<Object>}, whole numbers {@link Long} (when they fit), other numbers
 * {@link Double}, then String, Boolean and null. Malformed text is an INTERNAL error: the
 * C library wrote it.
 */
final class JsonReader {
    private final String s;
    private int i;

    private JsonReader(String s) {
        this.s = s;
    }

    static Object parse(String text) {
        JsonReader r = new JsonReader(text);
        Object v = r.value();
        r.ws();
        if (r.i != text.length()) {
            throw r.bad("trailing text");
        }
        return v;
    }

    private EmitterException bad(String why) {
        return new EmitterException(EmitterException.INTERNAL, -1, "the C library's answer is not JSON (" + why + " at " + i + ")");
    }

    private void ws() {
        while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) {
            i++;
        }
    }

    private char next() {
        ws();
        if (i >= s.length()) {
            throw bad("unexpected end");
        }
        return s.charAt(i);
    }

    private void expect(char c) {
        if (next() != c) {
            throw bad("expected '" + c + "'");
        }
        i++;
    }

    private Object value() {
        char c = next();
        switch (c) {
            case '{' -> {
                return object();
            }
            case '[' -> {
                return array();
            }
            case '"' -> {
                return string();
            }
            default -> {
                for (String word : new String[] {"true", "false", "null"}) {
                    if (s.startsWith(word, i)) {
                        i += word.length();
                        return word.equals("null") ? null : Boolean.valueOf(word.equals("true"));
                    }
                }
                return number();
            }
        }
    }

    private Map<String, Object> object() {
        Map<String, Object> m = new LinkedHashMap<>();
        i++;
        if (next() == '}') {
            i++;
            return Collections.unmodifiableMap(m);
        }
        while (true) {
            if (next() != '"') {
                throw bad("expected a key");
            }
            String key = string();
            expect(':');
            m.put(key, value());
            char c = next();
            i++;
            if (c == '}') {
                return Collections.unmodifiableMap(m);
            }
            if (c != ',') {
                throw bad("expected ',' or '}'");
            }
        }
    }

    private List<Object> array() {
        List<Object> a = new ArrayList<>();
        i++;
        if (next() == ']') {
            i++;
            return Collections.unmodifiableList(a);
        }
        while (true) {
            a.add(value());
            char c = next();
            i++;
            if (c == ']') {
                return Collections.unmodifiableList(a);
            }
            if (c != ',') {
                throw bad("expected ',' or ']'");
            }
        }
    }

    private Object number() {
        int start = i;
        while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
            i++;
        }
        String text = s.substring(start, i);
        try {
            boolean whole = text.indexOf('.') < 0 && text.indexOf('e') < 0 && text.indexOf('E') < 0;
            if (whole) {
                try {
                    return Long.parseLong(text);
                } catch (NumberFormatException tooBig) {
                    // beyond a long: a Double, as JavaScript holds it
                }
            }
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw bad("not a value");
        }
    }

    private String string() {
        StringBuilder b = new StringBuilder();
        i++; // the opening quote
        while (true) {
            if (i >= s.length()) {
                throw bad("unterminated string");
            }
            char c = s.charAt(i++);
            if (c == '"') {
                return b.toString();
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (i >= s.length()) {
                throw bad("unterminated string");
            }
            char e = s.charAt(i++);
            switch (e) {
                case 'n' -> b.append('\n');
                case 't' -> b.append('\t');
                case 'r' -> b.append('\r');
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'u' -> {
                    if (i + 4 > s.length()) {
                        throw bad("short \\u escape");
                    }
                    try {
                        b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                    } catch (NumberFormatException x) {
                        throw bad("bad \\u escape");
                    }
                    i += 4;
                }
                default -> b.append(e); // \" \\ \/
            }
        }
    }
}
