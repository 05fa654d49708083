// The Java runner of `make bench`, over bindings-c/java (JNA to libsocketio_emitter).
//
//   java -cp <classes>:jna.jar -Djna.library.path=<lib dir> BenchRunner URL PAYLOAD sync|queue SECONDS WARMUP
//
// The JSON payloads are read from bench/payloads.json (-Dbench.payloads=FILE) into
// LinkedHashMap / ArrayList / Long / String, as a Java service would build them; bin64k is a
// byte[]. sync: emit() one at a time; queue: enqueue() until the time is up, then one flush().
// Prints {"ops":N,"secs":S,"receivers":R,"cpu_s":C}: C is the JVM's CPU time (user + system,
// every thread: JIT and GC count, as they do for a user) in the timed run.

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import socketio.emitter.Emitter;

public final class BenchRunner {
    private static final int CHECK_EVERY = 128;

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: BenchRunner URL PAYLOAD sync|queue SECONDS WARMUP");
            System.exit(2);
        }
        String url = args[0], name = args[1], mode = args[2];
        double seconds = Double.parseDouble(args[3]), warmup = Double.parseDouble(args[4]);
        Object arg = payload(name);
        Emitter io = Emitter.connect(url);
        Emitter room = io.to("room1");
        run(room, arg, mode, warmup);
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpuStart = os.getProcessCpuTime();
        long[] r = run(room, arg, mode, seconds);
        double cpuSecs = (os.getProcessCpuTime() - cpuStart) / 1e9;
        io.close();
        System.out.printf("{\"ops\":%d,\"secs\":%.6f,\"receivers\":%d,\"cpu_s\":%.6f}%n",
                r[0], r[1] / 1e9, r[2], cpuSecs);
    }

    /** Returns {ops, nanoseconds, receivers}. */
    static long[] run(Emitter room, Object arg, String mode, double seconds) {
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long ops = 0, receivers = 0;
        boolean sync = mode.equals("sync");
        while (System.nanoTime() < end) {
            for (int i = 0; i < CHECK_EVERY; i++) {
                if (sync) {
                    receivers += room.emit("bench", arg);
                } else {
                    room.enqueue("bench", arg);
                }
            }
            ops += CHECK_EVERY;
        }
        if (!sync) {
            receivers = room.flush()[1];
        }
        return new long[] {ops, System.nanoTime() - start, receivers};
    }

    static Object payload(String name) throws Exception {
        if (name.equals("bin64k")) {
            byte[] b = new byte[65536];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) ((i * 31 + 7) % 256);
            }
            return b;
        }
        String file = System.getProperty("bench.payloads", "bench/payloads.json");
        String text = Files.readString(Path.of(file), StandardCharsets.UTF_8);
        @SuppressWarnings("unchecked")
        Map<String, Object> all = (Map<String, Object>) new Parser(text).value();
        return all.get(name);
    }

    /** Just enough JSON for payloads.json: objects, arrays, strings without escapes, integers. */
    static final class Parser {
        private final String s;
        private int i;

        Parser(String s) {
            this.s = s;
        }

        Object value() {
            skip();
            char c = s.charAt(i);
            if (c == '{') {
                Map<String, Object> m = new LinkedHashMap<>();
                i++;
                skip();
                if (s.charAt(i) == '}') {
                    i++;
                    return m;
                }
                while (true) {
                    skip();
                    String k = string();
                    skip();
                    i++; // ':'
                    m.put(k, value());
                    skip();
                    if (s.charAt(i++) == '}') {
                        return m;
                    }
                }
            }
            if (c == '[') {
                List<Object> l = new ArrayList<>();
                i++;
                skip();
                if (s.charAt(i) == ']') {
                    i++;
                    return l;
                }
                while (true) {
                    l.add(value());
                    skip();
                    if (s.charAt(i++) == ']') {
                        return l;
                    }
                }
            }
            if (c == '"') {
                return string();
            }
            int start = i;
            while (i < s.length() && "-0123456789".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
            return Long.parseLong(s.substring(start, i));
        }

        private String string() {
            int start = ++i;
            while (s.charAt(i) != '"') {
                i++;
            }
            return s.substring(start, i++);
        }

        private void skip() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }
    }
}
