// SPDX-License-Identifier: MIT
package socketio.emitter;

import java.util.List;

/**
 * What the clients acknowledged {@link Emitter#emitWithAck(String, java.time.Duration,
 * Object...)} with.
 *
 * @param responses each acknowledging client's first argument, in arrival order
 * @param clientsTargeted clients the servers sent the event to
 * @param clientsMissing of those, clients that did not answer in time
 * @param serversMissing servers that did not say how many clients they reached
 * @param complete every targeted client answered, and every server reported
 */
public record ClientAcks(List<Object> responses, long clientsTargeted, long clientsMissing, long serversMissing, boolean complete) {}
