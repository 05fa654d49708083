package emitter

// Asking the cluster, against the shared harness: two servers on the classic adapter whose
// askMe handlers acknowledge, clients with socket data, clients that acknowledge and one
// that never does.

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"sync"
	"testing"
	"time"
)

// askMe is the serverSideEmit event whose handlers acknowledge (TestMain's --server-acks).
const askMe = "ask_me"

// short is long enough for any server to answer: a result that waits this long is partial.
const short = 1500 * time.Millisecond

// askPeople connects a (server 0, room vip, socket data, acks), b (server 1, vip and muted,
// acks) and c (server 1, silent) in nsp, and returns their socket ids.
func askPeople(t *testing.T, nsp string) (a, b, c string) {
	sids := setup(t, nsp,
		client{name: nsp + "a", server: 0, rooms: []any{"vip"}, data: map[string]any{"user": 42}, ack: "a-ok"},
		client{name: nsp + "b", server: 1, rooms: []any{"vip", "muted"}, ack: "b-ok"},
		client{name: nsp + "c", server: 1})
	return sids[nsp+"a"], sids[nsp+"b"], sids[nsp+"c"]
}

func askEmitter(t *testing.T, nsp string) *Emitter {
	t.Helper()
	root, err := Connect(h.RedisURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Close() })
	return root.Of(nsp)
}

func socketIDs(f *FetchedSockets) []string {
	ids := make([]string, len(f.Sockets))
	for i, s := range f.Sockets {
		ids[i] = s.ID
	}
	sort.Strings(ids)
	return ids
}

func sorted(ids ...string) []string {
	sort.Strings(ids)
	return ids
}

func TestAskFetchSocketsAndRooms(t *testing.T) {
	a, b, c := askPeople(t, "/go-ask")
	io := askEmitter(t, "/go-ask")
	ctx := context.Background()

	if n, err := io.ServerCount(ctx); n != 2 || err != nil {
		t.Errorf("ServerCount: %d, %v; want 2", n, err)
	}
	if n, err := io.Of("/go-ask-nobody").ServerCount(ctx); n != 0 || err != nil {
		t.Errorf("ServerCount of an empty namespace: %d, %v; want 0", n, err)
	}

	all, err := io.FetchSockets(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := socketIDs(all); !reflect.DeepEqual(got, sorted(a, b, c)) || !all.Complete || all.ServersAnswered != 2 || all.ServersMissing != 0 {
		t.Errorf("FetchSockets: %v %+v; want %v from 2 servers, complete", got, all, sorted(a, b, c))
	}
	for _, s := range all.Sockets {
		if s.ID != a {
			continue
		}
		sort.Strings(s.Rooms)
		if !reflect.DeepEqual(s.Rooms, sorted(a, "vip")) || !reflect.DeepEqual(s.Data, map[string]any{"user": float64(42)}) {
			t.Errorf("socket a: rooms %v, data %v", s.Rooms, s.Data)
		}
		if s.Handshake["address"] != "127.0.0.1" {
			t.Errorf("socket a's handshake: %v", s.Handshake)
		}
	}
	vip, err := io.To("vip").Except("muted").FetchSockets(ctx, 10*time.Second)
	if got := socketIDs(vip); err != nil || !reflect.DeepEqual(got, []string{a}) {
		t.Errorf("FetchSockets to vip except muted: %v, %v; want [%s]", got, err, a)
	}

	rooms, err := io.AllRooms(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []any{"vip", "muted", a, b, c}
	for _, room := range want {
		if !containsAny(rooms.Rooms, room) {
			t.Errorf("AllRooms %v lacks %v", rooms.Rooms, room)
		}
	}
	if len(rooms.Rooms) != len(want) || !rooms.Complete || rooms.ServersAnswered != 2 {
		t.Errorf("AllRooms: %+v; want the rooms %v from 2 servers", rooms, want)
	}
}

func containsAny(list []any, v any) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func TestAskServerSideEmitWithAck(t *testing.T) {
	setup(t, "/go-ask-sse")
	io := askEmitter(t, "/go-ask-sse")
	ctx := context.Background()

	acks, err := io.ServerSideEmitWithAck(ctx, askMe, 0, map[string]any{"q": 1})
	if err != nil {
		t.Fatal(err)
	}
	servers := []float64{}
	for _, r := range acks.Responses {
		m, _ := r.(map[string]any)
		if m["event"] != askMe {
			t.Errorf("response %v is not an answer to %s", r, askMe)
		}
		n, _ := m["server"].(float64)
		servers = append(servers, n)
	}
	sort.Float64s(servers)
	if !reflect.DeepEqual(servers, []float64{0, 1}) || !acks.Complete || acks.ServersAnswered != 2 {
		t.Errorf("ServerSideEmitWithAck: %+v; want one answer from each of servers 0 and 1", acks)
	}

	// Binary arguments too.
	if bin, err := io.ServerSideEmitWithAck(ctx, askMe, 0, []byte{1, 2}); err != nil || bin.ServersAnswered != 2 {
		t.Errorf("ServerSideEmitWithAck with []byte: %+v, %v; want 2 answers", bin, err)
	}

	// Handlers of server_event never acknowledge: both servers are missing.
	silent, err := io.ServerSideEmitWithAck(ctx, "server_event", short, "hello")
	if err != nil || len(silent.Responses) != 0 || silent.ServersMissing != 2 || silent.Complete {
		t.Errorf("unanswered ServerSideEmitWithAck: %+v, %v; want 2 servers missing", silent, err)
	}
	// The handlers did receive it, with its arguments.
	var got []float64
	for _, l := range h.take() {
		if l["type"] == "server_event" && l["event"] == "server_event" && reflect.DeepEqual(l["args"], []any{"hello"}) {
			got = append(got, l["server"].(float64))
		}
	}
	sort.Float64s(got)
	if !reflect.DeepEqual(got, []float64{0, 1}) {
		t.Errorf("server_event reached servers %v, want [0 1]", got)
	}
}

func TestAskEmitWithAck(t *testing.T) {
	askPeople(t, "/go-ask-ack")
	io := askEmitter(t, "/go-ask-ack")
	ctx := context.Background()

	vip, err := io.To("vip").EmitWithAck(ctx, "question", 0, "?")
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(vip.Responses)
	if got != "[a-ok b-ok]" && got != "[b-ok a-ok]" || vip.ClientsTargeted != 2 || vip.ClientsMissing != 0 || !vip.Complete {
		t.Errorf("EmitWithAck to vip: %+v; want a-ok and b-ok from 2 clients", vip)
	}

	// c never answers: the result says so when the time is up.
	partial, err := io.EmitWithAck(ctx, "question", short)
	if err != nil || len(partial.Responses) != 2 || partial.ClientsTargeted != 3 || partial.ClientsMissing != 1 || partial.Complete {
		t.Errorf("EmitWithAck with a silent client: %+v, %v; want 3 targeted, 1 missing", partial, err)
	}
	names, _, _ := received(t)
	for _, c := range []string{"/go-ask-acka", "/go-ask-ackb", "/go-ask-ackc"} {
		want := map[bool]int{true: 2, false: 1}[c != "/go-ask-ackc"]
		if n := count(names[c], "question"); n != want {
			t.Errorf("%s got question %d times, want %d", c, n, want)
		}
	}
}

func count(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}

// 100 requests at once from one emitter, with two different targets: each gets its own answers.
func TestAskConcurrent(t *testing.T) {
	a, b, c := askPeople(t, "/go-ask-many")
	io := askEmitter(t, "/go-ask-many")
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			target, want := io.Except("vip"), []string{c}
			if i%2 == 1 {
				target, want = io.To("vip"), sorted(a, b)
			}
			found, err := target.FetchSockets(context.Background(), 0)
			if err != nil {
				errs <- err
			} else if got := socketIDs(found); !reflect.DeepEqual(got, want) || !found.Complete {
				errs <- fmt.Errorf("request %d: %v (complete %v), want %v", i, got, found.Complete, want)
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestAskBadInput(t *testing.T) {
	setup(t, "/go-ask-bad")
	io := askEmitter(t, "/go-ask-bad")
	ctx := context.Background()

	if _, err := io.FetchSockets(ctx, -time.Second); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("negative timeout: %v, want INVALID_ARGUMENT", err)
	}
	if _, err := io.AllRooms(ctx, 25*time.Hour); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("a timeout over a day: %v, want INVALID_ARGUMENT", err)
	}
	if _, err := io.EmitWithAck(ctx, "connect", 0); !errors.Is(err, ErrReservedEvent) {
		t.Errorf("reserved event: %v, want RESERVED_EVENT", err)
	}
	if _, err := io.EmitWithAck(ctx, "q", 0, func() {}); !errors.Is(err, ErrEncode) {
		t.Errorf("a func argument: %v, want ENCODE", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := io.AllRooms(cancelled, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v, want context.Canceled", err)
	}
	if _, err := io.ServerCount(cancelled); !errors.Is(err, context.Canceled) {
		t.Errorf("ServerCount, cancelled context: %v, want context.Canceled", err)
	}

	// A context deadline before the timeout ends the wait: the answers so far come back.
	soon, stop := context.WithTimeout(ctx, short)
	defer stop()
	partial, err := io.ServerSideEmitWithAck(soon, "server_event", time.Hour)
	if err != nil || partial.ServersMissing != 2 || partial.Complete {
		t.Errorf("ctx deadline: %+v, %v; want 2 servers missing", partial, err)
	}
	h.take()

	io.Close()
	if _, err := io.FetchSockets(ctx, 0); !errors.Is(err, ErrClosed) {
		t.Errorf("closed emitter: %v, want CLOSED", err)
	}
	if _, err := io.ServerCount(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("ServerCount, closed emitter: %v, want CLOSED", err)
	}
}

// Cancelling ctx while the servers have not answered returns ctx.Err() at once; the request
// itself runs to its timeout unseen, so Close waits for it.
func TestAskCancel(t *testing.T) {
	setup(t, "/go-ask-cancel")
	io := askEmitter(t, "/go-ask-cancel")
	const timeout = 5 * time.Second
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		// The servers' handlers got the request: the call is waiting for their answers.
		h.waitFor(func(l line) bool {
			return l["type"] == "server_event" && reflect.DeepEqual(l["args"], []any{"cancel me"})
		})
		cancel()
	}()
	start := time.Now()
	acks, err := io.ServerSideEmitWithAck(ctx, "server_event", timeout, "cancel me")
	if !errors.Is(err, context.Canceled) || acks != nil || time.Since(start) >= timeout {
		t.Errorf("cancelled request: %+v, %v after %v; want context.Canceled before %v", acks, err, time.Since(start), timeout)
	}
	h.take()
}

// A server stopped before the request: Redis no longer counts it, so nothing waits for it and
// only the live server's sockets come back. Its own harness, as the stop is for good.
func TestAskStoppedServer(t *testing.T) {
	hh, err := startHarness("--servers", "2")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(hh.close) // after setup's own cleanup
	sids := hh.setup(t, "/go-ask-stop", client{name: "live", server: 0}, client{name: "gone", server: 1})
	if _, err := hh.request(line{"cmd": "kill_server", "server": 1}); err != nil {
		t.Fatal(err)
	}
	io, err := Connect(hh.RedisURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer io.Close()
	ns := io.Of("/go-ask-stop")
	ctx := context.Background()
	if n, err := ns.ServerCount(ctx); n != 1 || err != nil {
		t.Errorf("ServerCount after a stop: %d, %v; want 1", n, err)
	}
	found, err := ns.FetchSockets(ctx, 0)
	if err != nil || !reflect.DeepEqual(socketIDs(found), []string{sids["live"]}) || found.ServersAnswered != 1 || !found.Complete {
		t.Errorf("FetchSockets after a stop: %+v, %v; want the live socket from 1 server", found, err)
	}
}
