// SPDX-License-Identifier: MIT
package socketio.emitter;

import static socketio.emitter.EmitterTest.check;
import static socketio.emitter.EmitterTest.same;
import static socketio.emitter.EmitterTest.throwsCode;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Faults, each test with a harness
 * of its own (one Socket.IO server) so that stopping Redis disturbs no other test: the
 * bad-input table, the call bound with Redis stopped, close with a timeout and 10k queued
 * emits, flush reports with FLUSH, and SIGPIPE in a child JVM while Redis is killed and
 * restarted. {@code main} is that child.
 */
@SuppressWarnings("try")
final class FaultsTest {
    private static final Duration CONNECT = Duration.ofMillis(500);
    private static final Duration RESPONSE = Duration.ofMillis(500);
    private static final long SLACK_MS = 1500;
    private static final String PASSWORD = "s3cret-pw";
    /** A node where nobody listens, with a password. */
    private static final String NODE = "redis://alice:" + PASSWORD + "@127.0.0.1:1";

    /** Options that give up on an unreachable server quickly. */
    private static Options quick() {
        return new Options().connectTimeout(Duration.ofMillis(300)).responseTimeout(Duration.ofMillis(300))
                .reconnect(Duration.ofMillis(10), Duration.ofMillis(20), 1);
    }


    private interface Call {
        void run() throws Exception;
    }

    private record Row(String name, Call call, String code, String needle) {}

    /** The code a call throws ("OK" when it returns) and its message. */
    private static String[] outcome(Call call) throws Exception {
        try {
            call.run();
            return new String[] {"OK", ""};
        } catch (EmitterException e) {
            return new String[] {e.getErrorCode(), e.getMessage()};
        }
    }

    private static Object nested(int levels) {
        Object v = 1;
        for (int i = 0; i < levels; i++) {
            v = List.of(v);
        }
        return v;
    }

    private static Call connect(String url, Options o) {
        return () -> Emitter.connect(url, o).close();
    }

    /** Waits until client received event (the harness's flush barrier collects the lines). */
    private static void waitEvent(Harness fh, String client, String event) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            for (Map<String, Object> l : fh.flushAndTake()) {
                if ("event".equals(l.get("type")) && client.equals(l.get("client")) && event.equals(l.get("event"))) {
                    return;
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError(client + " did not receive " + event);
    }

    @Test
    void testFaultsBadInputs() throws Exception {
        try (Harness fh = new Harness("--servers", "1");
                Emitter io = Emitter.connect(fh.redisUrl);
                Emitter small = Emitter.connect(fh.redisUrl, new Options().maxPayloadBytes(1024))) {
            String url = fh.redisUrl;
            String hostPort = url.substring("redis://".length());
            String big = "x".repeat(2000);
            List<Row> rows = List.of(
                    new Row("negative duration", connect(url, new Options().connectTimeout(Duration.ofMillis(-5))), "INVALID_ARGUMENT", "connect_timeout_ms"),
                    new Row("duration past a day", connect(url, new Options().responseTimeout(Duration.ofHours(25))), "INVALID_ARGUMENT", "response_timeout_ms"),
                    new Row("huge duration", connect(url, new Options().connectTimeout(Duration.ofSeconds(Long.MAX_VALUE))), "INVALID_ARGUMENT", "connect_timeout_ms"),
                    new Row("zero timeout", connect(url, new Options().connectTimeout(Duration.ZERO)), "INVALID_ARGUMENT", "connect_timeout_ms"),
                    new Row("negative delay", connect(url, new Options().reconnect(Duration.ofMillis(-1), Duration.ofSeconds(1), 3)), "INVALID_ARGUMENT", "reconnect_min_delay_ms"),
                    new Row("delays out of order", connect(url, new Options().reconnect(Duration.ofSeconds(5), Duration.ofSeconds(1), 3)), "INVALID_ARGUMENT", "reconnect_min_delay_ms"),
                    new Row("attempts", connect(url, new Options().reconnect(Duration.ofMillis(10), Duration.ofMillis(20), 1001)), "INVALID_ARGUMENT", "reconnect_attempts"),
                    new Row("negative attempts", connect(url, new Options().reconnect(Duration.ofMillis(10), Duration.ofMillis(20), -1)), "INVALID_ARGUMENT", "attempts"),
                    new Row("queue capacity 0", connect(url, new Options().queue(0, false)), "INVALID_ARGUMENT", "queue_capacity"),
                    new Row("queue capacity 2^62", connect(url, new Options().queue(1L << 62, false)), "INVALID_ARGUMENT", "queue_capacity"),
                    new Row("queue capacity 2^32", connect(url, new Options().queue(1L << 32, false)), "INVALID_ARGUMENT", "4294967295"),
                    new Row("queue capacity negative", connect(url, new Options().queue(-1, false)), "INVALID_ARGUMENT", "queue capacity"),
                    new Row("max payload 0", connect(url, new Options().maxPayloadBytes(0)), "INVALID_ARGUMENT", "max_payload_bytes"),
                    new Row("unknown adapter", connect(url, new Options().adapter("kafka")), "INVALID_ARGUMENT", "adapter must be one of \"classic\", \"sharded\", \"streams\""),
                    new Row("unknown subscription mode", connect(url, new Options().adapter("sharded").subscriptionMode("private")), "INVALID_ARGUMENT",
                            "\"static\", \"dynamic\", \"dynamic-private\""),
                    new Row("max payload past 512 MiB", connect(url, new Options().maxPayloadBytes((512L << 20) + 1)), "INVALID_ARGUMENT", "max_payload_bytes"),
                    new Row("flush timeout negative", () -> io.flush(Duration.ofMillis(-1)), "INVALID_ARGUMENT", "timeout_ms"),
                    new Row("flush timeout past a day", () -> io.flush(Duration.ofDays(2)), "INVALID_ARGUMENT", "timeout_ms"),
                    new Row("close timeout negative", () -> io.close(Duration.ofSeconds(-1)), "INVALID_ARGUMENT", "timeout_ms"),
                    new Row("max_payload_bytes exceeded", () -> small.emit("ev", big), "ENCODE", "max_payload_bytes"),
                    new Row("max_payload_bytes exceeded, queued", () -> small.enqueue("ev", (Object) big.getBytes()), "ENCODE", "max_payload_bytes"),
                    new Row("payload that fits", () -> small.emit("ev", "small"), "OK", ""),
                    new Row("empty event name", () -> io.emit(""), "INVALID_ARGUMENT", "event"),
                    new Row("empty event name, queued", () -> io.enqueue(""), "INVALID_ARGUMENT", "event"),
                    new Row("empty event name, server-side", () -> io.serverSideEmit(""), "INVALID_ARGUMENT", "event"),
                    new Row("reserved event", () -> io.emit("disconnecting"), "RESERVED_EVENT", "disconnecting"),
                    new Row("nesting at the limit", () -> io.emit("ev", nested(512)), "OK", ""),
                    new Row("nesting past the limit", () -> io.emit("ev", nested(513)), "ENCODE", "512"),
                    new Row("nesting far past the limit", () -> io.emit("ev", nested(5000)), "ENCODE", "512"),
                    new Row("invalid UTF-16 event", () -> io.emit("e\ud800v"), "INVALID_UTF8", "event"),
                    new Row("invalid UTF-16 argument", () -> io.emit("ev", Map.of("k", "bad\udc00")), "INVALID_UTF8", ""),
                    new Row("invalid UTF-16 room", () -> io.to("r\ud800").emit("ev"), "INVALID_UTF8", "room"),
                    new Row("unencodable argument", () -> io.emit("ev", Double.NaN), "ENCODE", ""),
                    new Row("argument JSON cannot express", () -> io.emit("ev", new Object()), "ENCODE", ""),
                    new Row("http URL", connect("http://127.0.0.1:6379", new Options()), "INVALID_ARGUMENT", "redis://"),
                    new Row("empty URL", connect("", new Options()), "INVALID_ARGUMENT", "URL"),
                    new Row("unix URL", connect("unix:///tmp/redis.sock", new Options()), "INVALID_ARGUMENT", "redis://"),
                    new Row("password in a bad URL", connect("http://alice:" + PASSWORD + "@127.0.0.1", new Options()), "INVALID_ARGUMENT", "redis://"),
                    new Row("password, refused", connect("redis://alice:" + PASSWORD + "@127.0.0.1:1",
                            new Options().connectTimeout(Duration.ofMillis(300)).responseTimeout(Duration.ofMillis(300))), "CONNECTION", "refused"),
                    new Row("password, wrong", connect("redis://alice:" + PASSWORD + "@" + hostPort, new Options()), "CONNECTION", ""),
                    // Redis Cluster and Sentinel: the messages name the option, no password shows.
                    new Row("empty cluster node", connect(null, new Options().clusterNodes("")), "INVALID_ARGUMENT", "cluster_nodes"),
                    new Row("http cluster node", connect(null, new Options().clusterNodes("http://alice:" + PASSWORD + "@127.0.0.1:7000")),
                            "INVALID_ARGUMENT", "cluster_nodes: each node must be a redis:// or rediss:// URL"),
                    new Row("cluster node without a host", connect(null, new Options().clusterNodes("redis://alice:" + PASSWORD + "@")), "INVALID_ARGUMENT", "cluster_nodes"),
                    new Row("cluster node not a URL", connect(null, new Options().clusterNodes("not a url " + PASSWORD)), "INVALID_ARGUMENT", "cluster_nodes"),
                    new Row("null cluster node", connect(null, new Options().clusterNodes(NODE, null)), "NULL_ARGUMENT", "cluster_nodes[1]"),
                    new Row("invalid UTF-16 cluster node", connect(null, new Options().clusterNodes("redis://h\ud800:1")), "INVALID_UTF8", "cluster_nodes"),
                    new Row("cluster nodes mixing schemes", connect(null, new Options().clusterNodes(List.of("redis://a:1", "rediss://b:1"))),
                            "INVALID_ARGUMENT", "mixes redis:// and rediss://"),
                    new Row("url and cluster nodes", connect("redis://bob:" + PASSWORD + "@10.0.0.1:6379", new Options().clusterNodes(NODE)),
                            "INVALID_ARGUMENT", "set either url or cluster_nodes"),
                    new Row("cluster, classic and requireReceivers", connect(null, new Options().clusterNodes(NODE).requireReceivers(true)),
                            "INVALID_ARGUMENT", "require_receivers"),
                    new Row("cluster and sentinels", connect(null, new Options().clusterNodes(NODE).sentinelMaster("m").sentinelNodes(NODE)),
                            "INVALID_ARGUMENT", "set either cluster_nodes or sentinel_master"),
                    new Row("cluster unreachable", connect(null, quick().clusterNodes(NODE)), "CONNECTION", ""),
                    new Row("no url and no cluster", connect(null, new Options()), "NULL_ARGUMENT", "url"),
                    new Row("empty sentinel master", connect(null, new Options().sentinelMaster("").sentinelNodes(NODE)), "INVALID_ARGUMENT", "sentinel_master"),
                    new Row("invalid UTF-16 sentinel master", connect(null, new Options().sentinelMaster("m\udc00").sentinelNodes(NODE)),
                            "INVALID_UTF8", "sentinel_master"),
                    new Row("sentinel master without sentinels", connect(null, new Options().sentinelMaster("mymaster")),
                            "INVALID_ARGUMENT", "sentinel_master needs sentinel_nodes"),
                    new Row("sentinels without a master", connect(null, new Options().sentinelNodes(NODE)), "INVALID_ARGUMENT", "sentinel_master"),
                    new Row("empty sentinel node", connect(null, new Options().sentinelMaster("mymaster").sentinelNodes("")), "INVALID_ARGUMENT", "sentinel_nodes"),
                    new Row("null sentinel node", connect(null, new Options().sentinelMaster("mymaster").sentinelNodes((String) null)),
                            "NULL_ARGUMENT", "sentinel_nodes[0]"),
                    new Row("http sentinel node", connect(null, new Options().sentinelMaster("mymaster").sentinelNodes("http://:" + PASSWORD + "@127.0.0.1:26379")),
                            "INVALID_ARGUMENT", "sentinel_nodes: each node must be a redis:// or rediss:// URL"),
                    new Row("sentinels mixing schemes", connect(null, new Options().sentinelMaster("mymaster").sentinelNodes("redis://a:1", "rediss://b:1")),
                            "INVALID_ARGUMENT", "mixes redis:// and rediss://"),
                    new Row("sentinel, http url", connect("http://:" + PASSWORD + "@m", new Options().sentinelMaster("mymaster").sentinelNodes(NODE)),
                            "INVALID_ARGUMENT", "redis://"),
                    new Row("sentinels unreachable", connect("redis://:" + PASSWORD + "@m/1", quick().sentinelMaster("mymaster").sentinelNodes(NODE)),
                            "CONNECTION", ""));
            for (Row r : rows) {
                String[] got = outcome(r.call());
                same(got[0], r.code(), r.name() + " (" + got[1] + ")");
                check(got[1].contains(r.needle()), r.name() + ": '" + r.needle() + "' not in: " + got[1]);
                check(!got[1].contains("s3cret"), r.name() + ": the password shows: " + got[1]);
            }
            same(EmitterException.INTERNAL, "INTERNAL", "the INTERNAL code");
            same(io.emit("still-open"), 1L, "a close with a bad timeout closes nothing");
        }
    }

    @Test
    void testFaultsCallBoundsWithRedisStopped() throws Exception {
        try (Harness fh = new Harness("--servers", "1")) {
            fh.clients("/faults-q", new String[] {"fq", "0", "[]"});
            Emitter io = Emitter.connect(fh.redisUrl, new Options().connectTimeout(CONNECT).responseTimeout(RESPONSE));
            // Published before Redis goes: 100 to a namespace no server has, then one a client
            // sees (the queue keeps order, so once it arrived the others were published too).
            for (int i = 0; i < 100; i++) {
                io.of("/nobody-listens").enqueue("lost", i);
            }
            io.of("/faults-q").enqueue("last");
            waitEvent(fh, "fq", "last");
            // Redis wrote its replies to us in the same pass as the message the client saw.
            fh.request("{\"cmd\":\"redis_stop\"}");

            long bound = CONNECT.toMillis() + RESPONSE.toMillis() + SLACK_MS;
            Pattern cause = Pattern.compile("refused|end of file|reset|broken pipe", Pattern.CASE_INSENSITIVE);
            for (int i = 0; i < 3; i++) {
                int n = i;
                long start = System.nanoTime();
                String[] got = outcome(() -> io.emit("down", n));
                long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                System.out.println("  emit with Redis stopped: " + took + " ms (bound 500 + 500 ms)");
                same(got[0], "CONNECTION", "emit with Redis stopped (" + got[1] + ")");
                check(cause.matcher(got[1]).find(), "the cause is named: " + got[1]);
                check(took <= bound, "emit took " + took + " ms, bound " + bound);
            }

            int n = 10_000;
            List<Long> tickets = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                tickets.add(io.enqueue("q", i));
            }
            long start = System.nanoTime();
            EmitterException caught = null;
            try {
                io.close(Duration.ofSeconds(1));
            } catch (EmitterException e) {
                caught = e;
            }
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            System.out.println("  close(1 s) with " + n + " queued and Redis stopped: " + took + " ms");
            check(took <= 1000 + SLACK_MS, "close took " + took + " ms");
            check(caught != null && caught.getErrorCode().equals("FLUSH"), "close: " + caught);
            FlushReport r = caught.getReport();
            check(r != null && r.sent() + r.failed() == 101 + n && r.sent() >= 90
                    && r.reachedNone() == r.sent() - r.receivers() && caught.getFailures().size() == r.failed(),
                    "report with FLUSH: " + r + ", " + caught.getFailures().size() + " failures listed");
            Map<Long, String> failed = new HashMap<>();
            for (QueuedFailure f : caught.getFailures()) {
                failed.put(f.ticket(), f.code());
            }
            for (long t : tickets) {
                String c = failed.get(t);
                check("CONNECTION".equals(c) || "TIMEOUT".equals(c), "ticket " + t + " reported as " + c);
            }
            throwsCode("CLOSED", () -> io.emit("late"));
            fh.request("{\"cmd\":\"redis_start\"}");
        }
    }

    /** libc's signal(2), to give the child JVM the default SIGPIPE action. */
    interface LibC extends Library {
        Pointer signal(int sig, Pointer handler);
    }

    @Test
    void testFaultsSigpipeNeverReachesTheHost() throws Exception {
        try (Harness fh = new Harness("--servers", "1")) {
            String java = ProcessHandle.current().info().command().orElse("java");
            for (int run = 1; run <= 3; run++) {
                Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                        "-D" + NativeLoader.PROPERTY + "=" + System.getProperty(NativeLoader.PROPERTY, ""),
                        "socketio.emitter.FaultsTest", fh.redisUrl)
                        .redirectError(ProcessBuilder.Redirect.INHERIT)
                        .start();
                // The child reports its blocking emits' fate (see main): the test stops Redis
                // once one went through, and starts it again once one failed.
                BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
                BlockingQueue<String> said = new LinkedBlockingQueue<>();
                Thread reader = new Thread(() -> {
                    try {
                        for (String l; (l = out.readLine()) != null; ) {
                            said.add(l);
                        }
                    } catch (java.io.IOException ignored) {
                        // the child exited
                    }
                });
                reader.setDaemon(true);
                reader.start();
                same(said.poll(60, TimeUnit.SECONDS), "ready", "run " + run + ": the child connected");
                same(said.poll(60, TimeUnit.SECONDS), "ok", "run " + run + ": an emit went through");
                fh.request("{\"cmd\":\"redis_stop\"}");
                same(said.poll(60, TimeUnit.SECONDS), "down", "run " + run + ": an emit failed with Redis stopped");
                fh.request("{\"cmd\":\"redis_start\"}");
                same(said.poll(60, TimeUnit.SECONDS), "up", "run " + run + ": emits went through again");
                child.getOutputStream().close();
                check(child.waitFor(60, TimeUnit.SECONDS), "run " + run + ": the child did not finish");
                // 141 = 128 + SIGPIPE (13): killed by the signal.
                same(child.exitValue(), 0, "run " + run + ": the child's exit status (141: SIGPIPE)");
            }
        }
    }

    /**
     * The SIGPIPE child: `FaultsTest REDIS_URL`. Restores SIGPIPE's default action (the JVM
     * handles it otherwise), then enqueues and emits until stdin reaches EOF, printing "ready"
     * once connected, then "ok", "down" and "up" as its blocking emits go through, fail, and
     * go through again. Exit 0: only successes and typed errors were seen; 3: something else.
     */
    public static void main(String[] args) throws Exception {
        Native.load("c", LibC.class).signal(13, Pointer.NULL);
        Emitter io = Emitter.connect(args[0], new Options().connectTimeout(Duration.ofMillis(300))
                .responseTimeout(Duration.ofMillis(300)).reconnect(Duration.ofMillis(10), Duration.ofMillis(50), 20)
                .queue(2000, true));
        System.out.println("ready");
        System.out.flush();
        Thread eof = new Thread(() -> {
            try {
                System.in.transferTo(java.io.OutputStream.nullOutputStream());
            } catch (java.io.IOException ignored) {
                // EOF either way
            }
        });
        eof.setDaemon(true);
        eof.start();
        Map<String, Integer> counts = new HashMap<>();
        String state = "ready";
        int unexpected = 0;
        for (int i = 0; eof.isAlive(); i++) {
            String code = "OK";
            boolean blocking = false;
            try {
                if (i % 50 == 0) {
                    blocking = true;
                    io.emit("blocking", i);
                } else if (i % 500 == 1) {
                    io.flush(Duration.ofMillis(200));
                } else {
                    io.enqueue("queued", i);
                }
            } catch (EmitterException e) {
                code = e.getErrorCode();
            }
            // What the test waits for, from blocking emits only (enqueue succeeds with Redis down):
            // "ok" for the first success, "down" for the first failure after it, then "up".
            if (blocking) {
                String next = state.equals("ready") && code.equals("OK") ? "ok"
                        : state.equals("ok") && !code.equals("OK") ? "down"
                        : state.equals("down") && code.equals("OK") ? "up" : null;
                if (next != null) {
                    state = next;
                    System.out.println(state);
                    System.out.flush();
                }
            }
            if (List.of("OK", "CONNECTION", "TIMEOUT", "QUEUE_FULL", "FLUSH").contains(code)) {
                counts.merge(code, 1, Integer::sum);
            } else if (unexpected++ < 5) {
                System.err.println("child: unexpected " + code);
            }
            if (code.equals("QUEUE_FULL")) {
                Thread.sleep(1);
            }
        }
        try {
            io.close(Duration.ofSeconds(2));
        } catch (EmitterException e) {
            if (!e.getErrorCode().equals("FLUSH")) {
                unexpected++;
            }
        }
        System.err.println("child: " + counts);
        System.exit(unexpected == 0 ? 0 : 3);
    }
}
