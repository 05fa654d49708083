// SPDX-License-Identifier: MIT
package socketio.emitter;

/**
 * What {@link Emitter#flush(java.time.Duration)} or {@link Emitter#close(java.time.Duration)}
 * completed since the previous flush. A FLUSH {@link EmitterException} carries one too: what
 * succeeded is counted even when some operations failed.
 *
 * @param sent queued operations Redis accepted
 * @param receivers the sum of the Socket.IO servers (not clients) subscribed to each channel
 * @param reachedNone of {@code sent}, those that reached no server at all (published, and lost)
 * @param failed queued operations that failed (listed by {@link EmitterException#getFailures()})
 */
public record FlushReport(long sent, long receivers, long reachedNone, long failed) {}
