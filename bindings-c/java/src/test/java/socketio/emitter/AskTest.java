// SPDX-License-Identifier: MIT
package socketio.emitter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static socketio.emitter.EmitterTest.events;
import static socketio.emitter.EmitterTest.names;
import static socketio.emitter.EmitterTest.throwsCode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Asking the cluster, against two servers on the classic adapter whose ask_me handlers
 * acknowledge: clients with socket data, clients that acknowledge and one that never does.
 * The README's "Asking the cluster" block is the snippet below (tests/check_snippets.js).
 */
@SuppressWarnings("try")
final class AskTest {
    /** Long enough for any server to answer: a result that waits this long is partial. */
    private static final Duration SHORT = Duration.ofMillis(1500);

    private static Harness h;

    @RegisterExtension
    static final TestWatcher LOGS = EmitterTest.logsOnFailure(() -> h);

    @BeforeAll
    static void start() throws Exception {
        h = new Harness("--servers", "2", "--server-events", "server_event", "--server-acks", "ask_me");
    }

    @AfterAll
    static void stop() throws Exception {
        if (h != null) {
            h.close();
        }
    }

    /** Connects a client; data and ack are JSON text or null. Returns its socket id. */
    private static String client(String name, int server, String nsp, String rooms, String data, String ack) throws Exception {
        String extra = (data == null ? "" : ",\"data\":" + data) + (ack == null ? "" : ",\"ack\":" + ack);
        return (String) h.request("{\"cmd\":\"client\",\"name\":\"" + name + "\",\"server\":" + server + ",\"nsp\":\"" + nsp + "\",\"rooms\":"
                + rooms + extra + "}").get("sid");
    }

    /** a (server 0, room vip, data, acks), b (server 1, vip and muted, acks), c (server 1, silent). */
    private static String[] people(String nsp) throws Exception {
        String a = client(nsp + "a", 0, nsp, "[\"vip\"]", "{\"user\":42}", "\"a-ok\"");
        String b = client(nsp + "b", 1, nsp, "[\"vip\",\"muted\"]", null, "\"b-ok\"");
        String c = client(nsp + "c", 1, nsp, "[]", null, null);
        h.request("{\"cmd\":\"wait_subscribed\",\"nsp\":\"" + nsp + "\"}");
        return new String[] {a, b, c};
    }

    private static Set<String> ids(FetchedSockets found) {
        Set<String> out = new HashSet<>();
        found.sockets().forEach(s -> out.add(s.id()));
        return out;
    }

    private static List<Object> sorted(List<Object> values) {
        List<Object> out = new ArrayList<>(values);
        out.sort((x, y) -> String.valueOf(x).compareTo(String.valueOf(y)));
        return out;
    }

    @Test
    void fetchSocketsServerCountAndRooms() throws Exception {
        String[] p = people("/j-ask");
        try (Emitter root = Emitter.connect(h.redisUrl)) {
            Emitter io = root.of("/j-ask");
            assertEquals(2, io.serverCount());
            assertEquals(0, root.of("/j-ask-nobody").serverCount());

            FetchedSockets all = io.fetchSockets();
            assertEquals(Set.of(p[0], p[1], p[2]), ids(all));
            assertTrue(all.complete());
            assertEquals(2, all.serversAnswered());
            assertEquals(0, all.serversMissing());
            RemoteSocket a = all.sockets().stream().filter(s -> s.id().equals(p[0])).findFirst().orElseThrow();
            assertEquals(Set.of(p[0], "vip"), new HashSet<>(a.rooms()));
            assertEquals(Map.of("user", 42L), a.data());
            assertEquals("127.0.0.1", a.handshake().get("address"));

            assertEquals(Set.of(p[0]), ids(io.to("vip").except("muted").fetchSockets(Duration.ofSeconds(10))));

            AllRooms rooms = io.allRooms();
            assertEquals(Set.of("vip", "muted", p[0], p[1], p[2]), new HashSet<>(rooms.rooms()));
            assertEquals(5, rooms.rooms().size());
            assertTrue(rooms.complete());
        }
    }

    @Test
    void serverSideEmitWithAck() throws Exception {
        h.request("{\"cmd\":\"wait_subscribed\",\"nsp\":\"/j-ask-sse\"}");
        try (Emitter root = Emitter.connect(h.redisUrl)) {
            Emitter io = root.of("/j-ask-sse");
            ServerAcks acks = io.serverSideEmitWithAck("ask_me", Map.of("q", 1));
            assertEquals(List.of(Map.of("server", 0L, "event", "ask_me"), Map.of("server", 1L, "event", "ask_me")), sorted(acks.responses()));
            assertEquals(2, acks.serversAnswered());
            assertTrue(acks.complete());

            assertEquals(2, io.serverSideEmitWithAck("ask_me", (Object) new byte[] {1, 2}).serversAnswered(), "with binary");

            // Handlers of server_event never acknowledge: both servers are missing.
            ServerAcks silent = io.serverSideEmitWithAck("server_event", SHORT, "hello");
            assertEquals(List.of(), silent.responses());
            assertEquals(2, silent.serversMissing());
            assertFalse(silent.complete());
        }
        List<Object> reached = new ArrayList<>();
        for (Map<String, Object> l : h.flushAndTake()) {
            if ("server_event".equals(l.get("type")) && List.of("hello").equals(l.get("args"))) {
                reached.add(l.get("server"));
            }
        }
        assertEquals(List.of(0.0, 1.0), sorted(reached));
    }

    @Test
    void emitWithAckReportsSilentClients() throws Exception {
        people("/j-ask-ack");
        try (Emitter root = Emitter.connect(h.redisUrl)) {
            Emitter io = root.of("/j-ask-ack");
            ClientAcks vip = io.to("vip").emitWithAck("question", "?");
            assertEquals(List.of("a-ok", "b-ok"), sorted(vip.responses()));
            assertEquals(2, vip.clientsTargeted());
            assertTrue(vip.complete());

            // c never answers: the result says so when the time is up.
            ClientAcks partial = io.emitWithAck("question", SHORT);
            assertEquals(List.of("a-ok", "b-ok"), sorted(partial.responses()));
            assertEquals(3, partial.clientsTargeted());
            assertEquals(1, partial.clientsMissing());
            assertFalse(partial.complete());
        }
        Map<String, List<List<Object>>> ev = events(h.flushAndTake());
        assertEquals(List.of("question"), names(ev, "/j-ask-ackc"));
        assertEquals(List.of("question", "question"), names(ev, "/j-ask-acka"));
    }

    @Test
    void concurrentRequestsGetTheirOwnAnswers() throws Exception {
        String[] p = people("/j-ask-many");
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try (Emitter root = Emitter.connect(h.redisUrl)) {
            Emitter io = root.of("/j-ask-many");
            List<Future<FetchedSockets>> results = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                Emitter target = i % 2 == 1 ? io.to("vip") : io.except("vip");
                results.add(pool.submit(() -> target.fetchSockets()));
            }
            for (int i = 0; i < 100; i++) {
                FetchedSockets got = results.get(i).get();
                assertEquals(i % 2 == 1 ? Set.of(p[0], p[1]) : Set.of(p[2]), ids(got), "request " + i);
                assertTrue(got.complete(), "request " + i);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void badInputAndClosedEmitters() throws Exception {
        Emitter io = Emitter.connect(h.redisUrl);
        throwsCode("INVALID_ARGUMENT", () -> io.fetchSockets(Duration.ofSeconds(-1)));
        throwsCode("INVALID_ARGUMENT", () -> io.allRooms(Duration.ZERO));
        throwsCode("INVALID_ARGUMENT", () -> io.allRooms(Duration.ofHours(25)));
        throwsCode("INVALID_ARGUMENT", () -> io.allRooms(Duration.ofSeconds(Long.MAX_VALUE)));
        throwsCode("NULL_ARGUMENT", () -> io.emitWithAck("q", (Duration) null));
        throwsCode("RESERVED_EVENT", () -> io.emitWithAck("connect"));
        throwsCode("ENCODE", () -> io.serverSideEmitWithAck("q", SHORT, new Object()));
        io.close();
        throwsCode("CLOSED", () -> io.fetchSockets());
        throwsCode("CLOSED", () -> io.serverCount());
    }

    /** A server stopped before the request is not waited for: Redis no longer counts it. */
    @Test
    void aStoppedServerIsNotWaitedFor() throws Exception {
        try (Harness own = new Harness("--servers", "2")) {
            String live = (String) own.request("{\"cmd\":\"client\",\"name\":\"live\",\"server\":0,\"nsp\":\"/j-stop\"}").get("sid");
            own.request("{\"cmd\":\"client\",\"name\":\"gone\",\"server\":1,\"nsp\":\"/j-stop\"}");
            own.request("{\"cmd\":\"wait_subscribed\",\"nsp\":\"/j-stop\"}");
            own.request("{\"cmd\":\"kill_server\",\"server\":1}");
            try (Emitter root = Emitter.connect(own.redisUrl)) {
                Emitter io = root.of("/j-stop");
                assertEquals(1, io.serverCount());
                FetchedSockets found = io.fetchSockets();
                assertEquals(Set.of(live), ids(found));
                assertEquals(1, found.serversAnswered());
                assertTrue(found.complete());
            }
        }
    }

    @Test
    void theReadmeBlockRuns() throws Exception {
        String a = client("docs-a", 0, "/j-ask-docs", "[\"vip\"]", "{\"user\":7}", "\"yes\"");
        String b = client("docs-b", 1, "/j-ask-docs", "[\"vip\"]", null, "\"yes\"");
        client("docs-c", 1, "/j-ask-docs", "[]", null, null);
        h.request("{\"cmd\":\"wait_subscribed\",\"nsp\":\"/j-ask-docs\"}");
        List<String> ids = new ArrayList<>();
        try (Emitter root = Emitter.connect(h.redisUrl)) {
            Emitter io = root.of("/j-ask-docs");

            // snippet: ask
            long servers = io.serverCount(); // servers of the namespace, as Redis counts them
            // The sockets in room "vip" on every server; wait at most 2 s for the servers' answers.
            FetchedSockets found = io.to("vip").fetchSockets(Duration.ofSeconds(2));
            for (RemoteSocket s : found.sockets()) { // s.id(), s.rooms(), s.data(), s.handshake()
                ids.add(s.id());
            }
            long late = found.serversMissing(); // servers that did not answer in time (then !found.complete())

            // A broadcast that the clients acknowledge; without a timeout it waits at most 5 s.
            ClientAcks acks = io.to("vip").emitWithAck("question", "still there?");
            List<Object> answers = acks.responses(); // one per acknowledging client
            long silent = acks.clientsMissing();

            // The servers' handlers of "ask_me" acknowledge: one response per server.
            ServerAcks handlers = io.serverSideEmitWithAck("ask_me", Duration.ofSeconds(3), Map.of("q", 1));
            // end snippet

            assertEquals(2, servers);
            assertEquals(Set.of(a, b), new HashSet<>(ids));
            assertEquals(0, late);
            assertEquals(List.of("yes", "yes"), answers);
            assertEquals(0, silent);
            assertEquals(2, handlers.responses().size());
        }
    }
}
