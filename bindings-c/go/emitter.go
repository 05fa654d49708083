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
#include <stdlib.h>
#include "socketio_emitter.h"
*/
import "C"

import (
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"
)

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
	kept   *keptHandle
}

// keptHandle is the C handle of one Emitter's target, kept from its second call on so
// that a reused target (room := io.To("room1")) is not rebuilt for every call; a one-off
// io.To(x).Emit(...) still frees its handle at once. The garbage collector frees it.
type keptHandle struct {
	used atomic.Bool
	kept atomic.Pointer[cHandle]
}

// cHandle boxes a C pointer for atomic.Pointer (which cannot point at an incomplete C type).
type cHandle struct{ h *C.sioe_emitter }

func (k *keptHandle) load() *C.sioe_emitter {
	if c := k.kept.Load(); c != nil {
		return c.h
	}
	return nil
}

func (k *keptHandle) free() {
	if c := k.kept.Swap(nil); c != nil {
		C.sioe_emitter_free(c.h)
	}
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

// Connect connects to Redis at url (redis://[user[:password]@]host[:port][/db] or
// rediss://...). opts may be nil. With opts.ClusterNodes, url must be ""; with sentinels
// (opts.SentinelMaster, opts.SentinelNodes) it gives the master's credentials, database
// and TLS, or is "". Close the emitter when done; an emitter that becomes unreachable is
// closed by the garbage collector.
func Connect(url string, opts *Options) (*Emitter, error) {
	copts, err := buildOptions(opts)
	if err != nil {
		return nil, err
	}
	defer C.sioe_options_free(copts)
	u := []byte(url)
	p, n := cbytes(u)
	if url == "" && opts.hasTopology() {
		p = nil // no URL: the C library's NULL
	}
	var handle *C.sioe_emitter
	var cerr *C.sioe_error
	if err := check(C.sioe_connect(p, n, copts, &handle, &cerr), cerr); err != nil {
		return nil, err
	}
	c := &conn{handle: handle}
	runtime.SetFinalizer(c, func(c *conn) { c.free() })
	return &Emitter{conn: c, target: target{nsp: "/"}, kept: &keptHandle{}}, nil
}

func (c *conn) free() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.handle != nil {
		C.sioe_emitter_free(c.handle)
		c.handle = nil
	}
}

func (e *Emitter) with(t target) *Emitter {
	return &Emitter{conn: e.conn, target: t, kept: &keptHandle{}}
}

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
