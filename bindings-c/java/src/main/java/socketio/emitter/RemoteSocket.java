// SPDX-License-Identifier: MIT
package socketio.emitter;

import java.util.List;
import java.util.Map;

/**
 * One socket a server reported to {@link Emitter#fetchSockets(java.time.Duration)}. Values
 * are read from JSON: maps, lists, String, Long (whole numbers), Double, Boolean and null.
 *
 * @param id the socket id
 * @param rooms its rooms, its own (its id) included
 * @param data its {@code socket.data}
 * @param handshake its handshake: headers, address, query, auth, ...
 */
public record RemoteSocket(String id, List<String> rooms, Object data, Map<String, Object> handshake) {}
