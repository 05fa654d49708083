// Package emitter publishes Socket.IO events into Redis exactly like the official Node
// emitter (@socket.io/redis-emitter), through the socketio-emitter C library.
//
//	io, err := emitter.Connect("redis://127.0.0.1:6379", nil)
//	n, err := io.To("room1").Except("room2").Emit("event", map[string]any{"a": 1}, []byte{1, 2})
//
// An *Emitter is safe for use by many goroutines. Targets (To, Except, Of, ...) are
// immutable values: each call returns a new one, so a half-built target can be reused.
package emitter

/*
#cgo pkg-config: socketio_emitter
#include <stdlib.h>
#include "socketio_emitter.h"
*/
import "C"

import (
	"fmt"
	"runtime"
	"sync"
	"time"
	"unsafe"
)

// Options are the connection options; the zero value of a field means the library's
// default (see the README's option table). Every other value is checked against the
// library's bounds: Connect fails with INVALID_ARGUMENT naming the option (durations at
// most 24 h and not negative, QueueCapacity at most 4294967295, ...).
type Options struct {
	Key               string        // channel prefix, default "socket.io"
	TLSCAPEM          []byte        // CA bundle for rediss:// with a private CA
	ConnectTimeout    time.Duration // default 5s; every call waits at most ConnectTimeout + ResponseTimeout
	ResponseTimeout   time.Duration // default 5s
	ReconnectMinDelay time.Duration // default 100ms
	ReconnectMaxDelay time.Duration // default 2s
	ReconnectAttempts int           // default 6, at most 1000
	QueueCapacity     int           // capacity of the Enqueue queue, default 10000
	QueueMaxBytes     int           // byte bound of the Enqueue queue, default 64 MiB
	QueueFullError    bool          // a full queue fails with QUEUE_FULL instead of blocking
	RequireReceivers  bool          // a publish that reaches no server fails with NO_SUBSCRIBERS
	MaxPayloadBytes   int           // largest payload of one operation, default 16 MiB (ENCODE beyond)
}

// conn owns the C handle of one connection. Calls hold the read lock; Close takes the
// write lock, so the handle is never freed under a running call.
type conn struct {
	mu     sync.RWMutex
	handle *C.sioe_emitter
}

// Emitter is a connection plus a target. Create one with Connect.
type Emitter struct {
	conn   *conn
	target target
}

// target is the namespace plus the target calls in the order they were made (flag order
// is part of the published bytes), applied to the C handle at send time.
type target struct {
	nsp string
	ops []op
}

type opKind int

const (
	opTo opKind = iota
	opToID
	opExcept
	opExceptID
	opVolatile
	opCompress
)

type op struct {
	kind opKind
	name string
	id   int64
	on   bool
}

var zero [1]byte

// cbytes passes Go bytes to C, which copies them before returning. Empty input gets a
// non-NULL pointer, since the C library treats NULL as a missing argument.
func cbytes(b []byte) (*C.char, C.size_t) {
	if len(b) == 0 {
		return (*C.char)(unsafe.Pointer(&zero[0])), 0
	}
	return (*C.char)(unsafe.Pointer(&b[0])), C.size_t(len(b))
}

func setOption(status C.sioe_status, cerr *C.sioe_error) error { return check(status, cerr) }

// notNegative refuses a negative count, which C would read as a huge size_t.
func notNegative(name string, n int) error {
	if n < 0 {
		return newError("INVALID_ARGUMENT", fmt.Sprintf("%s must not be negative, got %d", name, n))
	}
	return nil
}

func buildOptions(o *Options) (*C.sioe_options, error) {
	opts := C.sioe_options_new()
	if o == nil {
		return opts, nil
	}
	for _, n := range []struct {
		name  string
		value int
	}{{"ReconnectAttempts", o.ReconnectAttempts}, {"QueueCapacity", o.QueueCapacity},
		{"QueueMaxBytes", o.QueueMaxBytes}, {"MaxPayloadBytes", o.MaxPayloadBytes}} {
		if err := notNegative(n.name, n.value); err != nil {
			C.sioe_options_free(opts)
			return nil, err
		}
	}
	var cerr *C.sioe_error
	var steps []func() C.sioe_status
	if o.Key != "" {
		key := []byte(o.Key)
		steps = append(steps, func() C.sioe_status { p, n := cbytes(key); return C.sioe_options_set_key(opts, p, n, &cerr) })
	}
	if o.TLSCAPEM != nil {
		steps = append(steps, func() C.sioe_status {
			p, n := cbytes(o.TLSCAPEM)
			return C.sioe_options_set_tls_ca_pem(opts, p, n, &cerr)
		})
	}
	if o.ReconnectAttempts > 0 {
		// Sets the delays to their defaults too; the durations below come after.
		steps = append(steps, func() C.sioe_status {
			return C.sioe_options_set_reconnect(opts, 100, 2000, C.size_t(o.ReconnectAttempts), &cerr)
		})
	}
	// Durations go through the C library in (fractional) milliseconds, negative ones
	// included, so that its bounds and messages apply.
	for _, d := range []struct {
		which C.int32_t
		value time.Duration
	}{{C.SIOE_DURATION_CONNECT_TIMEOUT, o.ConnectTimeout}, {C.SIOE_DURATION_RESPONSE_TIMEOUT, o.ResponseTimeout},
		{C.SIOE_DURATION_RECONNECT_MIN_DELAY, o.ReconnectMinDelay}, {C.SIOE_DURATION_RECONNECT_MAX_DELAY, o.ReconnectMaxDelay}} {
		if d.value != 0 {
			which, ms := d.which, timeoutMs(d.value)
			steps = append(steps, func() C.sioe_status { return C.sioe_options_set_duration_ms(opts, which, ms, &cerr) })
		}
	}
	if o.QueueCapacity > 0 || o.QueueFullError {
		capacity, policy := 10000, C.int32_t(C.SIOE_QUEUE_FULL_BLOCK)
		if o.QueueCapacity > 0 {
			capacity = o.QueueCapacity
		}
		if o.QueueFullError {
			policy = C.SIOE_QUEUE_FULL_ERROR
		}
		steps = append(steps, func() C.sioe_status { return C.sioe_options_set_queue(opts, C.size_t(capacity), policy, &cerr) })
	}
	if o.QueueMaxBytes > 0 {
		steps = append(steps, func() C.sioe_status {
			return C.sioe_options_set_queue_max_bytes(opts, C.size_t(o.QueueMaxBytes), &cerr)
		})
	}
	if o.MaxPayloadBytes > 0 {
		steps = append(steps, func() C.sioe_status {
			return C.sioe_options_set_max_payload_bytes(opts, C.size_t(o.MaxPayloadBytes), &cerr)
		})
	}
	if o.RequireReceivers {
		steps = append(steps, func() C.sioe_status { return C.sioe_options_set_require_receivers(opts, true, &cerr) })
	}
	for _, step := range steps {
		if err := setOption(step(), cerr); err != nil {
			C.sioe_options_free(opts)
			return nil, err
		}
	}
	return opts, nil
}

// Connect connects to Redis at url (redis://[user[:password]@]host[:port][/db] or
// rediss://...). opts may be nil. Close the emitter when done; an emitter that becomes
// unreachable is closed by the garbage collector.
func Connect(url string, opts *Options) (*Emitter, error) {
	copts, err := buildOptions(opts)
	if err != nil {
		return nil, err
	}
	defer C.sioe_options_free(copts)
	u := []byte(url)
	p, n := cbytes(u)
	var handle *C.sioe_emitter
	var cerr *C.sioe_error
	if err := check(C.sioe_connect(p, n, copts, &handle, &cerr), cerr); err != nil {
		return nil, err
	}
	c := &conn{handle: handle}
	runtime.SetFinalizer(c, func(c *conn) { c.free() })
	return &Emitter{conn: c, target: target{nsp: "/"}}, nil
}

func (c *conn) free() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.handle != nil {
		C.sioe_emitter_free(c.handle)
		c.handle = nil
	}
}

func (e *Emitter) with(t target) *Emitter { return &Emitter{conn: e.conn, target: t} }

func (e *Emitter) push(ops ...op) *Emitter {
	t := target{nsp: e.target.nsp, ops: make([]op, 0, len(e.target.ops)+len(ops))}
	t.ops = append(append(t.ops, e.target.ops...), ops...)
	return e.with(t)
}

// Of targets a namespace (a leading "/" is added when missing); rooms and flags start empty.
func (e *Emitter) Of(nsp string) *Emitter { return e.with(target{nsp: nsp}) }

// To adds rooms: sockets in any of them receive the event, once each.
func (e *Emitter) To(rooms ...string) *Emitter { return e.push(named(opTo, rooms)...) }

// In is the same as To.
func (e *Emitter) In(rooms ...string) *Emitter { return e.To(rooms...) }

// ToID adds numeric rooms (7 and "7" are different rooms in Socket.IO).
func (e *Emitter) ToID(ids ...int64) *Emitter { return e.push(numbered(opToID, ids)...) }

// Except excludes the sockets in these rooms.
func (e *Emitter) Except(rooms ...string) *Emitter { return e.push(named(opExcept, rooms)...) }

// ExceptID excludes numeric rooms.
func (e *Emitter) ExceptID(ids ...int64) *Emitter { return e.push(numbered(opExceptID, ids)...) }

// Volatile lets the event be dropped for clients that are not ready to receive it.
func (e *Emitter) Volatile() *Emitter { return e.push(op{kind: opVolatile}) }

// Compress turns per-message compression on or off.
func (e *Emitter) Compress(on bool) *Emitter { return e.push(op{kind: opCompress, on: on}) }

func named(kind opKind, rooms []string) []op {
	ops := make([]op, len(rooms))
	for i, r := range rooms {
		ops[i] = op{kind: kind, name: r}
	}
	return ops
}

func numbered(kind opKind, ids []int64) []op {
	ops := make([]op, len(ids))
	for i, id := range ids {
		ops[i] = op{kind: kind, id: id}
	}
	return ops
}
