// SPDX-License-Identifier: MIT
package socketio.emitter;

import java.util.List;

/**
 * What {@link Emitter#allRooms(java.time.Duration)} collected.
 *
 * @param rooms every room of the namespace: a String, or a Long for a numeric room
 * @param serversAnswered servers that answered in time
 * @param serversMissing servers that did not answer in time
 * @param complete every server answered
 */
public record AllRooms(List<Object> rooms, long serversAnswered, long serversMissing, boolean complete) {}
