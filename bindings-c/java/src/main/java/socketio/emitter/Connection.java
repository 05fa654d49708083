// SPDX-License-Identifier: MIT
package socketio.emitter;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/** Owns the root C handle of one connection; calls share a read lock, close takes the write lock. */
final class Connection {
    static final Cleaner CLEANER = Cleaner.create();
    static final NativeLib C = NativeLib.C;

    /** Frees the handle if the Emitter is garbage-collected without close(). */
    private static final class Handle implements Runnable {
        Pointer ptr;

        Handle(Pointer ptr) {
            this.ptr = ptr;
        }

        @Override
        public synchronized void run() {
            if (ptr != null) {
                C.sioe_emitter_free(ptr);
                ptr = null;
            }
        }
    }

    final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Handle handle;
    private final Cleaner.Cleanable cleanable;

    Connection(Pointer root) {
        handle = new Handle(root);
        cleanable = CLEANER.register(this, handle);
    }

    /** The root handle; call with the read lock held. */
    Pointer root() {
        Pointer p = handle.ptr;
        if (p == null) {
            throw new EmitterException("CLOSED", 10, "the emitter is closed");
        }
        return p;
    }

    /** Closes (a null timeout waits as long as needed) and releases the handle. */
    FlushReport close(Duration timeout) {
        double ms = timeoutMs(timeout);
        lock.writeLock().lock();
        try {
            if (handle.ptr == null) {
                return new FlushReport(0, 0, 0, 0);
            }
            try {
                FlushReport r = report((report, err) -> C.sioe_emitter_close_timeout(handle.ptr, ms, report, err));
                cleanable.clean();
                return r;
            } catch (EmitterException e) {
                if (!e.getErrorCode().equals(EmitterException.INVALID_ARGUMENT)) {
                    cleanable.clean(); // closed, with failures; a bad timeout closed nothing
                }
                throw e;
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    interface ReportCall {
        int call(NativeLib.Report report, PointerByReference err);
    }

    /** Runs a flush or close call: the report comes back, or inside a FLUSH exception. */
    static FlushReport report(ReportCall call) {
        NativeLib.Report r = new NativeLib.Report();
        PointerByReference err = new PointerByReference();
        int status = call.call(r, err);
        r.read();
        try {
            check(status, err);
        } catch (EmitterException e) {
            throw e.getErrorCode().equals(EmitterException.FLUSH) ? e.withReport(r.toReport()) : e;
        }
        return r.toReport();
    }

    /** A timeout for the C library, in milliseconds (it checks the range); null: no limit. */
    static double timeoutMs(Duration d) {
        return d == null ? Double.POSITIVE_INFINITY : millis(d);
    }

    /** Milliseconds without overflow, whatever the duration (negative ones included). */
    static double millis(Duration d) {
        return d.getSeconds() * 1000.0 + d.getNano() / 1e6;
    }

    /** Throws EmitterException for a non-zero status, freeing the C error. */
    static void check(int status, PointerByReference err) {
        if (status != 0) {
            throw failure(status, err.getValue());
        }
    }

    /** The exception for a non-zero status, with the message and failed tickets of {@code e} (may be null), which it frees. */
    static EmitterException failure(int status, Pointer e) {
        String message = "";
        List<QueuedFailure> failures = new ArrayList<>();
        if (e != null) {
            message = C.sioe_error_message(e);
            long n = C.sioe_error_failure_count(e).longValue();
            LongByReference ticket = new LongByReference();
            IntByReference code = new IntByReference();
            for (long i = 0; i < n; i++) {
                if (C.sioe_error_failure(e, new NativeLib.SizeT(i), ticket, code) != 0) {
                    failures.add(new QueuedFailure(ticket.getValue(), C.sioe_status_name(code.getValue())));
                }
            }
            C.sioe_error_free(e);
        }
        return new EmitterException(C.sioe_status_name(status), status, message, failures);
    }

    /** Strict UTF-8: a string with lone surrogates is INVALID_UTF8 rather than '?'. */
    static byte[] utf8(String s, String what) {
        if (!hasSurrogate(s)) {
            return s.getBytes(StandardCharsets.UTF_8); // nothing getBytes could replace with '?'
        }
        try {
            ByteBuffer b = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(s));
            return Arrays.copyOfRange(b.array(), b.arrayOffset(), b.arrayOffset() + b.limit());
        } catch (CharacterCodingException e) {
            throw new EmitterException("INVALID_UTF8", 2, what + " is not valid Unicode (a lone surrogate?)");
        }
    }

    private static boolean hasSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isSurrogate(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    /** A C string argument: never NULL, even when empty. */
    static byte[] arg(byte[] b) {
        return b.length == 0 ? new byte[1] : b;
    }
}
