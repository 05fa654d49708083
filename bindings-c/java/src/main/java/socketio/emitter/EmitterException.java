// SPDX-License-Identifier: MIT
package socketio.emitter;

import java.util.List;

/**
 * Every failure of the emitter. {@link #getErrorCode()} is the stable code shared by every
 * language binding (one of the constants below); {@link #getStatus()} is the C library's
 * status number (-1 for errors found in Java before any C call).
 *
 * <p>A FLUSH error (flush or close found queued operations that failed) also carries
 * {@link #getReport()}, what succeeded, and {@link #getFailures()}, every failed ticket.
 */
public final class EmitterException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public static final String NULL_ARGUMENT = "NULL_ARGUMENT";
    public static final String INVALID_UTF8 = "INVALID_UTF8";
    public static final String INVALID_JSON = "INVALID_JSON";
    public static final String INVALID_ARGUMENT = "INVALID_ARGUMENT";
    public static final String RESERVED_EVENT = "RESERVED_EVENT";
    public static final String ENCODE = "ENCODE";
    public static final String CONNECTION = "CONNECTION";
    public static final String REDIS = "REDIS";
    /** No answer in time: Redis may still have published it, so a retry may duplicate it. */
    public static final String TIMEOUT = "TIMEOUT";
    public static final String CLOSED = "CLOSED";
    public static final String NO_SUBSCRIBERS = "NO_SUBSCRIBERS";
    public static final String QUEUE_FULL = "QUEUE_FULL";
    public static final String FLUSH = "FLUSH";
    /**
     * The servers' stack ({@link Options#compat}) cannot do this operation at all (e.g.
     * {@code except} on socket.io-redis 5.x/6.0); the message says why. Nothing was published.
     */
    public static final String UNSUPPORTED = "UNSUPPORTED";
    /**
     * Adapter {@code "auto"} found no Socket.IO server on the key and namespace {@code /}, or
     * servers with different adapters there; the message says what listens.
     */
    public static final String DETECTION_FAILED = "DETECTION_FAILED";
    /** A bug the library caught (never the caller's fault); please report it. */
    public static final String INTERNAL = "INTERNAL";
    public static final String PANIC = "PANIC";

    private final String errorCode;
    private final int status;
    private final transient List<QueuedFailure> failures;
    private transient FlushReport report;

    EmitterException(String errorCode, int status, String message) {
        this(errorCode, status, message, List.of());
    }

    EmitterException(String errorCode, int status, String message, List<QueuedFailure> failures) {
        super(errorCode + ": " + message);
        this.errorCode = errorCode;
        this.status = status;
        this.failures = List.copyOf(failures);
    }

    public String getErrorCode() {
        return errorCode;
    }

    public int getStatus() {
        return status;
    }

    /** For FLUSH: what succeeded since the previous flush; null for other codes. */
    public FlushReport getReport() {
        return report;
    }

    /** For FLUSH: every queued operation that failed, in ticket order; empty otherwise. */
    public List<QueuedFailure> getFailures() {
        return failures == null ? List.of() : failures;
    }

    EmitterException withReport(FlushReport r) {
        this.report = r;
        return this;
    }
}
