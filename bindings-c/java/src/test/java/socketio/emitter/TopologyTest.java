// SPDX-License-Identifier: MIT
package socketio.emitter;

import static socketio.emitter.EmitterTest.bytes;
import static socketio.emitter.EmitterTest.check;
import static socketio.emitter.EmitterTest.events;
import static socketio.emitter.EmitterTest.names;
import static socketio.emitter.EmitterTest.same;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Redis Cluster and Sentinel: each test owns a harness
 * ({@code --topology cluster} with sharded, then classic, servers; {@code --topology sentinel}).
 * The blocks between "snippet:" and "end snippet" are the README's, word for word
 * (tests/check_snippets.js compares them).
 */
@SuppressWarnings("try")
final class TopologyTest {
    private interface Body {
        void run(Harness h) throws Exception;
    }

    /** Runs body with a harness of two servers over a topology; a failure prints its logs. */
    private static void with(Body body, String... topology) throws Exception {
        List<String> args = new ArrayList<>(List.of("--servers", "2", "--server-events", "server_event"));
        args.addAll(List.of(topology));
        try (Harness h = new Harness(args.toArray(new String[0]))) {
            try {
                body.run(h);
            } catch (Exception | AssertionError e) {
                System.out.print("----- topology harness logs -----\n" + h.logs(true) + "----- end -----\n");
                throw e;
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Object list) {
        return (List<String>) list;
    }

    @Test
    void testClusterSharded() throws Exception {
        with(h -> {
            h.clients("/jt-bc", new String[] {"jt-a", "0", "[]"}, new String[] {"jt-b", "1", "[]"});
            h.clients("/jt-room", new String[] {"jt-in", "0", "[\"room1\"]"}, new String[] {"jt-out", "1", "[\"room2\"]"});
            h.clients("/jt-bin", new String[] {"jt-bin", "1", "[]"});
            h.clients("/jt-sse", new String[] {"jt-sse", "0", "[]"});
            List<String> seeds = strings(h.ready.get("redis_nodes")).subList(0, 2); // the emitter finds the others

            // snippet: cluster
            Emitter io = Emitter.connect(null, new Options()
                    .clusterNodes(seeds) // e.g. List.of("redis://10.0.0.1:7000", "redis://10.0.0.2:7000")
                    .adapter("sharded")); // servers on createShardedAdapter ("classic" works too)
            // end snippet

            try (io) {
                same(io.of("/jt-bc").emit("hello", "world", 42), 2L, "broadcast receivers");
                // Dynamic mode: the room's own channel, heard by the one server where it has members.
                same(io.of("/jt-room").to("room1").emit("only-room1"), 1L, "one room receivers");
                same(io.of("/jt-bin").emit("blob", new byte[] {(byte) 0xff, 0}, Map.of("file", new byte[] {1, 2, 3})), 2L,
                        "binary receivers");
                same(io.of("/jt-sse").serverSideEmit("server_event", "payload", 7), 2L, "serverSideEmit receivers");
                List<Map<String, Object>> lines = h.flushAndTake();
                var ev = events(lines);
                for (var want : Map.of("jt-a", List.of("hello"), "jt-b", List.of("hello"), "jt-in", List.of("only-room1"),
                        "jt-out", List.of(), "jt-bin", List.of("blob"), "jt-sse", List.of()).entrySet()) {
                    same(names(ev, want.getKey()), want.getValue(), want.getKey());
                }
                same(ev.get("jt-b").get(0).get(1), List.of("world", 42.0), "arguments");
                same(ev.get("jt-bin").get(0).get(1), List.of(bytes("ff00"), Map.of("file", bytes("010203"))), "binary");
                for (double server : new double[] {0, 1}) {
                    List<Object> got = lines.stream().filter(l -> "server_event".equals(l.get("type"))
                            && "/jt-sse".equals(l.get("nsp")) && Double.valueOf(server).equals(l.get("server")))
                            .map(l -> l.get("args")).toList();
                    same(got, List.of(List.of("payload", 7.0)), "serverSideEmit at server " + server);
                }
            }
        }, "--topology", "cluster", "--adapter", "sharded");
    }

    @Test
    void testClusterClassic() throws Exception {
        with(h -> {
            h.clients("/jt-bc", new String[] {"jt-a", "0", "[]"}, new String[] {"jt-b", "1", "[]"});
            try (Emitter io = Emitter.connect(null, new Options().clusterNodes(strings(h.ready.get("redis_nodes")).get(0)))) {
                // A cluster's PUBLISH counts only the subscribers of the node that received it.
                long n = io.of("/jt-bc").emit("hello");
                check(n >= 0 && n <= 2, "classic broadcast on a cluster: " + n + " receivers");
                var ev = events(h.flushAndTake());
                same(List.of(names(ev, "jt-a"), names(ev, "jt-b")), List.of(List.of("hello"), List.of("hello")), "both clients");
            }
        }, "--topology", "cluster");
    }

    @Test
    void testSentinel() throws Exception {
        with(h -> {
            h.clients("/jt-bc", new String[] {"jt-a", "0", "[]"}, new String[] {"jt-b", "1", "[]"});
            same(h.ready.get("sentinel_master"), "mymaster", "the master name the snippet uses");
            List<String> sentinels = strings(h.ready.get("sentinel_urls"));
            String masterUrl = null; // no credentials

            // snippet: sentinel
            Emitter io = Emitter.connect(masterUrl, // the master's credentials, db and TLS; null for none
                    new Options().sentinelMaster("mymaster").sentinelNodes(sentinels)); // e.g. List.of("redis://10.0.0.1:26379")
            // end snippet

            try (io) {
                same(io.of("/jt-bc").emit("hello", "world", 42), 2L, "broadcast receivers");
                var ev = events(h.flushAndTake());
                same(List.of(names(ev, "jt-a"), names(ev, "jt-b")), List.of(List.of("hello"), List.of("hello")), "both clients");
            }
        }, "--topology", "sentinel");
    }
}
