// SPDX-License-Identifier: MIT
package socketio.emitter;

import static socketio.emitter.EmitterTest.bytes;
import static socketio.emitter.EmitterTest.check;
import static socketio.emitter.EmitterTest.events;
import static socketio.emitter.EmitterTest.names;
import static socketio.emitter.EmitterTest.same;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The sharded adapter: a harness of its own with two Socket.IO
 * servers on createShardedAdapter in the servers' default mode, dynamic, where a room with
 * members has its own channel, so the receiver counts show that the mode reached the core.
 */
final class ShardedTest {
    static final String MODE = "dynamic";
    private static Harness sh;

    @RegisterExtension
    static final TestWatcher LOGS = EmitterTest.logsOnFailure(() -> sh);

    /** The sharded servers, started on first use; {@link #closeHarness} stops them. */
    static synchronized Harness harness() throws Exception {
        if (sh == null) {
            sh = new Harness("--servers", "2", "--server-events", "server_event", "--adapter", "sharded",
                    "--subscription-mode", MODE);
        }
        return sh;
    }

    @AfterAll
    static synchronized void closeHarness() throws Exception {
        if (sh != null) {
            sh.close();
            sh = null;
        }
    }

    static Emitter connect() throws Exception {
        return Emitter.connect(harness().redisUrl, new Options().adapter("sharded").subscriptionMode(MODE));
    }

    @Test
    void testShardedBroadcastAndRooms() throws Exception {
        Harness h = harness();
        h.clients("/java-sh", new String[] {"js-a", "0", "[\"room1\"]"}, new String[] {"js-b", "1", "[\"room1\",\"solo\"]"},
                new String[] {"js-c", "0", "[]"});
        try (Emitter io = connect()) {
            Emitter ns = io.of("java-sh");
            same(ns.emit("hello", "world", 42), 2L, "broadcast receivers");
            same(ns.to("room1").emit("r1"), 2L, "room1 receivers");
            // "solo" has members on server 1 only: in dynamic mode its own channel reaches it alone.
            same(ns.to("solo").emit("solo"), 1L, "solo receivers");
            var ev = events(h.flushAndTake());
            same(names(ev, "js-a"), List.of("hello", "r1"), "js-a");
            same(names(ev, "js-b"), List.of("hello", "r1", "solo"), "js-b");
            same(names(ev, "js-c"), List.of("hello"), "js-c");
            same(ev.get("js-c").get(0).get(1), List.of("world", 42.0), "arguments");
        }
    }

    @Test
    void testShardedBinaryArrivesAsBinary() throws Exception {
        Harness h = harness();
        h.clients("/java-sh-bin", new String[] {"js-bin", "1", "[\"r\"]"});
        try (Emitter io = connect()) {
            Emitter ns = io.of("/java-sh-bin");
            Map<String, Object> nested = Map.of("file", new byte[] {1, 2, 3}, "parts", List.of(new byte[] {4}, 5));
            same(ns.emit("blob", new byte[] {(byte) 0xff, 0}, nested), 2L, "binary receivers");
            same(ns.to("r").emit("room-blob", nested), 1L, "binary to a room (msgpack on its channel)");
            Map<String, Object> want = Map.of("file", bytes("010203"), "parts", List.of(bytes("04"), 5.0));
            var ev = events(h.flushAndTake());
            same(ev.get("js-bin").stream().map(e -> e.get(1)).toList(), List.of(List.of(bytes("ff00"), want), List.of(want)), "binary");
        }
    }

    @Test
    void testShardedServerSideEmitReachesTheHandlers() throws Exception {
        Harness h = harness();
        h.clients("/java-sh-sse", new String[] {"js-sse", "0", "[]"});
        try (Emitter io = connect()) {
            Emitter ns = io.of("/java-sh-sse");
            same(ns.serverSideEmit("server_event", "java", 7), 2L, "serverSideEmit receivers");
            same(ns.serverSideEmit("server_event", (Object) new byte[] {9, 8}), 2L, "binary serverSideEmit receivers");
            var lines = h.flushAndTake();
            for (double server : new double[] {0, 1}) {
                var got = lines.stream().filter(l -> "server_event".equals(l.get("type")) && "/java-sh-sse".equals(l.get("nsp"))
                        && Double.valueOf(server).equals(l.get("server"))).map(l -> l.get("args")).toList();
                same(got, List.of(List.of("java", 7.0), List.of(bytes("0908"))), "server " + server);
            }
            same(names(events(lines), "js-sse"), List.of(), "clients do not see server-side events");
        }
    }

    @Test
    void testShardedServersAndAClassicEmitter() throws Exception {
        Harness h = harness();
        h.clients("/java-sh-mm", new String[] {"js-mm", "0", "[]"});
        try (Emitter classic = Emitter.connect(h.redisUrl, new Options().requireReceivers(true))) {
            try {
                classic.of("/java-sh-mm").emit("lost");
                throw new AssertionError("a classic emitter reached sharded servers");
            } catch (EmitterException e) {
                same(e.getErrorCode(), EmitterException.NO_SUBSCRIBERS, "code");
                check(e.getMessage().contains("createShardedAdapter"), "names the cause: " + e.getMessage());
            }
        }
        same(names(events(h.flushAndTake()), "js-mm"), List.of(), "nothing arrived");
    }
}
