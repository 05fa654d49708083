// SPDX-License-Identifier: MIT
package socketio.emitter;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The interop suite over the real fixture (two Socket.IO servers on the classic adapter),
 * plus the helpers the other suites share. A failed test prints the harness's logs.
 */
@SuppressWarnings("try")
final class EmitterTest {
    private static Harness h;

    @RegisterExtension
    static final TestWatcher LOGS = logsOnFailure(() -> h);

    @BeforeAll
    static void start() throws Exception {
        h = new Harness("--servers", "2", "--server-events", "server_event");
    }

    @AfterAll
    static void stop() throws Exception {
        if (h != null) {
            h.close();
        }
    }

    interface HarnessSource {
        Harness get() throws Exception;
    }

    /** Prints the harness's output (servers, Redis) when a test fails, and only then. */
    static TestWatcher logsOnFailure(HarnessSource source) {
        return new TestWatcher() {
            @Override
            public void testFailed(ExtensionContext context, Throwable cause) {
                try {
                    Harness harness = source.get();
                    if (harness != null) {
                        System.out.print("----- harness logs -----\n" + harness.logs(true) + "----- end of harness logs -----\n");
                    }
                } catch (Exception e) {
                    System.out.println("(could not read the harness's logs: " + e + ")");
                }
            }
        };
    }

    static void check(boolean cond, String what) {
        if (!cond) {
            throw new AssertionError(what);
        }
    }

    static void same(Object got, Object want, String what) {
        check(Objects.equals(got, want), what + ": got " + got + ", want " + want);
    }

    static Map<String, List<List<Object>>> events(List<Map<String, Object>> lines) {
        Map<String, List<List<Object>>> out = new LinkedHashMap<>();
        for (Map<String, Object> l : lines) {
            if ("event".equals(l.get("type"))) {
                List<Object> e = new ArrayList<>();
                e.add(l.get("event"));
                e.add(l.get("args"));
                out.computeIfAbsent((String) l.get("client"), k -> new ArrayList<>()).add(e);
            }
        }
        return out;
    }

    static List<Object> names(Map<String, List<List<Object>>> ev, String client) {
        return ev.getOrDefault(client, List.of()).stream().map(e -> e.get(0)).toList();
    }

    static void throwsCode(String code, Runnable r) {
        try {
            r.run();
        } catch (EmitterException e) {
            same(e.getErrorCode(), code, "error code (" + e.getMessage() + ")");
            return;
        }
        throw new AssertionError("expected " + code + ", nothing was thrown");
    }

    static Map<String, Object> bytes(String hex) {
        return Map.of("$bytes", hex);
    }

    @Test
    void testRoomsExceptNamespaceAndPayloads() throws Exception {
        h.clients("/java", new String[] {"j-a", "0", "[\"room1\"]"}, new String[] {"j-b", "1", "[\"room1\",\"room2\"]"},
                new String[] {"j-c", "1", "[]"}, new String[] {"j-7", "0", "[7]"});
        try (Emitter io = Emitter.connect(h.redisUrl)) {
            Emitter ns = io.of("java");
            same(ns.to("room1").emit("event", Map.of("a", 1)), 2L, "receivers");
            Emitter room1 = ns.to("room1");
            room1.except("room2").emit("r1-not-r2");
            room1.emit("r1");
            ns.to(7).compress(false).emit("seven");
            Map<String, Object> ordered = new LinkedHashMap<>();
            ordered.put("z", List.of(1.5, true));
            ordered.put("a", null);
            ns.emit("all", "text", 42, 2.5, false, ordered, new int[] {1, 2}, List.of());
            var ev = events(h.flushAndTake());
            same(names(ev, "j-a"), List.of("event", "r1-not-r2", "r1", "all"), "j-a");
            same(names(ev, "j-b"), List.of("event", "r1", "all"), "j-b");
            same(names(ev, "j-c"), List.of("all"), "j-c");
            same(names(ev, "j-7"), List.of("seven", "all"), "j-7");
            same(ev.get("j-a").get(0).get(1), List.of(Map.of("a", 1.0)), "map argument");
            Map<String, Object> wantOrdered = new LinkedHashMap<>();
            wantOrdered.put("z", List.of(1.5, true));
            wantOrdered.put("a", null);
            same(ev.get("j-c").get(0).get(1), Arrays.asList("text", 42.0, 2.5, false, wantOrdered, List.of(1.0, 2.0), List.of()), "args");
        }
    }

    @Test
    void testBinaryArrivesAsBinary() throws Exception {
        h.clients("/java-bin", new String[] {"j-bin", "1", "[]"});
        try (Emitter io = Emitter.connect(h.redisUrl)) {
            io.of("/java-bin").emit("bin", new byte[] {0, 1, (byte) 255}, Map.of("nested", List.of(new byte[] {104, 105})), new byte[0]);
            var ev = events(h.flushAndTake());
            same(ev.get("j-bin").get(0).get(1), List.of(bytes("0001ff"), Map.of("nested", List.of(bytes("6869"))), bytes("")), "binary");
            // A server drops a volatile packet whenever the client's transport is still writing,
            // by design: it is asserted to be accepted by both servers, never to arrive.
            same(io.of("/java-bin").asVolatile().emit("volatile"), 2L, "volatile receivers");
            var got = names(events(h.flushAndTake()), "j-bin");
            check(got.isEmpty() || got.equals(List.of("volatile")), "volatile arrives at most once, alone: " + got);
        }
    }

    @Test
    void testServerSideOperations() throws Exception {
        h.clients("/java-ops", new String[] {"j-old", "0", "[\"old\"]"}, new String[] {"j-other", "1", "[]"},
                new String[] {"j-dc", "1", "[\"dc\"]"});
        try (Emitter root = Emitter.connect(h.redisUrl)) {
            Emitter io = root.of("/java-ops");
            same(io.to("old").socketsJoin("new", 5), 2L, "socketsJoin receivers");
            io.to("new").emit("in-new");
            io.to(5).emit("in-5");
            io.socketsLeave("new");
            io.to("new").emit("after-leave");
            io.to("dc").disconnectSockets(false);
            same(root.serverSideEmit("server_event", "java", new byte[] {1}), 2L, "serverSideEmit receivers");
            var lines = h.flushAndTake();
            var ev = events(lines);
            same(names(ev, "j-old"), List.of("in-new", "in-5"), "j-old");
            same(names(ev, "j-other"), List.of(), "j-other");
            same(lines.stream().filter(l -> "disconnect".equals(l.get("type"))).map(l -> l.get("client")).toList(), List.of("j-dc"), "disconnected");
            var server = lines.stream().filter(l -> "server_event".equals(l.get("type"))).toList();
            same(server.size(), 2, "server events");
            same(server.get(0).get("args"), List.of("java", Map.of("type", "Buffer", "data", List.of(1.0))), "server event args");
        }
    }

    @Test
    void testEnqueueFlushAndThreads() throws Exception {
        h.clients("/java-q", new String[] {"j-q", "0", "[]"});
        try (Emitter io = Emitter.connect(h.redisUrl)) {
            Emitter q = io.of("/java-q");
            List<Thread> threads = new ArrayList<>();
            List<Throwable> errors = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                final int id = t;
                threads.add(new Thread(() -> {
                    try {
                        for (int i = 0; i < 10; i++) {
                            q.enqueue("q", id, i);
                        }
                    } catch (Throwable e) {
                        synchronized (errors) {
                            errors.add(e);
                        }
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                t.join();
            }
            same(errors, List.of(), "enqueue errors");
            long[] report = q.flush();
            same(report[0], 40L, "sent");
            same(report[1], 80L, "receivers");
            var ev = events(h.flushAndTake());
            same(ev.get("j-q").size(), 40, "received");
            for (int t = 0; t < 4; t++) {
                final double id = t;
                same(ev.get("j-q").stream().map(e -> (List<?>) e.get(1)).filter(a -> a.get(0).equals(id)).map(a -> a.get(1)).toList(),
                        List.of(0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0), "thread " + t + " in order");
            }
        }
    }

    /** Emits go through JNA's direct mapping; a target keeps its handle from its second call on. */
    @Test
    void testKeptTargetAndDirectCalls() throws Exception {
        check(DirectLib.AVAILABLE, "the direct mapping is registered on linux-x86-64");
        Emitter io = Emitter.connect(h.redisUrl);
        Emitter room = io.of("/kept").to("r").asVolatile();
        for (int i = 0; i < 3; i++) {
            room.emit("ev", i); // built and freed, then built and kept, then the kept one
        }
        try {
            room.emit("connect");
            throw new AssertionError("expected RESERVED_EVENT, nothing was thrown");
        } catch (EmitterException e) {
            same(e.getErrorCode(), "RESERVED_EVENT", "error code");
            check(e.getMessage().contains("connect"), "the C error's message: " + e.getMessage());
        }
        io.close();
        throwsCode("CLOSED", () -> room.emit("ev"));
    }

    @Test
    void testErrorsCarryTheCode() throws Exception {
        Emitter io = Emitter.connect(h.redisUrl);
        throwsCode("RESERVED_EVENT", () -> io.emit("connect"));
        throwsCode("RESERVED_EVENT", () -> io.serverSideEmit("connection"));
        throwsCode("INVALID_UTF8", () -> io.emit("bad\ud800"));
        throwsCode("INVALID_UTF8", () -> io.to("bad\ud800").emit("ev"));
        throwsCode("ENCODE", () -> io.emit("ev", Double.NaN));
        throwsCode("ENCODE", () -> io.emit("ev", new Object()));
        List<Object> cycle = new ArrayList<>();
        cycle.add(cycle);
        throwsCode("ENCODE", () -> io.emit("ev", cycle));
        throwsCode("INVALID_ARGUMENT", () -> io.socketsJoin(1.5));
        throwsCode("INVALID_ARGUMENT", () -> Emitter.connect("http://x"));
        throwsCode("INVALID_ARGUMENT", () -> Emitter.connect(h.redisUrl, new Options().connectTimeout(Duration.ZERO)));
        throwsCode("CONNECTION", () -> Emitter.connect("redis://127.0.0.1:1",
                new Options().connectTimeout(Duration.ofMillis(300)).reconnect(Duration.ofMillis(10), Duration.ofMillis(20), 0)));
        try (Emitter strict = Emitter.connect(h.redisUrl, new Options().key("nobody").requireReceivers(true))) {
            throwsCode("NO_SUBSCRIBERS", () -> strict.emit("ev"));
        }
        Emitter target = io.to("r");
        io.close();
        throwsCode("CLOSED", () -> target.emit("ev"));
        throwsCode("CLOSED", io::flush);
        io.close(); // closing twice is fine
        check(Emitter.version().startsWith("socketio-emitter-c/"), "version " + Emitter.version());
    }
}
