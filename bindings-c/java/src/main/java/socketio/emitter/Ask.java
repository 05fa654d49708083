// SPDX-License-Identifier: MIT
package socketio.emitter;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Timeouts and answers of the requests to the cluster (the C library answers in JSON). */
final class Ask {
    /** What a request waits when no timeout is given, like Socket.IO's requestsTimeout. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    private Ask() {}

    /** A timeout in whole milliseconds, rounded up; not null, more than zero. */
    static long timeoutMs(Duration timeout) {
        if (timeout == null) {
            throw new EmitterException(EmitterException.NULL_ARGUMENT, -1, "timeout is null");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new EmitterException(EmitterException.INVALID_ARGUMENT, -1, "timeout must be more than zero, got " + timeout);
        }
        try {
            long ms = timeout.toMillis();
            return timeout.equals(Duration.ofMillis(ms)) ? ms : ms + 1;
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE; // the C library refuses it with its own bound
        }
    }

    /** Reads an answer; one that lacks what this binding expects is an INTERNAL error. */
    @SuppressWarnings("unchecked")
    private static <T> T read(String json, Function<Map<String, Object>, T> fields) {
        try {
            return fields.apply((Map<String, Object>) JsonReader.parse(json));
        } catch (ClassCastException | NullPointerException e) {
            throw new EmitterException(EmitterException.INTERNAL, -1, "unexpected answer from the C library: " + json);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> list(Object v) {
        return (List<T>) v;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object v) {
        return (Map<String, Object>) v;
    }

    private static long count(Map<String, Object> m, String key) {
        return (Long) m.get(key);
    }

    private static boolean complete(Map<String, Object> m) {
        return (Boolean) m.get("complete");
    }

    static FetchedSockets fetched(String json) {
        return read(json, m -> {
            List<RemoteSocket> sockets = new ArrayList<>();
            for (Map<String, Object> s : Ask.<Map<String, Object>>list(m.get("sockets"))) {
                sockets.add(new RemoteSocket((String) s.get("id"), list(s.get("rooms")), s.get("data"), map(s.get("handshake"))));
            }
            return new FetchedSockets(List.copyOf(sockets), count(m, "servers_answered"), count(m, "servers_missing"), complete(m));
        });
    }

    static AllRooms rooms(String json) {
        return read(json, m -> new AllRooms(list(m.get("rooms")), count(m, "servers_answered"), count(m, "servers_missing"), complete(m)));
    }

    static ServerAcks serverAcks(String json) {
        return read(json,
                m -> new ServerAcks(list(m.get("responses")), count(m, "servers_answered"), count(m, "servers_missing"), complete(m)));
    }

    static ClientAcks clientAcks(String json) {
        return read(json, m -> new ClientAcks(list(m.get("responses")), count(m, "clients_targeted"), count(m, "clients_missing"),
                count(m, "servers_missing"), complete(m)));
    }
}
