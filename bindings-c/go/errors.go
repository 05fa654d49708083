package emitter

/*
#include "socketio_emitter.h"
*/
import "C"

import "fmt"

// Error is what every function of this package returns on failure. Code is the stable
// error code shared by every language binding ("RESERVED_EVENT", "CLOSED", ...); Status is
// the C library's status number.
//
// For code FLUSH (Flush, Close and their Timeout variants), Report counts what succeeded
// and Failures lists every queued operation that failed.
type Error struct {
	Code     string
	Status   int
	Message  string
	Report   *FlushReport    // FLUSH only: what succeeded since the previous flush
	Failures []QueuedFailure // FLUSH only: every failed ticket, in ticket order
}

// QueuedFailure is one queued operation that failed: its Enqueue ticket and its own code
// ("CONNECTION", "TIMEOUT", ...).
type QueuedFailure struct {
	Ticket uint64
	Code   string
}

func (e *Error) Error() string { return fmt.Sprintf("socketio-emitter: %s: %s", e.Code, e.Message) }

// Is makes errors.Is(err, emitter.ErrClosed) and friends compare codes.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Sentinels for errors.Is, one per code.
var (
	ErrNullArgument    = &Error{Code: "NULL_ARGUMENT"}
	ErrInvalidUTF8     = &Error{Code: "INVALID_UTF8"}
	ErrInvalidJSON     = &Error{Code: "INVALID_JSON"}
	ErrInvalidArgument = &Error{Code: "INVALID_ARGUMENT"}
	ErrReservedEvent   = &Error{Code: "RESERVED_EVENT"}
	ErrEncode          = &Error{Code: "ENCODE"}
	ErrConnection      = &Error{Code: "CONNECTION"}
	ErrRedis           = &Error{Code: "REDIS"}
	ErrTimeout         = &Error{Code: "TIMEOUT"}
	ErrClosed          = &Error{Code: "CLOSED"}
	ErrNoSubscribers   = &Error{Code: "NO_SUBSCRIBERS"}
	ErrQueueFull       = &Error{Code: "QUEUE_FULL"}
	ErrFlush           = &Error{Code: "FLUSH"}
	ErrUnsupported     = &Error{Code: "UNSUPPORTED"} // the servers' stack (Options.Compat) cannot do it; nothing was published
	ErrInternal        = &Error{Code: "INTERNAL"}    // a bug the core caught; please report it
	// ErrDetectionFailed: AdapterAuto found no server on the key and namespace "/", or
	// several adapters there; the message says what listens.
	ErrDetectionFailed = &Error{Code: "DETECTION_FAILED"}
	ErrPanic           = &Error{Code: "PANIC"}
)

// check turns a status and its error object into an *Error (nil on success), freeing it.
func check(status C.sioe_status, cerr *C.sioe_error) error {
	if status == C.SIOE_STATUS_OK {
		return nil
	}
	e := &Error{Code: C.GoString(C.sioe_status_name(C.int32_t(status))), Status: int(status)}
	if cerr != nil {
		e.Message = C.GoString(C.sioe_error_message(cerr))
		n := int(C.sioe_error_failure_count(cerr))
		if n > 0 {
			e.Failures = make([]QueuedFailure, n)
			for i := range e.Failures {
				var ticket C.uint64_t
				var st C.sioe_status
				C.sioe_error_failure(cerr, C.size_t(i), &ticket, &st)
				e.Failures[i] = QueuedFailure{Ticket: uint64(ticket), Code: C.GoString(C.sioe_status_name(C.int32_t(st)))}
			}
		}
		C.sioe_error_free(cerr)
	}
	return e
}

// statusName is the C library's code for a status number.
func statusName(status int) string { return C.GoString(C.sioe_status_name(C.int32_t(status))) }

func newError(code, message string) error { return &Error{Code: code, Status: -1, Message: message} }
