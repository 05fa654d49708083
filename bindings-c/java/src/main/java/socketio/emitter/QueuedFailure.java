// SPDX-License-Identifier: MIT
package socketio.emitter;

/**
 * One queued operation that failed, as a FLUSH {@link EmitterException} lists it.
 *
 * @param ticket what {@link Emitter#enqueue} returned for it
 * @param code its own error code ("CONNECTION", "TIMEOUT", ...)
 */
public record QueuedFailure(long ticket, String code) {}
