// SPDX-License-Identifier: MIT
package socketio.emitter;

import java.lang.reflect.Array;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Date;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Java values to the C library's form: JSON text for the arguments, plus the binary parts.
 * Every {@code byte[]} (at any depth) becomes a {@code {"$bin": i}} placeholder for part i,
 * which clients receive as binary. Maps (string keys, in iteration order) become objects;
 * Collections and arrays become arrays; Strings, Numbers, Booleans, Characters, enums
 * (their name) and null are written as JSON. An {@link Instant} or {@link Date} is written as
 * JavaScript's {@code Date.prototype.toJSON} writes a Date (ISO-8601 UTC text to the
 * millisecond, {@code "2023-11-14T22:13:20.123Z"}): JSON has no dates, and that text is what
 * clients receive from a Date anyway. Anything else is an ENCODE error.
 */
final class Json {
    final StringBuilder out = new StringBuilder();
    final List<byte[]> parts = new ArrayList<>();
    private final Map<Object, Boolean> path = new IdentityHashMap<>();

    /** The largest time JavaScript's Date can hold, in ms either side of the epoch. */
    static final long MAX_DATE_MS = 8_640_000_000_000_000L;

    /** The core's nesting limit for one argument (socketio_emitter::encode::MAX_DEPTH). */
    static final int MAX_DEPTH = 512;

    static Json encodeArgs(Object[] args) {
        Json j = new Json();
        j.write(args == null ? new Object[0] : args, new Where(null, "args", -1));
        return j;
    }

    /**
     * Where a value sits in the arguments ({@code args[0]['items'][2]}), spelled out only for
     * an error message: building the text for every value would cost more than the encoding.
     */
    private record Where(Where parent, String key, int index) {
        Where child(String k) {
            return new Where(this, k, -1);
        }

        Where item(int i) {
            return new Where(this, null, i);
        }

        @Override
        public String toString() {
            String here = parent == null ? key : key != null ? "['" + key + "']" : "[" + index + "]";
            return parent == null ? here : parent + here;
        }
    }

    private static EmitterException encodeError(Object where, String why) {
        return new EmitterException("ENCODE", -1, where + ": " + why);
    }

    private void write(Object v, Where where) {
        if (v == null) {
            out.append("null");
        } else if (v instanceof byte[] bytes) {
            parts.add(bytes.clone());
            out.append("{\"$bin\":").append(parts.size() - 1).append('}');
        } else if (v instanceof String s) {
            string(s);
        } else if (v instanceof Character c) {
            string(c.toString());
        } else if (v instanceof Boolean b) {
            out.append(b);
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw encodeError(where, "NaN and infinities cannot be sent as JSON");
            }
            out.append(d);
        } else if (v instanceof Number n) {
            out.append(n);
        } else if (v instanceof Enum<?> e) {
            string(e.name());
        } else if (v instanceof Instant || v instanceof Date) {
            string(isoDate(v, where));
        } else if (v instanceof Map<?, ?> || v instanceof Collection<?> || v.getClass().isArray()) {
            // path holds the containers above v, the array of arguments included.
            if (path.size() > MAX_DEPTH) {
                throw encodeError(where, "nested deeper than " + MAX_DEPTH + " levels");
            }
            if (path.put(v, Boolean.TRUE) != null) {
                throw encodeError(where, "a cycle");
            }
            if (v instanceof Map<?, ?> m) {
                out.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!(e.getKey() instanceof String key)) {
                        throw encodeError(where, "map keys must be strings, got " + e.getKey());
                    }
                    if (!first) {
                        out.append(',');
                    }
                    first = false;
                    string(key);
                    out.append(':');
                    write(e.getValue(), where.child(key));
                }
                out.append('}');
            } else {
                Iterable<?> items = v instanceof Collection<?> c ? c
                        : v instanceof Object[] objects ? Arrays.asList(objects) : arrayItems(v);
                out.append('[');
                int i = 0;
                for (Object item : items) {
                    if (i > 0) {
                        out.append(',');
                    }
                    write(item, where.item(i++));
                }
                out.append(']');
            }
            path.remove(v);
        } else {
            throw encodeError(where, "cannot send a " + v.getClass().getName());
        }
    }

    /** {@code new Date(ms).toJSON()}: the instant floored to the millisecond, in UTC. */
    static String isoDate(Object v, Object where) {
        long ms;
        try {
            ms = v instanceof Instant i ? i.toEpochMilli() : ((Date) v).getTime();
        } catch (ArithmeticException e) {
            ms = Long.MAX_VALUE; // beyond a long's milliseconds: refused below
        }
        if (ms > MAX_DATE_MS || ms < -MAX_DATE_MS) {
            throw encodeError(where, "a date more than 8.64e15 ms from 1970 (JavaScript's Date range)");
        }
        ZonedDateTime t = Instant.ofEpochMilli(ms).atZone(ZoneOffset.UTC);
        int y = t.getYear();
        String year = y >= 0 && y <= 9999 ? String.format(Locale.ROOT, "%04d", y) : String.format(Locale.ROOT, "%s%06d", y < 0 ? "-" : "+", Math.abs(y));
        return String.format(Locale.ROOT, "%s-%02d-%02dT%02d:%02d:%02d.%03dZ", year, t.getMonthValue(), t.getDayOfMonth(), t.getHour(),
                t.getMinute(), t.getSecond(), t.getNano() / 1_000_000);
    }

    private static List<Object> arrayItems(Object array) {
        int n = Array.getLength(array);
        List<Object> items = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            items.add(Array.get(array, i));
        }
        return items;
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
