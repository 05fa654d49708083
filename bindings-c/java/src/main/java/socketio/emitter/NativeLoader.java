// SPDX-License-Identifier: MIT
package socketio.emitter;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.lang.reflect.Proxy;

/**
 * Loads the C library. The jar carries it for linux-x86-64 at
 * {@code linux-x86-64/libsocketio_emitter.so}, where JNA looks on the classpath; the system
 * property {@value #PROPERTY} or the environment variable {@value #ENV} (the PHP wrapper's name)
 * names another file instead. When loading fails, every call throws one
 * {@link UnsatisfiedLinkError} that says what to do, rather than JNA's list of every place it
 * tried: the failure is kept in a stand-in library, so it is the same on every call instead of
 * a NoClassDefFoundError after the first.
 */
final class NativeLoader {
    static final String PROPERTY = "socketio.emitter.library";
    static final String ENV = "SOCKETIO_EMITTER_LIB";

    private NativeLoader() {}

    /** The file the user named (property first, then environment), or null. */
    static String override() {
        String p = System.getProperty(PROPERTY);
        if (p == null || p.isEmpty()) {
            p = System.getenv(ENV);
        }
        return p == null || p.isEmpty() ? null : p;
    }

    /** The library from {@code path}, or from the classpath and system paths when null. */
    static NativeLib load(String path) {
        try {
            return Native.load(path == null ? "socketio_emitter" : path, NativeLib.class);
        } catch (UnsatisfiedLinkError e) {
            String message = message(path, e);
            return (NativeLib) Proxy.newProxyInstance(NativeLib.class.getClassLoader(), new Class<?>[] {NativeLib.class},
                    (proxy, method, args) -> {
                        switch (method.getName()) {
                            case "toString":
                                return "NativeLib(not loaded)";
                            case "hashCode":
                                return System.identityHashCode(proxy);
                            case "equals":
                                return proxy == args[0];
                            default:
                                break;
                        }
                        throw new UnsatisfiedLinkError(message);
                    });
        }
    }

    /** What failed and what to do, with the loader's own reason on one line. */
    static String message(String path, UnsatisfiedLinkError e) {
        String reason = String.valueOf(e.getMessage()).lines().map(String::strip).filter(l -> !l.isEmpty())
                .map(l -> l.endsWith(":") ? l.substring(0, l.length() - 1) : l)
                .reduce((a, b) -> a + "; " + b).orElse("");
        if (reason.length() > 300) {
            reason = reason.substring(0, 300) + "...";
        }
        String what = path != null
                ? "cannot load " + path + " (named by -D" + PROPERTY + " or " + ENV + ")"
                : "no native library found for this platform";
        return "socketio-emitter: " + what + ". This platform is " + Platform.RESOURCE_PREFIX
                + "; the jar bundles the library for linux-x86-64 only. Elsewhere, build it with"
                + " `make -C bindings-c install` in the project's repository (needs a Rust toolchain) and name the"
                + " file with -D" + PROPERTY + "=/path/to/libsocketio_emitter.so (or the environment variable "
                + ENV + "). The loader said: " + reason;
    }
}
