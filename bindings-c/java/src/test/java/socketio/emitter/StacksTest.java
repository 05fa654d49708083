// SPDX-License-Identifier: MIT
package socketio.emitter;

import static socketio.emitter.EmitterTest.bytes;
import static socketio.emitter.EmitterTest.check;
import static socketio.emitter.EmitterTest.events;
import static socketio.emitter.EmitterTest.names;
import static socketio.emitter.EmitterTest.same;
import static socketio.emitter.EmitterTest.throwsCode;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Instant;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The other server stacks, each on a harness of its own with two Socket.IO servers: the Redis
 * Streams adapter (0.3.1 with a stream name and maxLen of our own, 0.3.1 with the defaults for
 * the README, and 0.2.3), and socket.io 2.5 with socket.io-redis 5.4 (compat
 * "socket.io-redis-5"). What the real clients receive is checked, never only Redis' answer.
 * The blocks between "snippet:" and "end snippet" are the README's, word for word
 * (tests/check_snippets.js compares them).
 */
@SuppressWarnings("try")
final class StacksTest {
    private static final Map<String, Harness> HARNESSES = new LinkedHashMap<>();
    private static Harness last;

    @RegisterExtension
    static final TestWatcher LOGS = EmitterTest.logsOnFailure(() -> last);

    /** Two servers with these arguments, started on first use; {@link #closeHarnesses} stops them. */
    static synchronized Harness harness(String... args) throws Exception {
        String key = String.join(" ", args);
        Harness h = HARNESSES.get(key);
        if (h == null) {
            String[] all = new String[args.length + 4];
            System.arraycopy(new String[] {"--servers", "2", "--server-events", "server_event"}, 0, all, 0, 4);
            System.arraycopy(args, 0, all, 4, args.length);
            h = new Harness(all);
            HARNESSES.put(key, h);
        }
        last = h;
        return h;
    }

    @AfterAll
    static synchronized void closeHarnesses() throws Exception {
        for (Harness h : HARNESSES.values()) {
            h.close();
        }
        HARNESSES.clear();
        last = null;
    }

    /** Streams 0.3.1 servers with a stream name and maxLen of their own, so delivery shows the options reached the core. */
    static Harness streams() throws Exception {
        return harness("--adapter", "streams", "--stream-name", "java-stream", "--max-len", "500");
    }

    static Options streamsOptions() {
        return new Options().adapter("streams").streamName("java-stream").maxLen(500).streamsVersion("0.3");
    }

    static Harness socketIO2() throws Exception {
        return harness("--stack", "socket.io-redis-5");
    }

    /** A Date as JavaScript sends it: JSON has none, so clients get its toJSON text. */
    static final Instant DATE = Instant.ofEpochMilli(1_700_000_000_123L);
    static final String DATE_TEXT = "2023-11-14T22:13:20.123Z";

    static Map<String, Object> nestedBinary() {
        return Map.of("file", new byte[] {1, 2, 3}, "parts", List.of(new byte[] {4}, 5), "at", new Date(DATE.toEpochMilli()));
    }

    static final Map<String, Object> NESTED_ARRIVED = Map.of("file", bytes("010203"), "parts", List.of(bytes("04"), 5.0), "at", DATE_TEXT);

    @Test
    void testStreamsBroadcastRoomsAndCount() throws Exception {
        Harness h = streams();
        h.clients("/java-st", new String[] {"jst-a", "0", "[\"room1\"]"}, new String[] {"jst-b", "1", "[\"room1\",\"muted\"]"},
                new String[] {"jst-c", "1", "[]"});
        try (Emitter io = Emitter.connect(h.redisUrl, streamsOptions())) {
            Emitter ns = io.of("/java-st");
            // 0.3: the servers that read the namespace (PUBSUB NUMSUB of its side channel), both.
            same(ns.emit("hello", "world", 42), 2L, "broadcast receivers");
            same(ns.to("room1").except("muted").emit("r1"), 2L, "room1 except muted receivers");
            var lines = h.flushAndTake();
            var ev = events(lines);
            same(names(ev, "jst-a"), List.of("hello", "r1"), "jst-a");
            same(names(ev, "jst-b"), List.of("hello"), "jst-b");
            same(names(ev, "jst-c"), List.of("hello"), "jst-c");
            same(ev.get("jst-c").get(0).get(1), List.of("world", 42.0), "arguments");
            // Each event came from the stream: the servers append its entry ID, reported apart.
            for (var l : lines) {
                if ("event".equals(l.get("type"))) {
                    check(l.get("offset") instanceof String s && s.contains("-"), "an event without a stream offset: " + l);
                }
            }
        }
    }

    @Test
    void testStreamsBinaryAndDates() throws Exception {
        Harness h = streams();
        h.clients("/java-st-bin", new String[] {"jst-bin", "1", "[\"r\"]"}, new String[] {"jst-other", "0", "[]"});
        try (Emitter io = Emitter.connect(h.redisUrl, streamsOptions())) {
            Emitter ns = io.of("/java-st-bin");
            same(ns.emit("blob", new byte[] {(byte) 0xff, 0}, nestedBinary()), 2L, "binary receivers (base64 msgpack entry)");
            same(ns.to("r").emit("date", DATE), 2L, "date receivers");
            var ev = events(h.flushAndTake());
            same(ev.get("jst-bin"), List.of(List.of("blob", List.of(bytes("ff00"), NESTED_ARRIVED)), List.of("date", List.of(DATE_TEXT))),
                    "binary and dates");
            same(names(ev, "jst-other"), List.of("blob"), "jst-other");
        }
    }

    @Test
    void testStreamsServerSideEmit() throws Exception {
        Harness h = streams();
        h.clients("/java-st-sse", new String[] {"jst-sse", "0", "[]"});
        try (Emitter io = Emitter.connect(h.redisUrl, streamsOptions())) {
            // 0.3: PUBLISH msgpack on the side channel.
            same(io.of("/java-st-sse").serverSideEmit("server_event", "java", 7), 2L, "serverSideEmit receivers");
            var lines = h.flushAndTake();
            for (double server : new double[] {0, 1}) {
                var got = lines.stream().filter(l -> "server_event".equals(l.get("type")) && "/java-st-sse".equals(l.get("nsp"))
                        && Double.valueOf(server).equals(l.get("server"))).map(l -> l.get("args")).toList();
                same(got, List.of(List.of("java", 7.0)), "server " + server);
            }
            same(names(events(lines), "jst-sse"), List.of(), "clients do not see server-side events");
        }
    }

    /** Adapter "auto": found in Redis when connecting, then delivered to a real client. */
    @Test
    void testAutoFindsStreamsServersAndDelivers() throws Exception {
        Harness h = harness("--adapter", "streams");
        h.clients("/java-auto", new String[] {"jauto-a", "1", "[]"});
        try (Emitter io = Emitter.connect(h.redisUrl, new Options().adapter("auto"))) {
            same(io.of("/java-auto").emit("detected", 1), 2L, "auto receivers");
            same(names(events(h.flushAndTake()), "jauto-a"), List.of("detected"), "jauto-a");
        }
    }

    /** No server on the key: DETECTION_FAILED (status 16), naming the key that has servers. */
    @Test
    void testAutoWithoutServersIsDetectionFailed() throws Exception {
        Harness h = harness("--adapter", "streams");
        try {
            Emitter.connect(h.redisUrl, new Options().adapter("auto").key("nobody-here")).close();
        } catch (EmitterException e) {
            same(e.getErrorCode(), EmitterException.DETECTION_FAILED, "code");
            same(e.getStatus(), 16, "status");
            check(e.getMessage().contains("streams adapter 0.3, key socket.io, namespace /: 2 servers"),
                    "the message names what listens: " + e.getMessage());
            return;
        }
        throw new AssertionError("expected DETECTION_FAILED, nothing was thrown");
    }

    /** 0.2 servers cannot be counted (no Pub/Sub): an emit resolves to 1, the entry stored. */
    @Test
    void testStreams02() throws Exception {
        Harness h = harness("--adapter", "streams", "--streams-version", "0.2");
        h.clients("/java-st2", new String[] {"jst2-a", "0", "[]"}, new String[] {"jst2-b", "1", "[]"});
        try (Emitter io = Emitter.connect(h.redisUrl, new Options().adapter("streams").streamsVersion("0.2.3"))) {
            same(io.of("/java-st2").emit("old", new byte[] {7}, DATE), 1L, "0.2 receivers");
            var ev = events(h.flushAndTake());
            for (String c : List.of("jst2-a", "jst2-b")) {
                same(ev.get(c), List.of(List.of("old", List.of(bytes("07"), DATE_TEXT))), c);
            }
        }
        // require_receivers cannot be honoured there: connect refuses the combination.
        throwsCode(EmitterException.INVALID_ARGUMENT,
                () -> Emitter.connect(h.redisUrl, new Options().adapter("streams").streamsVersion("0.2").requireReceivers(true)));
    }

    @Test
    void testSocketIO2BroadcastBinaryAndDates() throws Exception {
        Harness h = socketIO2();
        h.clients("/java-v2", new String[] {"jv2-a", "0", "[\"r\"]"}, new String[] {"jv2-b", "1", "[]"});
        try (Emitter io = Emitter.connect(h.redisUrl, new Options().compat("socket.io-redis-5"))) {
            Emitter ns = io.of("/java-v2");
            same(ns.emit("hello", "world", 42), 2L, "broadcast receivers");
            // Binary goes as packet type 5, which socket.io 2.5 frames as binary.
            same(ns.emit("blob", new byte[] {(byte) 0xff, 0}, nestedBinary()), 2L, "binary receivers");
            same(ns.to("r").emit("date", DATE), 2L, "date receivers");
            var ev = events(h.flushAndTake());
            same(ev.get("jv2-a"), List.of(List.of("hello", List.of("world", 42.0)), List.of("blob", List.of(bytes("ff00"), NESTED_ARRIVED)),
                    List.of("date", List.of(DATE_TEXT))), "jv2-a");
            same(names(ev, "jv2-b"), List.of("hello", "blob"), "jv2-b");
        }
    }

    @Test
    void testSocketIO2Unsupported() throws Exception {
        Harness h = socketIO2();
        h.clients("/java-v2-un", new String[] {"jv2-keep", "0", "[\"r\"]"}, new String[] {"jv2-muted", "1", "[\"r\",\"muted\"]"});
        try (Emitter io = Emitter.connect(h.redisUrl, new Options().compat("socket.io-redis-5"))) {
            Emitter ns = io.of("/java-v2-un");
            // socket.io-redis 5 reads except as socket ids only, and has no serverSideEmit.
            try {
                ns.to("r").except("muted").emit("not-muted");
                throw new AssertionError("except by room on socket.io-redis-5 was published");
            } catch (EmitterException e) {
                same(e.getErrorCode(), EmitterException.UNSUPPORTED, "code (" + e.getMessage() + ")");
                same(e.getStatus(), 15, "status");
                check(e.getMessage().contains("compat \"socket.io-redis-5\""), "names the stack: " + e.getMessage());
            }
            throwsCode(EmitterException.UNSUPPORTED, () -> ns.serverSideEmit("server_event", 1));
            var lines = h.flushAndTake();
            same(events(lines), Map.of(), "nothing arrived");
            check(lines.stream().noneMatch(l -> "server_event".equals(l.get("type"))), "no server event: " + lines);
        }
    }

    @Test
    void testStackOptionsAreChecked() throws Exception {
        String url = socketIO2().redisUrl;
        Map<Options, String> bad = new LinkedHashMap<>();
        bad.put(new Options().compat("socket.io-redis-4"), "compat must be one of \"redis-adapter-8\"");
        bad.put(new Options().adapter("streams").streamsVersion("0.4"), "streams_version");
        bad.put(new Options().adapter("streams").streamCount(1025), "stream_count must be between 1 and 1024, got 1025");
        bad.put(new Options().adapter("streams").streamCount(-1), "streamCount must not be negative, got -1");
        bad.put(new Options().adapter("streams").maxLen((1L << 40) + 1), "max_len must be between 1 and");
        bad.put(new Options().adapter("streams").maxLen(-5), "maxLen must not be negative, got -5");
        bad.put(new Options().adapter("streams").streamName(""), "stream_name must not be empty");
        // Combinations, refused when connecting.
        bad.put(new Options().adapter("streams").compat("socket.io-redis-5"), "compat");
        bad.put(new Options().adapter("streams").streamsVersion("0.2").streamCount(4), "stream_count");
        for (var c : bad.entrySet()) {
            try {
                Emitter.connect(url, c.getKey()).close();
                throw new AssertionError("accepted: " + c.getValue());
            } catch (EmitterException e) {
                same(e.getErrorCode(), EmitterException.INVALID_ARGUMENT, "code (" + e.getMessage() + ")");
                check(e.getMessage().contains(c.getValue()), "'" + c.getValue() + "' not in: " + e.getMessage());
            }
        }
        for (String compat : List.of("redis-adapter-8", "redis-adapter-7", "socket.io-redis-6.1", "socket.io-redis-6.0")) {
            Emitter.connect(url, new Options().compat(compat)).close();
        }
        Emitter.connect(url, new Options().adapter("streams").streamName("s").streamCount(4).maxLen(1L << 40).streamsVersion("0.3.1")).close();
    }

    /** Every code the C library can return is a constant of EmitterException, and the other way round. */
    @Test
    void testEveryStatusHasItsConstant() throws Exception {
        Set<String> constants = new HashSet<>();
        for (Field f : EmitterException.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                constants.add((String) f.get(null));
            }
        }
        Set<String> codes = new HashSet<>();
        for (int status = 1; status < 256; status++) {
            String name = NativeLib.C.sioe_status_name(status);
            if (!"UNKNOWN".equals(name)) {
                codes.add(name);
            }
        }
        same(codes, constants, "the C library's codes and EmitterException's constants");
        same(NativeLib.C.sioe_status_name(15), EmitterException.UNSUPPORTED, "status 15");
    }

    @Test
    void testDatesAreSentAsJavaScriptWritesThem() {
        Map<Object, String> want = new LinkedHashMap<>();
        want.put(DATE, DATE_TEXT);
        want.put(new Date(0), "1970-01-01T00:00:00.000Z");
        want.put(Instant.ofEpochSecond(-1, 999_999_999), "1969-12-31T23:59:59.999Z"); // floored, like Date
        want.put(Instant.ofEpochMilli(-62_198_755_200_000L), "-000001-01-01T00:00:00.000Z");
        want.put(Instant.ofEpochMilli(253_402_300_800_000L), "+010000-01-01T00:00:00.000Z");
        want.put(Instant.ofEpochMilli(8_640_000_000_000_000L), "+275760-09-13T00:00:00.000Z");
        for (var c : want.entrySet()) {
            same(Json.encodeArgs(new Object[] {c.getKey()}).out.toString(), "[\"" + c.getValue() + "\"]", c.getValue());
        }
        for (Object tooFar : List.of(Instant.ofEpochMilli(8_640_000_000_000_001L), Instant.MAX, Instant.MIN, new Date(Long.MIN_VALUE))) {
            throwsCode(EmitterException.ENCODE, () -> Json.encodeArgs(new Object[] {tooFar}));
        }
    }

    @Test
    void testServerStacksSnippets() throws Exception {
        Harness h = harness("--adapter", "streams");
        h.clients("/", new String[] {"jsn-in", "0", "[\"room1\"]"}, new String[] {"jsn-out", "1", "[]"});
        String url = h.redisUrl;
        long n;

        // snippet: streams
        try (Emitter io = Emitter.connect(url, new Options()
                .adapter("streams")            // servers on @socket.io/redis-streams-adapter
                .streamName("socket.io")       // the servers' options (these are the defaults);
                .streamCount(1)                // key(...) is their channelPrefix
                .maxLen(10000)
                .streamsVersion("0.3"))) {     // "0.2" for adapter 0.1.x-0.2.x
            n = io.to("room1").emit("news", "hi"); // 0.3: how many servers read the namespace; 0.2: 1
        }
        // end snippet

        same(n, 2L, "streams receivers");
        var ev = events(h.flushAndTake());
        same(ev.get("jsn-in"), List.of(List.of("news", List.of("hi"))), "streams delivery");
        same(names(ev, "jsn-out"), List.of(), "jsn-out");

        Harness v2 = socketIO2();
        v2.clients("/", new String[] {"jsn2-in", "0", "[\"room1\"]"}, new String[] {"jsn2-out", "1", "[]"});
        url = v2.redisUrl;
        boolean unsupported = false;

        // snippet: compat
        // socket.io 2.x servers on socket.io-redis 5.x
        try (Emitter io = Emitter.connect(url, new Options().compat("socket.io-redis-5"))) {
            io.to("room1").emit("news", new byte[] {1}); // binary arrives as binary
            io.except("room2").emit("news");             // those servers read except as socket ids only
        } catch (EmitterException e) {
            if (e.getErrorCode().equals(EmitterException.UNSUPPORTED)) { // nothing was published; the message says why
                unsupported = true;
            }
        }
        // end snippet

        check(unsupported, "except on socket.io-redis-5 is UNSUPPORTED");
        ev = events(v2.flushAndTake());
        same(ev.get("jsn2-in"), List.of(List.of("news", List.of(bytes("01")))), "socket.io 2 delivery");
        same(names(ev, "jsn2-out"), List.of(), "jsn2-out");
    }
}
