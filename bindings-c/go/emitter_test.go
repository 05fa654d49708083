package emitter

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
)

var h *harness

func TestMain(m *testing.M) {
	var err error
	h, err = startHarness("--servers", "2", "--server-events", "server_event", "--server-acks", askMe)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	h.close()
	closeShardedHarness()
	closeStackHarnesses()
	os.Exit(code)
}

type client struct {
	name   string
	server int
	rooms  []any
	data   any // the socket's socket.data (nil: none)
	ack    any // what the client acknowledges broadcasts with (nil: it never answers)
}

// setup connects clients in nsp on the shared harness (see harness.setup).
func setup(t *testing.T, nsp string, clients ...client) map[string]string {
	return h.setup(t, nsp, clients...)
}

// setup connects clients in nsp and waits until both servers listen there. The clients are
// closed when the test ends, so that it can run again in the same process (go test -count=N).
// It returns each client's socket id by name.
func (hh *harness) setup(t *testing.T, nsp string, clients ...client) map[string]string {
	t.Helper()
	hh.logsOnFailure(t)
	t.Cleanup(func() {
		for _, c := range clients {
			hh.request(line{"cmd": "close_client", "name": c.name}) // unknown once the server dropped it
		}
		hh.take() // their "io client disconnect" lines, written before each reply
	})
	sids := map[string]string{}
	for _, c := range clients {
		cmd := line{"cmd": "client", "name": c.name, "server": c.server, "nsp": nsp, "rooms": append([]any{}, c.rooms...)}
		if c.data != nil {
			cmd["data"] = c.data
		}
		if c.ack != nil {
			cmd["ack"] = c.ack
		}
		reply, err := hh.request(cmd)
		if err != nil {
			t.Fatal(err)
		}
		sids[c.name], _ = reply["sid"].(string)
	}
	if _, err := hh.request(line{"cmd": "wait_subscribed", "nsp": nsp}); err != nil {
		t.Fatal(err)
	}
	return sids
}

// received flushes the shared harness (see harness.received).
func received(t *testing.T) (map[string][]string, map[string][][]any, []line) { return h.received(t) }

// received flushes, then returns the events (name and args) each client got.
func (hh *harness) received(t *testing.T) (map[string][]string, map[string][][]any, []line) {
	t.Helper()
	if _, err := hh.request(line{"cmd": "flush"}); err != nil {
		t.Fatal(err)
	}
	names, args := map[string][]string{}, map[string][][]any{}
	lines := hh.take()
	for _, l := range lines {
		if l["type"] == "event" {
			c := l["client"].(string)
			names[c] = append(names[c], l["event"].(string))
			a, _ := l["args"].([]any)
			args[c] = append(args[c], a)
		}
	}
	return names, args, lines
}

func connect(t *testing.T) *Emitter {
	t.Helper()
	io, err := Connect(h.RedisURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { io.Close() })
	logsOnFailure(t)
	return io
}

// logsOnFailure shows the shared harness's logs with t's failure (see harness.logsOnFailure).
func logsOnFailure(t *testing.T) { h.logsOnFailure(t) }

// logsOnFailure shows the harness's logs (Redis, the servers' stderr) with t's failure; a
// passing test shows nothing. Each failure shows what came after the previous one.
func (hh *harness) logsOnFailure(t *testing.T) {
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		text, err := hh.logs(true)
		if err != nil {
			t.Logf("could not read the harness's logs: %v", err)
		} else if text != "" {
			t.Logf("harness logs:\n%s", text)
		}
	})
}

// arrivedAsSent reports whether got is sent, in order, except that the volatile events may be
// missing: a server drops a volatile packet while the client's transport is busy, so whether
// one arrives is not deterministic. None may arrive twice or out of order.
func arrivedAsSent(got, sent []string, volatile ...string) bool {
	i := 0
	for _, event := range sent {
		if i < len(got) && got[i] == event {
			i++
		} else if !contains(volatile, event) {
			return false
		}
	}
	return i == len(got)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func expectEvents(t *testing.T, got map[string][]string, want map[string][]string) {
	t.Helper()
	for c, w := range want {
		if !reflect.DeepEqual(got[c], w) && !(len(got[c]) == 0 && len(w) == 0) {
			t.Errorf("%s received %v, want %v", c, got[c], w)
		}
	}
}

func TestBroadcastRoomsExceptAndNamespace(t *testing.T) {
	setup(t, "/go-t", client{name: "go-a", server: 0, rooms: []any{"room1"}}, client{name: "go-b", server: 1, rooms: []any{"room1", "room2"}}, client{name: "go-c", server: 1, rooms: nil}, client{name: "go-n", server: 0, rooms: []any{7}})
	io := connect(t).Of("go-t")
	n, err := io.Emit("hello", "world", 42, map[string]any{"k": []any{1.5, nil, true}})
	if err != nil || n != 2 {
		t.Fatalf("emit: %d, %v", n, err)
	}
	room1 := io.To("room1")
	if _, err := room1.Except("room2").Emit("r1-not-r2"); err != nil {
		t.Fatal(err)
	}
	if _, err := room1.Emit("r1"); err != nil { // room1 was not changed by Except
		t.Fatal(err)
	}
	if _, err := io.ToID(7).Compress(false).Emit("seven"); err != nil {
		t.Fatal(err)
	}
	// A server drops a volatile packet while the client's transport is still writing (here,
	// "hello" and "seven" to the same socket), by design: it is asserted to be accepted by
	// both servers, never to arrive.
	if n, err := io.ToID(7).Volatile().Emit("seven-volatile"); err != nil || n != 2 {
		t.Fatalf("volatile emit: %d, %v", n, err)
	}
	got, args, _ := received(t)
	expectEvents(t, got, map[string][]string{
		"go-a": {"hello", "r1-not-r2", "r1"}, "go-b": {"hello", "r1"}, "go-c": {"hello"},
	})
	if !arrivedAsSent(got["go-n"], []string{"hello", "seven", "seven-volatile"}, "seven-volatile") {
		t.Errorf("go-n received %v, want hello, seven and at most once seven-volatile", got["go-n"])
	}
	if want := []any{"world", 42.0, map[string]any{"k": []any{1.5, nil, true}}}; !reflect.DeepEqual(args["go-a"][0], want) {
		t.Errorf("args %v, want %v", args["go-a"][0], want)
	}
}

type payload struct {
	Name    string            `json:"name"`
	Skip    string            `json:"-"`
	Empty   string            `json:"empty,omitempty"`
	Data    []byte            `json:"data"`
	Nested  map[string][]byte `json:"nested"`
	Untaged int
}

func TestBinaryAndStructTags(t *testing.T) {
	setup(t, "/go-bin", client{name: "go-bin", server: 0, rooms: nil})
	io := connect(t).Of("/go-bin")
	p := payload{Name: "n", Skip: "x", Data: []byte{0, 1, 255}, Nested: map[string][]byte{"b": []byte("hi"), "a": {}}, Untaged: 3}
	type plain struct {
		A int    `json:"a"`
		B string `json:"b,omitempty"`
	}
	if _, err := io.Emit("bin", p, []byte("raw"), []any{1, []byte{9}}, plain{A: 1}); err != nil {
		t.Fatal(err)
	}
	_, args, _ := received(t)
	want := []any{
		map[string]any{"name": "n", "data": map[string]any{"$bytes": "0001ff"},
			"nested": map[string]any{"a": map[string]any{"$bytes": ""}, "b": map[string]any{"$bytes": "6869"}}, "Untaged": 3.0},
		map[string]any{"$bytes": "726177"},
		[]any{1.0, map[string]any{"$bytes": "09"}},
		map[string]any{"a": 1.0},
	}
	if len(args["go-bin"]) != 1 || !reflect.DeepEqual(args["go-bin"][0], want) {
		t.Errorf("got %#v\nwant %#v", args["go-bin"], want)
	}
}

func TestServerSideOperations(t *testing.T) {
	setup(t, "/go-ops", client{name: "go-old", server: 0, rooms: []any{"old"}}, client{name: "go-other", server: 1, rooms: nil}, client{name: "go-dc", server: 1, rooms: []any{"dc"}})
	io := connect(t).Of("/go-ops")
	if n, err := io.To("old").SocketsJoin("new", 5); err != nil || n != 2 {
		t.Fatalf("socketsJoin: %d %v", n, err)
	}
	io.To("new").Emit("in-new")
	io.SocketsLeave("new")
	io.To("new").Emit("after-leave")
	io.To("dc").DisconnectSockets(false)
	if n, err := connect(t).ServerSideEmit("server_event", "go", []byte{1}); err != nil || n != 2 {
		t.Fatalf("serverSideEmit: %d %v", n, err)
	}
	got, _, lines := received(t)
	expectEvents(t, got, map[string][]string{"go-old": {"in-new"}, "go-other": nil, "go-dc": nil})
	var gone, servers []string
	for _, l := range lines {
		switch l["type"] {
		case "disconnect":
			gone = append(gone, l["client"].(string))
		case "server_event":
			servers = append(servers, fmt.Sprint(l["server"]))
			if !reflect.DeepEqual(l["args"], []any{"go", map[string]any{"type": "Buffer", "data": []any{1.0}}}) {
				t.Errorf("server_event args %v", l["args"])
			}
		}
	}
	sort.Strings(servers)
	if !reflect.DeepEqual(gone, []string{"go-dc"}) || !reflect.DeepEqual(servers, []string{"0", "1"}) {
		t.Errorf("disconnected %v, server events from %v", gone, servers)
	}
}

func TestEnqueueFlushAndGoroutines(t *testing.T) {
	setup(t, "/go-q", client{name: "go-q", server: 0, rooms: nil})
	io := connect(t).Of("/go-q")
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				if _, err := io.Enqueue("q", g, i); err != nil {
					t.Error(err)
				}
			}
		}(g)
	}
	wg.Wait()
	report, err := io.Flush()
	if err != nil || report.Sent != 200 || report.Receivers != 400 {
		t.Fatalf("flush: %+v %v", report, err)
	}
	_, args, _ := received(t)
	next := map[float64]float64{}
	for _, a := range args["go-q"] {
		g, i := a[0].(float64), a[1].(float64)
		if i != next[g] {
			t.Fatalf("goroutine %v: event %v arrived out of order", g, i)
		}
		next[g]++
	}
	if len(args["go-q"]) != 200 {
		t.Fatalf("received %d events", len(args["go-q"]))
	}
}

func TestErrorsCarryTheCode(t *testing.T) {
	io := connect(t)
	_, err := io.Emit("connect")
	var e *Error
	if !errors.As(err, &e) || e.Code != "RESERVED_EVENT" || !errors.Is(err, ErrReservedEvent) {
		t.Fatalf("reserved: %v", err)
	}
	if _, err := io.ServerSideEmit("connection"); !errors.Is(err, ErrReservedEvent) {
		t.Fatalf("reserved server-side: %v", err)
	}
	if _, err := io.To("bad\xff").Emit("ev"); !errors.Is(err, ErrInvalidUTF8) {
		t.Fatalf("invalid UTF-8 room: %v", err)
	}
	if _, err := io.Emit("bad\xffname"); !errors.Is(err, ErrInvalidUTF8) {
		t.Fatalf("invalid UTF-8 event: %v", err)
	}
	if _, err := io.Emit("ev", func() {}); !errors.Is(err, ErrEncode) {
		t.Fatalf("unsupported value: %v", err)
	}
	if _, err := io.SocketsJoin(1.5); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("bad room: %v", err)
	}
	if _, err := Connect("http://x", nil); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("bad URL: %v", err)
	}
	strict, err := Connect(h.RedisURL, &Options{Key: "nobody", RequireReceivers: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := strict.Emit("ev"); !errors.Is(err, ErrNoSubscribers) {
		t.Fatalf("strict: %v", err)
	}
	strict.Close()
	target := io.To("r")
	for i := 0; i < 3; i++ { // built and freed, then built and kept, then the kept handle
		if _, err := target.Emit("ev", i); err != nil {
			t.Fatalf("emit %d on a target: %v", i, err)
		}
	}
	if _, err := io.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := target.Emit("ev"); !errors.Is(err, ErrClosed) {
		t.Fatalf("use after close: %v", err)
	}
	if _, err := io.Flush(); !errors.Is(err, ErrClosed) {
		t.Fatalf("flush after close: %v", err)
	}
	if _, err := io.Close(); err != nil {
		t.Fatalf("closing twice: %v", err)
	}
	if !strings.HasPrefix(Version(), "socketio-emitter-c/") {
		t.Fatalf("version %q", Version())
	}
}
