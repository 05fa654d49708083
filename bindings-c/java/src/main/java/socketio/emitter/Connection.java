// SPDX-License-Identifier: MIT
package socketio.emitter;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/** Owns the root C handle of one connection; calls share a read lock, close takes the write lock. */
final class Connection {
    private static final Cleaner CLEANER = Cleaner.create();
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

    long[] close() {
        lock.writeLock().lock();
        try {
            if (handle.ptr == null) {
                return new long[] {0, 0};
            }
            LongByReference sent = new LongByReference();
            LongByReference receivers = new LongByReference();
            PointerByReference err = new PointerByReference();
            try {
                check(C.sioe_emitter_close(handle.ptr, sent, receivers, err), err);
            } finally {
                cleanable.clean();
            }
            return new long[] {sent.getValue(), receivers.getValue()};
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Throws EmitterException for a non-zero status, freeing the C error. */
    static void check(int status, PointerByReference err) {
        if (status == 0) {
            return;
        }
        Pointer e = err.getValue();
        String message = "";
        if (e != null) {
            message = C.sioe_error_message(e);
            C.sioe_error_free(e);
        }
        throw new EmitterException(C.sioe_status_name(status), status, message);
    }

    /** Strict UTF-8: a string with lone surrogates is INVALID_UTF8 rather than '?'. */
    static byte[] utf8(String s, String what) {
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

    /** A C string argument: never NULL, even when empty. */
    static byte[] arg(byte[] b) {
        return b.length == 0 ? new byte[1] : b;
    }
}
