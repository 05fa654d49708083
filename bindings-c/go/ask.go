package emitter

// Asking the cluster: questions the Socket.IO servers answer through Redis. Each call
// waits at most its timeout; servers that did not answer by then are counted in the
// result (ServersMissing, Complete false), never dropped silently.

/*
#include <stdlib.h>
#include "socketio_emitter.h"
*/
import "C"

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// DefaultRequestTimeout is how long a request waits when its timeout is 0, like Socket.IO's
// own requestsTimeout.
const DefaultRequestTimeout = 5 * time.Second

// RemoteSocket is one socket a server reported to FetchSockets.
type RemoteSocket struct {
	ID        string         `json:"id"`
	Rooms     []string       `json:"rooms"`     // its own room (its ID) included
	Data      any            `json:"data"`      // its socket.data, as encoding/json decodes it
	Handshake map[string]any `json:"handshake"` // headers, address, query, auth, ...
}

// FetchedSockets is what FetchSockets collected.
type FetchedSockets struct {
	Sockets         []RemoteSocket `json:"sockets"`
	ServersAnswered uint64         `json:"servers_answered"`
	ServersMissing  uint64         `json:"servers_missing"` // servers that did not answer in time
	Complete        bool           `json:"complete"`        // every server answered
}

// AllRooms is what AllRooms collected. A room is a string, or an int64 for a numeric room
// (see ToID).
type AllRooms struct {
	Rooms           []any  `json:"rooms"`
	ServersAnswered uint64 `json:"servers_answered"`
	ServersMissing  uint64 `json:"servers_missing"`
	Complete        bool   `json:"complete"`
}

// ServerAcks holds what the servers' handlers passed to their acknowledgement callback,
// one response per server, in arrival order.
type ServerAcks struct {
	Responses       []any  `json:"responses"`
	ServersAnswered uint64 `json:"servers_answered"`
	ServersMissing  uint64 `json:"servers_missing"`
	Complete        bool   `json:"complete"`
}

// ClientAcks holds the first argument each acknowledging client answered with. Counts are
// clients, except ServersMissing: servers that did not report how many clients they reached.
type ClientAcks struct {
	Responses       []any  `json:"responses"`
	ClientsTargeted uint64 `json:"clients_targeted"`
	ClientsMissing  uint64 `json:"clients_missing"`
	ServersMissing  uint64 `json:"servers_missing"`
	Complete        bool   `json:"complete"`
}

// UnmarshalJSON reads numeric rooms as int64 rather than float64.
func (r *AllRooms) UnmarshalJSON(text []byte) error {
	type plain AllRooms
	var raw struct {
		plain
		Rooms []json.RawMessage `json:"rooms"`
	}
	if err := json.Unmarshal(text, &raw); err != nil {
		return err
	}
	*r = AllRooms(raw.plain)
	r.Rooms = make([]any, len(raw.Rooms))
	for i, room := range raw.Rooms {
		var name string
		if json.Unmarshal(room, &name) == nil {
			r.Rooms[i] = name
			continue
		}
		var id int64
		if err := json.Unmarshal(room, &id); err != nil {
			return fmt.Errorf("room %s: %w", room, err)
		}
		r.Rooms[i] = id
	}
	return nil
}

// ServerCount is how many Socket.IO servers serve the target's namespace, as Redis counts
// their subscriptions. It asks Redis only, so it needs no timeout.
func (e *Emitter) ServerCount(ctx context.Context) (uint64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var n C.uint64_t
	err := e.withHandle(func(h *C.sioe_emitter, cerr **C.sioe_error) C.sioe_status {
		return C.sioe_emitter_server_count(h, &n, cerr)
	})
	return uint64(n), err
}

// FetchSockets returns the target's sockets (Of, To, Except) on every server. It waits at
// most timeout (0: DefaultRequestTimeout), and no later than ctx's deadline.
func (e *Emitter) FetchSockets(ctx context.Context, timeout time.Duration) (*FetchedSockets, error) {
	return ask[FetchedSockets](ctx, timeout, func(ms C.uint64_t, out **C.char) error {
		return e.withHandle(func(h *C.sioe_emitter, cerr **C.sioe_error) C.sioe_status {
			return C.sioe_emitter_fetch_sockets(h, ms, out, cerr)
		})
	})
}

// AllRooms returns the rooms of the namespace on every server (classic adapter only; others
// fail with ErrUnsupported). Waits like FetchSockets.
func (e *Emitter) AllRooms(ctx context.Context, timeout time.Duration) (*AllRooms, error) {
	return ask[AllRooms](ctx, timeout, func(ms C.uint64_t, out **C.char) error {
		return e.withHandle(func(h *C.sioe_emitter, cerr **C.sioe_error) C.sioe_status {
			return C.sioe_emitter_all_rooms(h, ms, out, cerr)
		})
	})
}

// ServerSideEmitWithAck sends event to the servers' serverSideEmit listeners and collects
// what their handlers acknowledge with, one response per server. Args are encoded like
// Emit's. Waits like FetchSockets.
func (e *Emitter) ServerSideEmitWithAck(ctx context.Context, event string, timeout time.Duration, args ...any) (*ServerAcks, error) {
	return ask[ServerAcks](ctx, timeout, func(ms C.uint64_t, out **C.char) error {
		return e.withArgs(event, args, func(h *C.sioe_emitter, ev *C.char, evLen C.size_t, js *C.char, jsLen C.size_t, bufs *C.sioe_buffers, cerr **C.sioe_error) C.sioe_status {
			return C.sioe_emitter_server_side_emit_with_ack(h, ev, evLen, js, jsLen, bufs, ms, out, cerr)
		})
	})
}

// EmitWithAck emits event to the target's clients and collects their acknowledgements:
// each acknowledging client's first argument. Clients that do not answer in time are
// counted in ClientsMissing. Waits like FetchSockets.
func (e *Emitter) EmitWithAck(ctx context.Context, event string, timeout time.Duration, args ...any) (*ClientAcks, error) {
	return ask[ClientAcks](ctx, timeout, func(ms C.uint64_t, out **C.char) error {
		return e.withArgs(event, args, func(h *C.sioe_emitter, ev *C.char, evLen C.size_t, js *C.char, jsLen C.size_t, bufs *C.sioe_buffers, cerr **C.sioe_error) C.sioe_status {
			return C.sioe_emitter_emit_with_ack(h, ev, evLen, js, jsLen, bufs, ms, out, cerr)
		})
	})
}

// ask runs one request and decodes its JSON answer into T. The timeout ends at ctx's
// deadline at the latest, so the answers that arrived by then are returned; a cancelled
// ctx returns ctx.Err() at once (the request then ends by its timeout, unseen).
func ask[T any](ctx context.Context, timeout time.Duration, call func(ms C.uint64_t, out **C.char) error) (*T, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ms, err := requestTimeout(ctx, timeout)
	if err != nil {
		return nil, err
	}
	type answer struct {
		value *T
		err   error
	}
	done := make(chan answer, 1)
	go func() {
		var out *C.char
		if err := call(ms, &out); err != nil {
			done <- answer{nil, err}
			return
		}
		text := C.GoString(out)
		C.sioe_string_free(out)
		value := new(T)
		if err := json.Unmarshal([]byte(text), value); err != nil {
			done <- answer{nil, newError("INTERNAL", "the C library's answer is not what this package reads: "+err.Error())}
			return
		}
		done <- answer{value, nil}
	}()
	select {
	case a := <-done:
		return a.value, a.err
	case <-ctx.Done():
		if ctx.Err() == context.DeadlineExceeded {
			a := <-done // the deadline is the request's own timeout: its answer is due now
			return a.value, a.err
		}
		return nil, ctx.Err()
	}
}

// requestTimeout is timeout in whole milliseconds (rounded up), 0 meaning the default, and
// cut to what is left before ctx's deadline.
func requestTimeout(ctx context.Context, timeout time.Duration) (C.uint64_t, error) {
	if timeout < 0 {
		return 0, newError("INVALID_ARGUMENT", fmt.Sprintf("timeout must not be negative, got %v", timeout))
	}
	if timeout == 0 {
		timeout = DefaultRequestTimeout
	}
	if deadline, ok := ctx.Deadline(); ok {
		if left := time.Until(deadline); left < timeout {
			timeout = left
		}
	}
	ms := (timeout + time.Millisecond - 1) / time.Millisecond
	if ms < 1 {
		ms = 1 // the deadline is (almost) here: ask anyway, with the shortest wait
	}
	return C.uint64_t(ms), nil
}
