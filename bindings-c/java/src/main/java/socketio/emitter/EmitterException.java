// SPDX-License-Identifier: MIT
package socketio.emitter;

/**
 * Every failure of the emitter. {@link #getErrorCode()} is the stable code shared by every
 * language binding ("RESERVED_EVENT", "CLOSED", "CONNECTION", ...); {@link #getStatus()} is
 * the C library's status number (-1 for errors found in Java before any C call).
 */
public final class EmitterException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String errorCode;
    private final int status;

    EmitterException(String errorCode, int status, String message) {
        super(errorCode + ": " + message);
        this.errorCode = errorCode;
        this.status = status;
    }

    public String getErrorCode() {
        return errorCode;
    }

    public int getStatus() {
        return status;
    }
}
