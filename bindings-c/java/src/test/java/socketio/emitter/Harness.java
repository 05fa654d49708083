// SPDX-License-Identifier: MIT
package socketio.emitter;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A Java client of the interop harness (tests/harness/README.md). Commands are JSON text. */
@SuppressWarnings("try")
final class Harness implements AutoCloseable {
    private final Process proc;
    private final OutputStream stdin;
    private final Map<Long, Map<String, Object>> replies = new HashMap<>();
    private final List<Map<String, Object>> observed = new ArrayList<>();
    private boolean exited;
    private long nextId;
    final String redisUrl;
    /** The whole ready line (topology fields: redis_nodes, sentinel_urls, sentinel_master, ...). */
    final Map<String, Object> ready;

    @SuppressWarnings("unchecked")
    Harness(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("node", Path.of("../../tests/harness/harness.js").toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        proc = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        stdin = proc.getOutputStream();
        BufferedReader out = new BufferedReader(new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8));
        ready = (Map<String, Object>) MiniJson.parse(out.readLine());
        if (!"ready".equals(ready.get("type"))) {
            throw new IllegalStateException("harness failed to start: " + ready);
        }
        redisUrl = (String) ready.get("redis_url");
        Thread reader = new Thread(() -> {
            try {
                for (String line; (line = out.readLine()) != null; ) {
                    Map<String, Object> msg = (Map<String, Object>) MiniJson.parse(line);
                    synchronized (this) {
                        if ("reply".equals(msg.get("type")) && msg.get("id") instanceof Double id) {
                            replies.put(id.longValue(), msg);
                        } else {
                            observed.add(msg);
                        }
                        notifyAll();
                    }
                }
            } catch (IOException ignored) {
                // the harness exited
            }
            synchronized (this) {
                exited = true;
                notifyAll();
            }
        });
        reader.setDaemon(true);
        reader.start();
    }

    /** Sends a command (a JSON object without "id") and waits for its reply; throws on ok:false. */
    synchronized Map<String, Object> request(String json) throws Exception {
        long id = ++nextId;
        stdin.write(("{\"id\":" + id + "," + json.substring(1) + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
        long deadline = System.currentTimeMillis() + 60_000;
        while (!replies.containsKey(id)) {
            if (exited || System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("no reply to " + json);
            }
            wait(1000);
        }
        Map<String, Object> reply = replies.remove(id);
        if (!Boolean.TRUE.equals(reply.get("ok"))) {
            throw new IllegalStateException("harness command " + json + " failed: " + reply.get("error"));
        }
        return reply;
    }

    /** Connects clients in nsp: each is {name, server, roomsJson}; waits for both servers there. */
    void clients(String nsp, String[]... clients) throws Exception {
        for (String[] c : clients) {
            request("{\"cmd\":\"client\",\"name\":\"" + c[0] + "\",\"server\":" + c[1] + ",\"nsp\":\"" + nsp + "\",\"rooms\":" + c[2] + "}");
        }
        request("{\"cmd\":\"wait_subscribed\",\"nsp\":\"" + nsp + "\"}");
    }

    /**
     * The harness's buffered diagnostics (its own messages, Redis' log, every server's stderr),
     * oldest first; {@code clear} empties the buffer.
     */
    String logs(boolean clear) throws Exception {
        Object text = request("{\"cmd\":\"logs\",\"clear\":" + clear + "}").get("logs");
        return text instanceof String s ? s : "";
    }

    /** Flushes, then removes and returns every observation so far. */
    synchronized List<Map<String, Object>> flushAndTake() throws Exception {
        request("{\"cmd\":\"flush\"}");
        List<Map<String, Object>> out = new ArrayList<>(observed);
        observed.clear();
        return out;
    }

    @Override
    public void close() throws Exception {
        try {
            request("{\"cmd\":\"shutdown\"}");
        } catch (Exception ignored) {
            // already gone
        }
        stdin.close();
        if (!proc.waitFor(10, TimeUnit.SECONDS)) {
            proc.destroyForcibly();
        }
    }
}
