// SPDX-License-Identifier: MIT
package socketio.emitter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static socketio.emitter.EmitterTest.bytes;
import static socketio.emitter.EmitterTest.events;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The README's quick start (java/README.md; the block between "snippet:" and "end snippet" is
 * the README's word for word, tests/check_snippets.js compares them), run against one server,
 * and the error a user gets when the native library cannot be loaded.
 */
@SuppressWarnings("try")
final class QuickStartTest {
    private static Harness h;

    @RegisterExtension
    static final TestWatcher LOGS = EmitterTest.logsOnFailure(() -> h);

    @BeforeAll
    static void start() throws Exception {
        h = new Harness("--servers", "1");
    }

    @AfterAll
    static void stop() throws Exception {
        if (h != null) {
            h.close();
        }
    }

    @Test
    void theQuickStartDelivers() throws Exception {
        h.clients("/", new String[] {"qs-room1", "0", "[\"room1\"]"});
        String url = h.redisUrl;

        // snippet: quickstart
        try (Emitter io = Emitter.connect(url)) { // e.g. "redis://127.0.0.1:6379"
            io.to("room1").emit("event", Map.of("a", 1), new byte[] {1, 2});
            io.of("/admin").to(7L).asVolatile().emit("tick");       // volatile is a Java keyword
            io.enqueue("bulk", 1); long[] sentAndReceivers = io.flush();
            FlushReport r = io.flush(Duration.ofSeconds(5));   // sent, receivers, reachedNone, failed; TIMEOUT when it runs out
            io.close(Duration.ofSeconds(5));                  // what is left after 5 s fails (FLUSH)
        } catch (EmitterException e) {
            e.getErrorCode();   // EmitterException.RESERVED_EVENT, CONNECTION, INTERNAL, ...
            e.getReport(); e.getFailures();   // FLUSH: what succeeded, and each failed ticket
        }
        // end snippet

        var got = events(h.flushAndTake()).get("qs-room1");
        assertEquals(List.of(List.of("event", List.of(Map.of("a", 1.0), bytes("0102"))), List.of("bulk", List.of(1.0))), got);
    }

    @Test
    void aLibraryThatCannotLoadSaysWhatToDo() {
        NativeLib lib = NativeLoader.load("/nonexistent/libsocketio_emitter.so");
        UnsatisfiedLinkError first = assertThrows(UnsatisfiedLinkError.class, lib::sioe_version);
        String m = first.getMessage();
        for (String needle : List.of("/nonexistent/libsocketio_emitter.so", "This platform is linux-x86-64",
                "bundles the library for linux-x86-64 only", "make -C bindings-c install", "-Dsocketio.emitter.library=",
                "SOCKETIO_EMITTER_LIB", "The loader said: ")) {
            assertTrue(m.contains(needle), "'" + needle + "' not in: " + m);
        }
        assertTrue(m.lines().count() == 1 && m.length() < 1000, "one line, not JNA's list: " + m);
        // The same error on every call, not a NoClassDefFoundError after the first.
        assertEquals(m, assertThrows(UnsatisfiedLinkError.class, () -> lib.sioe_status_name(0)).getMessage());
        // Without an override the message is about the platform, not a file.
        String none = NativeLoader.message(null, new UnsatisfiedLinkError("Unable to load library 'socketio_emitter':\n  nowhere\n"));
        assertTrue(none.startsWith("socketio-emitter: no native library found for this platform.")
                && none.endsWith("The loader said: Unable to load library 'socketio_emitter'; nowhere"), none);
    }
}
