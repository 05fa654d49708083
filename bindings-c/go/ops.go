package emitter

/*
#include "socketio_emitter.h"
*/
import "C"

import (
	"math"
	"runtime"
	"time"
)

// FlushReport says what Flush or Close completed since the previous flush. It is returned
// with a FLUSH error too (and in its Report field): what succeeded is counted even when
// some operations failed.
type FlushReport struct {
	Sent        uint64 // queued operations Redis accepted
	Receivers   uint64 // sum of the Socket.IO servers (not clients) subscribed to each channel
	ReachedNone uint64 // of Sent, those that reached no server at all (published and lost)
	Failed      uint64 // queued operations that failed (listed in the FLUSH error)
}

// withHandle runs f with a C handle for this emitter's target, under the connection's
// read lock.
func (e *Emitter) withHandle(f func(h *C.sioe_emitter, cerr **C.sioe_error) C.sioe_status) error {
	e.conn.mu.RLock()
	defer e.conn.mu.RUnlock()
	h, owned, err := e.handle()
	if err != nil {
		return err
	}
	var cerr *C.sioe_error
	status := f(h, &cerr)
	if owned {
		C.sioe_emitter_free(h)
	}
	runtime.KeepAlive(e.kept) // its finalizer must not free h during the call
	return check(status, cerr)
}

// handle returns the C handle of this emitter's target, and whether the caller owns it
// (and frees it after the call). Call it with the connection's read lock held.
func (e *Emitter) handle() (h *C.sioe_emitter, owned bool, err error) {
	root := e.conn.handle
	if root == nil {
		return nil, false, newError("CLOSED", "the emitter is closed")
	}
	if e.target.nsp == "/" && len(e.target.ops) == 0 {
		return root, false, nil
	}
	k := e.kept
	if h := k.load(); h != nil {
		return h, false, nil
	}
	if h, err = e.build(root); err != nil {
		return nil, false, err
	}
	if !k.used.Swap(true) {
		return h, true, nil // the first call: maybe a one-off target
	}
	if !k.kept.CompareAndSwap(nil, &cHandle{h}) {
		return h, true, nil // another goroutine kept one meanwhile
	}
	runtime.SetFinalizer(k, (*keptHandle).free)
	return h, false, nil
}

// build makes a new C handle for this emitter's target from the connection's root handle.
func (e *Emitter) build(root *C.sioe_emitter) (*C.sioe_emitter, error) {
	h := root
	// Each step derives a new handle from the previous one, which is then freed.
	step := func(status C.sioe_status, next *C.sioe_emitter, cerr *C.sioe_error) error {
		if h != root {
			C.sioe_emitter_free(h)
		}
		if err := check(status, cerr); err != nil {
			return err
		}
		h = next
		return nil
	}
	if e.target.nsp != "/" {
		var next *C.sioe_emitter
		var cerr *C.sioe_error
		p, n := cbytes([]byte(e.target.nsp))
		if err := step(C.sioe_emitter_of(h, p, n, &next, &cerr), next, cerr); err != nil {
			return nil, err
		}
	}
	for _, o := range e.target.ops {
		var next *C.sioe_emitter
		var cerr *C.sioe_error
		var status C.sioe_status
		switch o.kind {
		case opTo, opExcept:
			p, n := cbytes([]byte(o.name))
			if o.kind == opTo {
				status = C.sioe_emitter_to(h, p, n, &next, &cerr)
			} else {
				status = C.sioe_emitter_except(h, p, n, &next, &cerr)
			}
		case opToID:
			status = C.sioe_emitter_to_id(h, C.int64_t(o.id), &next, &cerr)
		case opExceptID:
			status = C.sioe_emitter_except_id(h, C.int64_t(o.id), &next, &cerr)
		case opVolatile:
			status = C.sioe_emitter_volatile(h, &next, &cerr)
		case opCompress:
			status = C.sioe_emitter_compress(h, C.bool(o.on), &next, &cerr)
		}
		if err := step(status, next, cerr); err != nil {
			return nil, err
		}
	}
	return h, nil
}

// withArgs encodes args and runs f with the C event name, JSON and buffers.
func (e *Emitter) withArgs(event string, args []any,
	f func(h *C.sioe_emitter, ev *C.char, evLen C.size_t, js *C.char, jsLen C.size_t, bufs *C.sioe_buffers, cerr **C.sioe_error) C.sioe_status) error {
	text, buffers, err := encodeArgs(args)
	if err != nil {
		return err
	}
	var bufs *C.sioe_buffers // NULL: no binary
	if len(buffers) > 0 {
		bufs = C.sioe_buffers_new()
		defer C.sioe_buffers_free(bufs)
	}
	for _, b := range buffers {
		var cerr *C.sioe_error
		p, n := cbytes(b)
		if err := check(C.sioe_buffers_add(bufs, p, n, nil, &cerr), cerr); err != nil {
			return err
		}
	}
	name := []byte(event)
	return e.withHandle(func(h *C.sioe_emitter, cerr **C.sioe_error) C.sioe_status {
		ev, evLen := cbytes(name)
		js, jsLen := cbytes(text)
		return f(h, ev, evLen, js, jsLen, bufs, cerr)
	})
}

// Emit sends event with args to the target's clients and waits for Redis. []byte values
// (at any depth) arrive as binary; everything else is marshalled like encoding/json does.
// It returns how many Socket.IO servers received it (0: nobody listens on this key and
// namespace).
func (e *Emitter) Emit(event string, args ...any) (uint64, error) {
	var n C.uint64_t
	err := e.withArgs(event, args, func(h *C.sioe_emitter, ev *C.char, evLen C.size_t, js *C.char, jsLen C.size_t, bufs *C.sioe_buffers, cerr **C.sioe_error) C.sioe_status {
		return C.sioe_emitter_emit(h, ev, evLen, js, jsLen, bufs, &n, cerr)
	})
	return uint64(n), err
}

// Enqueue queues the event and returns at once with a ticket; a background thread sends
// it. Flush reports failures with their tickets. Encoding errors are returned here.
func (e *Emitter) Enqueue(event string, args ...any) (uint64, error) {
	var ticket C.uint64_t
	err := e.withArgs(event, args, func(h *C.sioe_emitter, ev *C.char, evLen C.size_t, js *C.char, jsLen C.size_t, bufs *C.sioe_buffers, cerr **C.sioe_error) C.sioe_status {
		return C.sioe_emitter_enqueue(h, ev, evLen, js, jsLen, bufs, &ticket, cerr)
	})
	return uint64(ticket), err
}

// ServerSideEmit sends event to the Socket.IO servers' serverSideEmit listeners.
func (e *Emitter) ServerSideEmit(event string, args ...any) (uint64, error) {
	var n C.uint64_t
	err := e.withArgs(event, args, func(h *C.sioe_emitter, ev *C.char, evLen C.size_t, js *C.char, jsLen C.size_t, bufs *C.sioe_buffers, cerr **C.sioe_error) C.sioe_status {
		return C.sioe_emitter_server_side_emit(h, ev, evLen, js, jsLen, bufs, &n, cerr)
	})
	return uint64(n), err
}

func (e *Emitter) rooms(rooms []any, join bool) (uint64, error) {
	text, _, err := encodeArgs(rooms)
	if err != nil {
		return 0, err
	}
	var n C.uint64_t
	err = e.withHandle(func(h *C.sioe_emitter, cerr **C.sioe_error) C.sioe_status {
		p, l := cbytes(text)
		if join {
			return C.sioe_emitter_sockets_join(h, p, l, &n, cerr)
		}
		return C.sioe_emitter_sockets_leave(h, p, l, &n, cerr)
	})
	return uint64(n), err
}

// SocketsJoin makes the target's sockets join rooms (strings, or integers for numeric rooms).
func (e *Emitter) SocketsJoin(rooms ...any) (uint64, error) { return e.rooms(rooms, true) }

// SocketsLeave makes the target's sockets leave rooms.
func (e *Emitter) SocketsLeave(rooms ...any) (uint64, error) { return e.rooms(rooms, false) }

// DisconnectSockets disconnects the target's sockets; close also closes their
// underlying connection.
func (e *Emitter) DisconnectSockets(close bool) (uint64, error) {
	var n C.uint64_t
	err := e.withHandle(func(h *C.sioe_emitter, cerr **C.sioe_error) C.sioe_status {
		return C.sioe_emitter_disconnect_sockets(h, C.bool(close), &n, cerr)
	})
	return uint64(n), err
}

// noTimeout is the C library's "no limit" for the _timeout functions.
var noTimeout = C.double(math.Inf(1))

// timeoutMs converts a timeout for the C library; the C library checks its range.
func timeoutMs(d time.Duration) C.double { return C.double(float64(d) / float64(time.Millisecond)) }

func report(r C.sioe_flush_report) FlushReport {
	return FlushReport{uint64(r.sent), uint64(r.receivers), uint64(r.reached_none), uint64(r.failed)}
}

// withReport attaches the report to a FLUSH error.
func withReport(r FlushReport, err error) (FlushReport, error) {
	if e, ok := err.(*Error); ok && e.Code == "FLUSH" {
		e.Report = &r
	}
	return r, err
}

// Flush waits until everything queued by Enqueue so far was sent. It fails with code
// FLUSH when some queued operations failed; the report still counts the others.
func (e *Emitter) Flush() (FlushReport, error) { return e.flush(noTimeout) }

// FlushTimeout is Flush waiting at most timeout (at most 24 h; negative is
// INVALID_ARGUMENT). When the time runs out it fails with code TIMEOUT and an empty
// report: the operations keep going, and the next flush reports them.
func (e *Emitter) FlushTimeout(timeout time.Duration) (FlushReport, error) {
	return e.flush(timeoutMs(timeout))
}

func (e *Emitter) flush(timeout C.double) (FlushReport, error) {
	var r C.sioe_flush_report
	err := e.withHandle(func(h *C.sioe_emitter, cerr **C.sioe_error) C.sioe_status {
		return C.sioe_emitter_flush_timeout(h, timeout, &r, cerr)
	})
	return withReport(report(r), err)
}

// Close sends what is queued, closes the connection (for every target derived from it)
// and releases it. Later calls fail with code CLOSED; closing again does nothing. Like
// Flush, it reports, and fails with FLUSH when queued operations failed.
func (e *Emitter) Close() (FlushReport, error) { return e.close(noTimeout) }

// CloseTimeout is Close giving up after timeout: what is not done by then fails at once,
// each ticket reported in the FLUSH error, and the connection is closed and released.
func (e *Emitter) CloseTimeout(timeout time.Duration) (FlushReport, error) {
	return e.close(timeoutMs(timeout))
}

func (e *Emitter) close(timeout C.double) (FlushReport, error) {
	c := e.conn
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.handle == nil {
		return FlushReport{}, nil
	}
	var r C.sioe_flush_report
	var cerr *C.sioe_error
	err := check(C.sioe_emitter_close_timeout(c.handle, timeout, &r, &cerr), cerr)
	if e, ok := err.(*Error); ok && e.Code == "INVALID_ARGUMENT" {
		return FlushReport{}, err // a bad timeout: nothing was closed
	}
	C.sioe_emitter_free(c.handle)
	c.handle = nil
	return withReport(report(r), err)
}

// Version is the C library's version string.
func Version() string { return C.GoString(C.sioe_version()) }
