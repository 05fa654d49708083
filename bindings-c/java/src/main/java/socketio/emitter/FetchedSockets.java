// SPDX-License-Identifier: MIT
package socketio.emitter;

import java.util.List;

/**
 * What {@link Emitter#fetchSockets(java.time.Duration)} collected.
 *
 * @param sockets the target's sockets on the servers that answered
 * @param serversAnswered servers that answered in time
 * @param serversMissing servers that did not answer in time
 * @param complete every server answered
 */
public record FetchedSockets(List<RemoteSocket> sockets, long serversAnswered, long serversMissing, boolean complete) {}
