// SPDX-License-Identifier: MIT
package socketio.emitter;

import java.util.List;

/**
 * What the servers' handlers acknowledged {@link Emitter#serverSideEmitWithAck(String,
 * java.time.Duration, Object...)} with.
 *
 * @param responses each answering handler's response, in arrival order
 * @param serversAnswered servers that answered in time
 * @param serversMissing servers that did not answer in time
 * @param complete every server answered
 */
public record ServerAcks(List<Object> responses, long serversAnswered, long serversMissing, boolean complete) {}
