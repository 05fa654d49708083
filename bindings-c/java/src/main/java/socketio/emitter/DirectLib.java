// SPDX-License-Identifier: MIT
package socketio.emitter;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.lang.reflect.Proxy;

/**
 * The calls every emit makes, bound with JNA's direct mapping: a JNI call straight to the C
 * function, several times cheaper than {@link NativeLib}'s interface mapping (a proxy,
 * reflection and boxing per call). {@code size_t} is a {@code long} and each out-parameter a
 * one-element {@code long[]} ({@code sioe_error **} included), which holds on 64-bit
 * platforms only; elsewhere, or when the library did not load, {@link #AVAILABLE} is false and
 * {@link NativeLib} serves every call (and reports the loading failure).
 */
final class DirectLib {
    static final boolean AVAILABLE = register();

    private DirectLib() {}

    /** Binds to the very library {@link NativeLib#C} loaded (a second load could be a second copy). */
    private static boolean register() {
        if (Native.POINTER_SIZE != 8 || Native.SIZE_T_SIZE != 8
                || !(Proxy.getInvocationHandler(NativeLib.C) instanceof Library.Handler loaded)) {
            return false; // 32-bit, or the stand-in of a library that did not load
        }
        try {
            Native.register(DirectLib.class, loaded.getNativeLibrary());
            return true;
        } catch (UnsatisfiedLinkError e) {
            return false;
        }
    }

    static native int sioe_emitter_emit(Pointer em, byte[] ev, long evLen, byte[] json, long jsonLen, Pointer bufs,
            long[] receivers, long[] err);

    static native int sioe_emitter_enqueue(Pointer em, byte[] ev, long evLen, byte[] json, long jsonLen, Pointer bufs,
            long[] ticket, long[] err);

    static native int sioe_emitter_server_side_emit(Pointer em, byte[] ev, long evLen, byte[] json, long jsonLen,
            Pointer bufs, long[] receivers, long[] err);
}
