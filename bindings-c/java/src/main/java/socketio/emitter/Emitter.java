// SPDX-License-Identifier: MIT
package socketio.emitter;

import static socketio.emitter.Connection.C;
import static socketio.emitter.Connection.arg;
import static socketio.emitter.Connection.check;
import static socketio.emitter.Connection.utf8;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import java.lang.ref.Reference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Publishes Socket.IO events into Redis like the official Node emitter.
 *
 * <pre>{@code
 * try (Emitter io = Emitter.connect("redis://127.0.0.1:6379")) {
 *     io.to("room1").emit("event", Map.of("a", 1), new byte[] {1, 2});
 * }
 * }</pre>
 *
 * <p>Immutable and thread-safe: {@code to/in/except/of/asVolatile/compress} return a new
 * Emitter on the same connection. {@code byte[]} arguments (at any depth) arrive as binary.
 * Failures throw {@link EmitterException} carrying the error code. {@link #close()} closes
 * the connection for every Emitter derived from it.
 */
public final class Emitter implements AutoCloseable {
    private record Op(char kind, String name, long id, boolean on) {}

    private final Connection conn;
    private final String nsp;
    private final List<Op> ops;
    private final Kept kept = new Kept();

    private Emitter(Connection conn, String nsp, List<Op> ops) {
        this.conn = conn;
        this.nsp = nsp;
        this.ops = ops;
    }

    /**
     * The target's C handle, kept from this Emitter's second call on so that a reused target
     * ({@code Emitter room = io.to("room1")}) is not rebuilt for every call, while a one-off
     * {@code io.to(x).emit(...)} still frees its handle at once. Freed when the Emitter is
     * garbage-collected.
     */
    private static final class Kept implements Runnable {
        private boolean used;
        volatile Pointer handle;

        /** Whether {@code h} is now kept (then freed when {@code owner} is unreachable). */
        synchronized boolean keep(Pointer h, Emitter owner) {
            if (!used || handle != null) {
                used = true;
                return false;
            }
            handle = h;
            Connection.CLEANER.register(owner, this);
            return true;
        }

        @Override
        public synchronized void run() {
            if (handle != null) {
                C.sioe_emitter_free(handle);
                handle = null;
            }
        }
    }

    public static Emitter connect(String url) {
        return connect(url, new Options());
    }

    /**
     * Connects to Redis at {@code url} ({@code redis://[user[:password]@]host[:port][/db]} or
     * {@code rediss://...}) with the options. With {@link Options#clusterNodes} the url must be
     * null; with sentinels ({@link Options#sentinelMaster}, {@link Options#sentinelNodes}) it
     * gives the master's credentials, database and TLS, or is null for none.
     */
    public static Emitter connect(String url, Options o) {
        Pointer opts = C.sioe_options_new();
        try {
            PointerByReference err = new PointerByReference();
            if (o.key != null) {
                byte[] k = utf8(o.key, "key");
                check(C.sioe_options_set_key(opts, arg(k), new NativeLib.SizeT(k.length), err), err);
            }
            if (o.adapter != null) {
                byte[] a = utf8(o.adapter, "adapter");
                check(C.sioe_options_set_adapter(opts, arg(a), new NativeLib.SizeT(a.length), err), err);
            }
            if (o.subscriptionMode != null) {
                byte[] m = utf8(o.subscriptionMode, "subscription_mode");
                check(C.sioe_options_set_subscription_mode(opts, arg(m), new NativeLib.SizeT(m.length), err), err);
            }
            if (o.sentinelMaster != null) {
                byte[] m = utf8(o.sentinelMaster, "sentinel_master");
                check(C.sioe_options_set_sentinel_master(opts, arg(m), new NativeLib.SizeT(m.length), err), err);
            }
            addNodes(opts, o.clusterNodes, "cluster_nodes", C::sioe_options_add_cluster_node, err);
            addNodes(opts, o.sentinelNodes, "sentinel_nodes", C::sioe_options_add_sentinel_node, err);
            if (o.tlsCaPem != null) {
                check(C.sioe_options_set_tls_ca_pem(opts, arg(o.tlsCaPem), new NativeLib.SizeT(o.tlsCaPem.length), err), err);
            }
            if (o.reconnectSet) {
                // Sets the delays to their defaults too; the durations below come after.
                check(C.sioe_options_set_reconnect(opts, 100, 2000, size("reconnect attempts", o.reconnectAttempts), err), err);
            }
            // Durations go to the C library in (fractional) milliseconds, negative ones
            // included, so that its bounds and messages apply.
            Duration[] durations = {o.connectTimeout, o.responseTimeout, o.reconnectSet ? o.reconnectMinDelay : null,
                o.reconnectSet ? o.reconnectMaxDelay : null};
            for (int which = 0; which < durations.length; which++) {
                if (durations[which] != null) {
                    check(C.sioe_options_set_duration_ms(opts, which, Connection.millis(durations[which]), err), err);
                }
            }
            if (o.queueMaxBytes != null) {
                check(C.sioe_options_set_queue_max_bytes(opts, size("queueMaxBytes", o.queueMaxBytes), err), err);
            }
            if (o.queueCapacity != null) {
                check(C.sioe_options_set_queue(opts, size("queue capacity", o.queueCapacity), o.queueFullError ? 1 : 0, err), err);
            }
            if (o.maxPayloadBytes != null) {
                check(C.sioe_options_set_max_payload_bytes(opts, size("maxPayloadBytes", o.maxPayloadBytes), err), err);
            }
            if (o.requireReceivers) {
                check(C.sioe_options_set_require_receivers(opts, true, err), err);
            }
            if (o.streamName != null) {
                byte[] n = utf8(o.streamName, "stream_name");
                check(C.sioe_options_set_stream_name(opts, arg(n), new NativeLib.SizeT(n.length), err), err);
            }
            if (o.streamCount != null) {
                check(C.sioe_options_set_stream_count(opts, (int) notNegative("streamCount", o.streamCount), err), err);
            }
            if (o.maxLen != null) {
                check(C.sioe_options_set_max_len(opts, notNegative("maxLen", o.maxLen), err), err);
            }
            if (o.streamsVersion != null) {
                byte[] v = utf8(o.streamsVersion, "streams_version");
                check(C.sioe_options_set_streams_version(opts, arg(v), new NativeLib.SizeT(v.length), err), err);
            }
            if (o.compat != null) {
                byte[] c = utf8(o.compat, "compat");
                check(C.sioe_options_set_compat(opts, arg(c), new NativeLib.SizeT(c.length), err), err);
            }
            // No URL (a cluster, or a master found through sentinels without credentials): NULL.
            byte[] u = url == null ? null : utf8(url, "url");
            PointerByReference out = new PointerByReference();
            check(C.sioe_connect(u == null ? null : arg(u), new NativeLib.SizeT(u == null ? 0 : u.length), opts, out, err), err);
            return new Emitter(new Connection(out.getValue()), "/", List.of());
        } finally {
            C.sioe_options_free(opts);
        }
    }

    /** The C function that adds one URL to a list option. */
    private interface AddNode {
        int add(Pointer opts, byte[] url, NativeLib.SizeT len, PointerByReference err);
    }

    private static void addNodes(Pointer opts, List<String> urls, String name, AddNode add, PointerByReference err) {
        if (urls == null) {
            return;
        }
        for (int i = 0; i < urls.size(); i++) {
            if (urls.get(i) == null) {
                throw new EmitterException(EmitterException.NULL_ARGUMENT, 1, name + "[" + i + "] is null");
            }
            byte[] b = utf8(urls.get(i), name);
            check(add.add(opts, arg(b), new NativeLib.SizeT(b.length), err), err);
        }
    }

    /** A count for C's size_t: a negative one would read as a huge number. */
    private static NativeLib.SizeT size(String name, long n) {
        return new NativeLib.SizeT(notNegative(name, n));
    }

    /** A count for C's unsigned types (size_t, uint32_t, uint64_t): never negative. */
    private static long notNegative(String name, long n) {
        if (n < 0) {
            throw new EmitterException(EmitterException.INVALID_ARGUMENT, -1, name + " must not be negative, got " + n);
        }
        return n;
    }

    private Emitter push(Op op) {
        List<Op> next = new ArrayList<>(ops);
        next.add(op);
        return new Emitter(conn, nsp, List.copyOf(next));
    }

    /** A namespace (a leading "/" is added when missing); rooms and flags start empty. */
    public Emitter of(String namespace) {
        return new Emitter(conn, namespace, List.of());
    }

    /** Adds a room: sockets in any of the target's rooms receive the event, once each. */
    public Emitter to(String room) {
        return push(new Op('t', room, 0, false));
    }

    /** Adds a numeric room (7 and "7" are different rooms in Socket.IO). */
    public Emitter to(long room) {
        return push(new Op('T', null, room, false));
    }

    public Emitter in(String room) {
        return to(room);
    }

    public Emitter except(String room) {
        return push(new Op('e', room, 0, false));
    }

    public Emitter except(long room) {
        return push(new Op('E', null, room, false));
    }

    /** Socket.IO's {@code volatile} flag ({@code volatile} is a Java keyword). */
    public Emitter asVolatile() {
        return push(new Op('v', null, 0, true));
    }

    public Emitter compress(boolean compress) {
        return push(new Op('c', null, 0, compress));
    }

    /** Runs {@code f} on this target's C handle, under the connection's read lock. */
    private <T> T withTarget(java.util.function.Function<Pointer, T> f) {
        conn.lock.readLock().lock();
        Pointer root = null;
        Pointer h = null;
        try {
            root = conn.root();
            h = target(root);
            return f.apply(h);
        } finally {
            if (h != null && h != root && h != kept.handle) {
                C.sioe_emitter_free(h); // built for this call only
            }
            conn.lock.readLock().unlock();
            Reference.reachabilityFence(this); // the cleaner must not free the kept handle during the call
        }
    }

    private <T> T run(BiFunction<Pointer, PointerByReference, T> f) {
        return withTarget(h -> f.apply(h, new PointerByReference()));
    }

    /** The root handle, the kept one, or a new one for this call (see {@link Kept}). */
    private Pointer target(Pointer root) {
        if (nsp.equals("/") && ops.isEmpty()) {
            return root;
        }
        Pointer h = kept.handle;
        if (h != null) {
            return h;
        }
        h = build(root);
        kept.keep(h, this);
        return h;
    }

    /** A new C handle for this target, derived from the root one step at a time. */
    private Pointer build(Pointer root) {
        PointerByReference err = new PointerByReference();
        List<Op> steps = new ArrayList<>();
        if (!nsp.equals("/")) {
            steps.add(new Op('o', nsp, 0, false));
        }
        steps.addAll(ops);
        Pointer h = root;
        for (Op op : steps) {
            PointerByReference out = new PointerByReference();
            int status;
            try {
                byte[] s = op.name() == null ? null : utf8(op.name(), op.kind() == 'o' ? "namespace" : "room");
                NativeLib.SizeT n = new NativeLib.SizeT(s == null ? 0 : s.length);
                status = switch (op.kind()) {
                    case 'o' -> C.sioe_emitter_of(h, arg(s), n, out, err);
                    case 't' -> C.sioe_emitter_to(h, arg(s), n, out, err);
                    case 'T' -> C.sioe_emitter_to_id(h, op.id(), out, err);
                    case 'e' -> C.sioe_emitter_except(h, arg(s), n, out, err);
                    case 'E' -> C.sioe_emitter_except_id(h, op.id(), out, err);
                    case 'v' -> C.sioe_emitter_volatile(h, out, err);
                    default -> C.sioe_emitter_compress(h, op.on(), out, err);
                };
            } finally {
                if (h != root) {
                    C.sioe_emitter_free(h); // only the last handle is kept
                }
            }
            check(status, err);
            h = out.getValue();
        }
        return h;
    }

    private interface EventCall {
        int call(Pointer h, byte[] ev, NativeLib.SizeT evLen, byte[] json, NativeLib.SizeT jsonLen, Pointer bufs,
                LongByReference out, PointerByReference err);
    }

    /** A C call on the target's handle with the event name, the JSON arguments and their binary parts. */
    private interface ArgsCall<T> {
        T call(Pointer h, byte[] ev, NativeLib.SizeT evLen, byte[] json, NativeLib.SizeT jsonLen, Pointer bufs, PointerByReference err);
    }

    private <T> T withArgs(String event, Object[] args, ArgsCall<T> f) {
        byte[] ev = utf8(event, "event");
        Json j = Json.encodeArgs(args);
        byte[] json = utf8(j.out.toString(), "arguments");
        return run((h, err) -> {
            Pointer bufs = j.parts.isEmpty() ? null : C.sioe_buffers_new();
            try {
                for (byte[] part : j.parts) {
                    check(C.sioe_buffers_add(bufs, arg(part), new NativeLib.SizeT(part.length), null, err), err);
                }
                return f.call(h, arg(ev), new NativeLib.SizeT(ev.length), json, new NativeLib.SizeT(json.length), bufs, err);
            } finally {
                if (bufs != null) {
                    C.sioe_buffers_free(bufs);
                }
            }
        });
    }

    /** An event call through {@link DirectLib}. */
    private interface DirectCall {
        int call(Pointer h, byte[] ev, long evLen, byte[] json, long jsonLen, Pointer bufs, long[] out, long[] err);
    }

    private long event(DirectCall direct, EventCall fn, String event, Object[] args) {
        if (!DirectLib.AVAILABLE) {
            return withArgs(event, args, (h, ev, evLen, json, jsonLen, bufs, err) -> {
                LongByReference out = new LongByReference();
                check(fn.call(h, ev, evLen, json, jsonLen, bufs, out, err), err);
                return out.getValue();
            });
        }
        byte[] ev = utf8(event, "event");
        Json j = Json.encodeArgs(args);
        byte[] json = utf8(j.out.toString(), "arguments");
        return withTarget(h -> {
            Pointer bufs = j.parts.isEmpty() ? null : buffers(j.parts);
            try {
                long[] out = new long[1];
                long[] err = new long[1];
                int status = direct.call(h, arg(ev), ev.length, json, json.length, bufs, out, err);
                if (status != 0) {
                    throw Connection.failure(status, err[0] == 0 ? null : new Pointer(err[0]));
                }
                return out[0];
            } finally {
                if (bufs != null) {
                    C.sioe_buffers_free(bufs);
                }
            }
        });
    }

    /** A C list of the binary parts; the caller frees it. */
    private static Pointer buffers(List<byte[]> parts) {
        Pointer bufs = C.sioe_buffers_new();
        PointerByReference err = new PointerByReference();
        try {
            for (byte[] part : parts) {
                check(C.sioe_buffers_add(bufs, arg(part), new NativeLib.SizeT(part.length), null, err), err);
            }
        } catch (RuntimeException e) {
            C.sioe_buffers_free(bufs);
            throw e;
        }
        return bufs;
    }

    /** Emits to the target's clients; returns how many Socket.IO servers received it. */
    public long emit(String event, Object... args) {
        return event(DirectLib::sioe_emitter_emit, C::sioe_emitter_emit, event, args);
    }

    /** Queues the emit and returns a ticket at once; {@link #flush()} reports failures. */
    public long enqueue(String event, Object... args) {
        return event(DirectLib::sioe_emitter_enqueue, C::sioe_emitter_enqueue, event, args);
    }

    /** Emits to the Socket.IO servers' serverSideEmit listeners. */
    public long serverSideEmit(String event, Object... args) {
        return event(DirectLib::sioe_emitter_server_side_emit, C::sioe_emitter_server_side_emit, event, args);
    }

    private long rooms(boolean join, Object... rooms) {
        for (Object r : rooms) {
            if (!(r instanceof String) && !(r instanceof Integer) && !(r instanceof Long)) {
                throw new EmitterException("INVALID_ARGUMENT", 4, "a room is a String or an integer, got " + r);
            }
        }
        byte[] json = utf8(Json.encodeArgs(rooms).out.toString(), "rooms");
        return run((h, err) -> {
            LongByReference n = new LongByReference();
            NativeLib.SizeT len = new NativeLib.SizeT(json.length);
            check(join ? C.sioe_emitter_sockets_join(h, json, len, n, err) : C.sioe_emitter_sockets_leave(h, json, len, n, err), err);
            return n.getValue();
        });
    }

    /** Makes the target's sockets join rooms (Strings, or integers for numeric rooms). */
    public long socketsJoin(Object... rooms) {
        return rooms(true, rooms);
    }

    public long socketsLeave(Object... rooms) {
        return rooms(false, rooms);
    }

    /** Disconnects the target's sockets; {@code close} also closes their underlying connection. */
    public long disconnectSockets(boolean close) {
        return run((h, err) -> {
            LongByReference n = new LongByReference();
            check(C.sioe_emitter_disconnect_sockets(h, close, n, err), err);
            return n.getValue();
        });
    }

    /**
     * How many Socket.IO servers serve the target's namespace, as Redis counts their
     * subscriptions (servers, not clients). Asks Redis only: no timeout.
     */
    public long serverCount() {
        return run((h, err) -> {
            LongByReference n = new LongByReference();
            check(C.sioe_emitter_server_count(h, n, err), err);
            return n.getValue();
        });
    }

    /** {@link #fetchSockets(Duration)} waiting at most 5 seconds. */
    public FetchedSockets fetchSockets() {
        return fetchSockets(Ask.DEFAULT_TIMEOUT);
    }

    /**
     * The target's sockets ({@code of/to/except}) on every server, each with its id, rooms,
     * data and handshake. Waits at most {@code timeout} (more than zero); servers that did not
     * answer by then are counted in {@link FetchedSockets#serversMissing()}.
     */
    public FetchedSockets fetchSockets(Duration timeout) {
        long ms = Ask.timeoutMs(timeout);
        return Ask.fetched(answer((h, out, err) -> C.sioe_emitter_fetch_sockets(h, ms, out, err)));
    }

    /** {@link #allRooms(Duration)} waiting at most 5 seconds. */
    public AllRooms allRooms() {
        return allRooms(Ask.DEFAULT_TIMEOUT);
    }

    /**
     * Every room of the target's namespace on every server (the classic adapter only; others
     * throw UNSUPPORTED). Waits like {@link #fetchSockets(Duration)}.
     */
    public AllRooms allRooms(Duration timeout) {
        long ms = Ask.timeoutMs(timeout);
        return Ask.rooms(answer((h, out, err) -> C.sioe_emitter_all_rooms(h, ms, out, err)));
    }

    /** {@link #serverSideEmitWithAck(String, Duration, Object...)} waiting at most 5 seconds. */
    public ServerAcks serverSideEmitWithAck(String event, Object... args) {
        return serverSideEmitWithAck(event, Ask.DEFAULT_TIMEOUT, args);
    }

    /**
     * Sends the event to the servers' serverSideEmit listeners and collects what their
     * handlers acknowledge with, one response per server. Waits like
     * {@link #fetchSockets(Duration)}.
     */
    public ServerAcks serverSideEmitWithAck(String event, Duration timeout, Object... args) {
        long ms = Ask.timeoutMs(timeout);
        return Ask.serverAcks(withArgs(event, args, (h, ev, evLen, json, jsonLen, bufs, err) -> answer(err,
                out -> C.sioe_emitter_server_side_emit_with_ack(h, ev, evLen, json, jsonLen, bufs, ms, out, err))));
    }

    /** {@link #emitWithAck(String, Duration, Object...)} waiting at most 5 seconds. */
    public ClientAcks emitWithAck(String event, Object... args) {
        return emitWithAck(event, Ask.DEFAULT_TIMEOUT, args);
    }

    /**
     * Emits to the target's clients and collects their acknowledgements (each client's first
     * argument). Clients that did not answer within {@code timeout} are counted in
     * {@link ClientAcks#clientsMissing()}.
     */
    public ClientAcks emitWithAck(String event, Duration timeout, Object... args) {
        long ms = Ask.timeoutMs(timeout);
        return Ask.clientAcks(withArgs(event, args, (h, ev, evLen, json, jsonLen, bufs, err) -> answer(err,
                out -> C.sioe_emitter_emit_with_ack(h, ev, evLen, json, jsonLen, bufs, ms, out, err))));
    }

    /** A C call that answers with an owned JSON string. */
    private interface AnswerCall {
        int call(Pointer h, PointerByReference out, PointerByReference err);
    }

    private String answer(AnswerCall f) {
        return run((h, err) -> answer(err, out -> f.call(h, out, err)));
    }

    private interface OutCall {
        int call(PointerByReference out);
    }

    /** Runs the call, then copies and frees the JSON text it answered with. */
    private static String answer(PointerByReference err, OutCall f) {
        PointerByReference out = new PointerByReference();
        check(f.call(out), err);
        Pointer text = out.getValue();
        try {
            return text.getString(0, "UTF-8");
        } finally {
            C.sioe_string_free(text);
        }
    }

    /**
     * Waits for everything enqueued; returns {sent, receivers}. {@link #flush(Duration)} also
     * takes a timeout and reports more.
     */
    public long[] flush() {
        FlushReport r = flush(null);
        return new long[] {r.sent(), r.receivers()};
    }

    /**
     * Waits for everything enqueued, at most {@code timeout} (null: no limit; at most a day,
     * not negative). When some queued operations failed it throws FLUSH, whose
     * {@link EmitterException#getReport()} still counts the others. When the time runs out it
     * throws TIMEOUT: the operations keep going, and the next flush reports them.
     */
    public FlushReport flush(Duration timeout) {
        double ms = Connection.timeoutMs(timeout);
        return run((h, err) -> Connection.report((report, e) -> C.sioe_emitter_flush_timeout(h, ms, report, e)));
    }

    /** Sends what is queued and closes the connection; closing again does nothing. */
    @Override
    public void close() {
        conn.close(null);
    }

    /**
     * Closes like {@link #close()}, giving up after {@code timeout} (null: no limit): what is
     * not done by then fails at once, each ticket in the FLUSH exception. Reports like
     * {@link #flush(Duration)}.
     */
    public FlushReport close(Duration timeout) {
        return conn.close(timeout);
    }

    public static String version() {
        return C.sioe_version();
    }
}
