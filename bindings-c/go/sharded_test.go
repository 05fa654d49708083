package emitter

// The sharded adapter end to end: a harness of its own with two Socket.IO servers on
// createShardedAdapter in the servers' default mode, dynamic, where a room with members
// has its own channel, so the receiver counts show that the mode reached the core.

import (
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
)

const shardedMode = SubscriptionDynamic

var (
	shardedOnce sync.Once
	shardedH    *harness
	shardedErr  error
)

// shardedHarness starts the sharded servers on first use; TestMain closes them.
func shardedHarness(t *testing.T) *harness {
	t.Helper()
	shardedOnce.Do(func() {
		shardedH, shardedErr = startHarness("--servers", "2", "--server-events", "server_event",
			"--adapter", "sharded", "--subscription-mode", string(shardedMode))
	})
	if shardedErr != nil {
		t.Fatal(shardedErr)
	}
	return shardedH
}

func closeShardedHarness() {
	if shardedH != nil {
		shardedH.close()
	}
}

func connectSharded(t *testing.T, hh *harness) *Emitter {
	t.Helper()
	io, err := Connect(hh.RedisURL, &Options{Adapter: AdapterSharded, SubscriptionMode: shardedMode})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { io.Close() })
	return io
}

func expectReceivers(t *testing.T, what string, n uint64, err error, want uint64) {
	t.Helper()
	if err != nil || n != want {
		t.Fatalf("%s: %d receivers, %v; want %d", what, n, err, want)
	}
}

func TestShardedBroadcastAndRooms(t *testing.T) {
	sh := shardedHarness(t)
	sh.setup(t, "/go-sh", client{name: "gs-a", server: 0, rooms: []any{"room1"}}, client{name: "gs-b", server: 1, rooms: []any{"room1", "solo"}}, client{name: "gs-c", server: 0, rooms: nil})
	io := connectSharded(t, sh).Of("go-sh")
	n, err := io.Emit("hello", "world", 42)
	expectReceivers(t, "broadcast", n, err, 2)
	n, err = io.To("room1").Emit("r1")
	expectReceivers(t, "room1", n, err, 2)
	// "solo" has members on server 1 only: in dynamic mode its own channel reaches it alone.
	n, err = io.To("solo").Emit("solo")
	expectReceivers(t, "solo", n, err, 1)
	got, args, _ := sh.received(t)
	expectEvents(t, got, map[string][]string{"gs-a": {"hello", "r1"}, "gs-b": {"hello", "r1", "solo"}, "gs-c": {"hello"}})
	if want := []any{"world", 42.0}; !reflect.DeepEqual(args["gs-c"][0], want) {
		t.Errorf("args %v, want %v", args["gs-c"][0], want)
	}
}

func TestShardedBinaryArrivesAsBinary(t *testing.T) {
	sh := shardedHarness(t)
	sh.setup(t, "/go-sh-bin", client{name: "gs-bin", server: 1, rooms: []any{"r"}})
	io := connectSharded(t, sh).Of("/go-sh-bin")
	nested := map[string]any{"file": []byte{1, 2, 3}, "parts": []any{[]byte{4}, 5}}
	n, err := io.Emit("blob", []byte{0xff, 0}, nested)
	expectReceivers(t, "binary broadcast", n, err, 2)
	n, err = io.To("r").Emit("room-blob", nested) // msgpack on the room's channel
	expectReceivers(t, "binary to a room", n, err, 1)
	_, args, _ := sh.received(t)
	b := func(hex string) map[string]any { return map[string]any{"$bytes": hex} }
	wantNested := map[string]any{"file": b("010203"), "parts": []any{b("04"), 5.0}}
	want := [][]any{{b("ff00"), wantNested}, {wantNested}}
	if !reflect.DeepEqual(args["gs-bin"], want) {
		t.Errorf("got %#v\nwant %#v", args["gs-bin"], want)
	}
}

func TestShardedServerSideEmitReachesTheHandlers(t *testing.T) {
	sh := shardedHarness(t)
	sh.setup(t, "/go-sh-sse", client{name: "gs-sse", server: 0, rooms: nil})
	io := connectSharded(t, sh).Of("/go-sh-sse")
	n, err := io.ServerSideEmit("server_event", "go", 7)
	expectReceivers(t, "serverSideEmit", n, err, 2)
	n, err = io.ServerSideEmit("server_event", []byte{9, 8}) // binary makes it msgpack
	expectReceivers(t, "binary serverSideEmit", n, err, 2)
	got, _, lines := sh.received(t)
	perServer := map[any][]any{}
	for _, l := range lines {
		if l["type"] == "server_event" && l["nsp"] == "/go-sh-sse" {
			perServer[l["server"]] = append(perServer[l["server"]], l["args"])
		}
	}
	want := []any{[]any{"go", 7.0}, []any{map[string]any{"$bytes": "0908"}}}
	for _, server := range []any{0.0, 1.0} {
		if !reflect.DeepEqual(perServer[server], want) {
			t.Errorf("server %v received %v, want %v", server, perServer[server], want)
		}
	}
	expectEvents(t, got, map[string][]string{"gs-sse": nil})
}

// A classic emitter PUBLISHes where sharded servers never listen: strict mode says so.
func TestShardedServersAndAClassicEmitter(t *testing.T) {
	sh := shardedHarness(t)
	sh.setup(t, "/go-sh-mm", client{name: "gs-mm", server: 0, rooms: nil})
	classic, err := Connect(sh.RedisURL, &Options{RequireReceivers: true})
	if err != nil {
		t.Fatal(err)
	}
	defer classic.Close()
	_, err = classic.Of("/go-sh-mm").Emit("lost")
	if !errors.Is(err, ErrNoSubscribers) || !strings.Contains(err.Error(), "createShardedAdapter") {
		t.Fatalf("classic emitter, sharded servers: %v", err)
	}
	got, _, _ := sh.received(t)
	expectEvents(t, got, map[string][]string{"gs-mm": nil})
}
