// SPDX-License-Identifier: MIT
package socketio.emitter;

import com.sun.jna.IntegerType;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * The C library's functions (include/socketio_emitter.h), bound with JNA. Strings cross as
 * UTF-8 byte arrays with their length; handles are opaque {@link Pointer}s. Where the library
 * comes from, and what happens when it cannot be loaded: {@link NativeLoader}.
 */
interface NativeLib extends Library {
    NativeLib C = NativeLoader.load(NativeLoader.override());

    /** C {@code size_t}. */
    final class SizeT extends IntegerType {
        private static final long serialVersionUID = 1L;

        public SizeT() {
            this(0);
        }

        public SizeT(long value) {
            super(Native.SIZE_T_SIZE, value, true);
        }
    }

    String sioe_version();

    String sioe_status_name(int status);

    String sioe_error_message(Pointer err);

    void sioe_error_free(Pointer err);

    SizeT sioe_error_failure_count(Pointer err);

    /** C {@code bool}: one byte, hence {@code byte} (JNA's boolean is a 4-byte int). */
    byte sioe_error_failure(Pointer err, SizeT index, LongByReference ticket, IntByReference status);

    Pointer sioe_options_new();

    void sioe_options_free(Pointer opts);

    int sioe_options_set_key(Pointer opts, byte[] key, SizeT len, PointerByReference err);

    int sioe_options_set_adapter(Pointer opts, byte[] adapter, SizeT len, PointerByReference err);

    int sioe_options_set_subscription_mode(Pointer opts, byte[] mode, SizeT len, PointerByReference err);

    int sioe_options_add_cluster_node(Pointer opts, byte[] url, SizeT len, PointerByReference err);

    int sioe_options_set_sentinel_master(Pointer opts, byte[] master, SizeT len, PointerByReference err);

    int sioe_options_add_sentinel_node(Pointer opts, byte[] url, SizeT len, PointerByReference err);

    int sioe_options_set_tls_ca_pem(Pointer opts, byte[] pem, SizeT len, PointerByReference err);

    int sioe_options_set_connect_timeout_ms(Pointer opts, long ms, PointerByReference err);

    int sioe_options_set_response_timeout_ms(Pointer opts, long ms, PointerByReference err);

    int sioe_options_set_reconnect(Pointer opts, long minMs, long maxMs, SizeT attempts, PointerByReference err);

    int sioe_options_set_queue(Pointer opts, SizeT capacity, int whenFull, PointerByReference err);

    int sioe_options_set_queue_max_bytes(Pointer opts, SizeT maxBytes, PointerByReference err);

    int sioe_options_set_duration_ms(Pointer opts, int which, double ms, PointerByReference err);

    int sioe_options_set_max_payload_bytes(Pointer opts, SizeT maxBytes, PointerByReference err);

    int sioe_options_set_require_receivers(Pointer opts, boolean require, PointerByReference err);

    int sioe_options_set_stream_name(Pointer opts, byte[] name, SizeT len, PointerByReference err);

    /** C {@code uint32_t}: the caller refuses negative counts. */
    int sioe_options_set_stream_count(Pointer opts, int count, PointerByReference err);

    /** C {@code uint64_t}: the caller refuses negative lengths. */
    int sioe_options_set_max_len(Pointer opts, long maxLen, PointerByReference err);

    int sioe_options_set_streams_version(Pointer opts, byte[] version, SizeT len, PointerByReference err);

    int sioe_options_set_compat(Pointer opts, byte[] compat, SizeT len, PointerByReference err);

    int sioe_connect(byte[] url, SizeT len, Pointer opts, PointerByReference out, PointerByReference err);

    void sioe_emitter_free(Pointer em);

    int sioe_emitter_of(Pointer em, byte[] nsp, SizeT len, PointerByReference out, PointerByReference err);

    int sioe_emitter_to(Pointer em, byte[] room, SizeT len, PointerByReference out, PointerByReference err);

    int sioe_emitter_to_id(Pointer em, long room, PointerByReference out, PointerByReference err);

    int sioe_emitter_except(Pointer em, byte[] room, SizeT len, PointerByReference out, PointerByReference err);

    int sioe_emitter_except_id(Pointer em, long room, PointerByReference out, PointerByReference err);

    int sioe_emitter_volatile(Pointer em, PointerByReference out, PointerByReference err);

    int sioe_emitter_compress(Pointer em, boolean compress, PointerByReference out, PointerByReference err);

    Pointer sioe_buffers_new();

    void sioe_buffers_free(Pointer bufs);

    int sioe_buffers_add(Pointer bufs, byte[] data, SizeT len, Pointer index, PointerByReference err);

    int sioe_emitter_emit(Pointer em, byte[] ev, SizeT evLen, byte[] json, SizeT jsonLen, Pointer bufs,
            LongByReference receivers, PointerByReference err);

    int sioe_emitter_enqueue(Pointer em, byte[] ev, SizeT evLen, byte[] json, SizeT jsonLen, Pointer bufs,
            LongByReference ticket, PointerByReference err);

    int sioe_emitter_server_side_emit(Pointer em, byte[] ev, SizeT evLen, byte[] json, SizeT jsonLen, Pointer bufs,
            LongByReference receivers, PointerByReference err);

    int sioe_emitter_sockets_join(Pointer em, byte[] rooms, SizeT len, LongByReference receivers, PointerByReference err);

    int sioe_emitter_sockets_leave(Pointer em, byte[] rooms, SizeT len, LongByReference receivers, PointerByReference err);

    int sioe_emitter_disconnect_sockets(Pointer em, boolean close, LongByReference receivers, PointerByReference err);

    int sioe_emitter_server_count(Pointer em, LongByReference count, PointerByReference err);

    /** The answers below are JSON text the caller frees with {@link #sioe_string_free}. */
    int sioe_emitter_fetch_sockets(Pointer em, long timeoutMs, PointerByReference json, PointerByReference err);

    int sioe_emitter_all_rooms(Pointer em, long timeoutMs, PointerByReference json, PointerByReference err);

    int sioe_emitter_server_side_emit_with_ack(Pointer em, byte[] ev, SizeT evLen, byte[] json, SizeT jsonLen, Pointer bufs,
            long timeoutMs, PointerByReference out, PointerByReference err);

    int sioe_emitter_emit_with_ack(Pointer em, byte[] ev, SizeT evLen, byte[] json, SizeT jsonLen, Pointer bufs,
            long timeoutMs, PointerByReference out, PointerByReference err);

    void sioe_string_free(Pointer s);

    int sioe_emitter_flush(Pointer em, LongByReference sent, LongByReference receivers, PointerByReference err);

    int sioe_emitter_close(Pointer em, LongByReference sent, LongByReference receivers, PointerByReference err);

    int sioe_emitter_flush_timeout(Pointer em, double timeoutMs, Report report, PointerByReference err);

    int sioe_emitter_close_timeout(Pointer em, double timeoutMs, Report report, PointerByReference err);

    /** C {@code sioe_flush_report}. */
    @Structure.FieldOrder({"sent", "receivers", "reachedNone", "failed"})
    final class Report extends Structure {
        public long sent;
        public long receivers;
        public long reachedNone;
        public long failed;

        FlushReport toReport() {
            return new FlushReport(sent, receivers, reachedNone, failed);
        }
    }
}
