package emitter_test

// Redis Cluster and Sentinel end to end, each case with a harness of its own
// (`--topology cluster` with sharded, then classic, servers; `--topology sentinel`). The
// blocks between "snippet:" and "end snippet" are the README's, word for word
// (tests/check_snippets.js compares them); this package spells the package name as users do.

import (
	"reflect"
	"testing"

	"github.com/socketio-emitter/socketio-emitter/go/emitter"
)

// topologyHarness starts two Socket.IO servers over the given topology, stopped when t ends.
func topologyHarness(t *testing.T, args ...string) *emitter.Harness {
	t.Helper()
	hh, err := emitter.StartHarness(append([]string{"--servers", "2", "--server-events", "server_event"}, args...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(hh.Close)
	return hh
}

func stringList(v any) []string {
	list, _ := v.([]any)
	out := make([]string, len(list))
	for i, s := range list {
		out[i], _ = s.(string)
	}
	return out
}

func receivers(t *testing.T, what string, n uint64, err error, want uint64) {
	t.Helper()
	if err != nil || n != want {
		t.Errorf("%s: %d receivers, %v; want %d", what, n, err, want)
	}
}

func expect(t *testing.T, got map[string][]string, want map[string][]string) {
	t.Helper()
	for c, w := range want {
		if !reflect.DeepEqual(got[c], w) && !(len(got[c]) == 0 && len(w) == 0) {
			t.Errorf("%s received %v, want %v", c, got[c], w)
		}
	}
}

func bytes(hex string) map[string]any { return map[string]any{"$bytes": hex} }

func TestClusterSharded(t *testing.T) {
	hh := topologyHarness(t, "--topology", "cluster", "--adapter", "sharded")
	hh.Setup(t, "/gt-bc", emitter.Client("gt-a", 0), emitter.Client("gt-b", 1))
	hh.Setup(t, "/gt-room", emitter.Client("gt-in", 0, "room1"), emitter.Client("gt-out", 1, "room2"))
	hh.Setup(t, "/gt-bin", emitter.Client("gt-bin", 1))
	hh.Setup(t, "/gt-sse", emitter.Client("gt-sse", 0))
	seeds := stringList(hh.Ready["redis_nodes"])[:2] // two seeds: the emitter finds the others

	// snippet: cluster
	io, err := emitter.Connect("", &emitter.Options{
		ClusterNodes: seeds,                  // e.g. []string{"redis://10.0.0.1:7000", "redis://10.0.0.2:7000"}
		Adapter:      emitter.AdapterSharded, // servers on createShardedAdapter (AdapterClassic works too)
	})
	// end snippet
	if err != nil {
		t.Fatal(err)
	}
	defer io.Close()

	n, err := io.Of("/gt-bc").Emit("hello", "world", 42)
	receivers(t, "broadcast", n, err, 2)
	// Dynamic mode: the room's own channel, heard by the one server where it has members.
	n, err = io.Of("/gt-room").To("room1").Emit("only-room1")
	receivers(t, "one room", n, err, 1)
	n, err = io.Of("/gt-bin").Emit("blob", []byte{0xff, 0}, map[string]any{"file": []byte{1, 2, 3}})
	receivers(t, "binary", n, err, 2)
	n, err = io.Of("/gt-sse").ServerSideEmit("server_event", "payload", 7)
	receivers(t, "serverSideEmit", n, err, 2)

	names, args, lines := hh.Received(t)
	expect(t, names, map[string][]string{"gt-a": {"hello"}, "gt-b": {"hello"}, "gt-in": {"only-room1"}, "gt-out": nil,
		"gt-bin": {"blob"}, "gt-sse": nil})
	if want := [][]any{{"world", float64(42)}}; !reflect.DeepEqual(args["gt-b"], want) {
		t.Errorf("broadcast args %v, want %v", args["gt-b"], want)
	}
	if want := [][]any{{bytes("ff00"), map[string]any{"file": bytes("010203")}}}; !reflect.DeepEqual(args["gt-bin"], want) {
		t.Errorf("binary args %v, want %v", args["gt-bin"], want)
	}
	for _, server := range []float64{0, 1} {
		var got [][]any
		for _, l := range lines {
			if l["type"] == "server_event" && l["nsp"] == "/gt-sse" && l["server"] == server {
				a, _ := l["args"].([]any)
				got = append(got, a)
			}
		}
		if want := [][]any{{"payload", float64(7)}}; !reflect.DeepEqual(got, want) {
			t.Errorf("serverSideEmit at server %v: %v, want %v", server, got, want)
		}
	}
}

func TestClusterClassic(t *testing.T) {
	hh := topologyHarness(t, "--topology", "cluster")
	hh.Setup(t, "/gt-bc", emitter.Client("gt-a", 0), emitter.Client("gt-b", 1))
	io, err := emitter.Connect("", &emitter.Options{ClusterNodes: stringList(hh.Ready["redis_nodes"])[:1]})
	if err != nil {
		t.Fatal(err)
	}
	defer io.Close()
	// A cluster's PUBLISH counts only the subscribers of the node that received it.
	if n, err := io.Of("/gt-bc").Emit("hello", "world", 42); err != nil || n > 2 {
		t.Errorf("classic broadcast on a cluster: %d receivers, %v", n, err)
	}
	names, _, _ := hh.Received(t)
	expect(t, names, map[string][]string{"gt-a": {"hello"}, "gt-b": {"hello"}})
}

func TestSentinel(t *testing.T) {
	hh := topologyHarness(t, "--topology", "sentinel")
	hh.Setup(t, "/gt-bc", emitter.Client("gt-a", 0), emitter.Client("gt-b", 1))
	if hh.Ready["sentinel_master"] != "mymaster" {
		t.Fatalf("the harness's master is %v, the snippet's mymaster", hh.Ready["sentinel_master"])
	}
	sentinels := stringList(hh.Ready["sentinel_urls"])
	masterURL := "" // no credentials

	// snippet: sentinel
	io, err := emitter.Connect(masterURL, &emitter.Options{ // the master's credentials, db and TLS; "" for none
		SentinelMaster: "mymaster",
		SentinelNodes:  sentinels, // e.g. []string{"redis://10.0.0.1:26379", "redis://10.0.0.2:26379"}
	})
	// end snippet
	if err != nil {
		t.Fatal(err)
	}
	defer io.Close()
	n, err := io.Of("/gt-bc").Emit("hello", "world", 42)
	receivers(t, "broadcast", n, err, 2)
	names, _, _ := hh.Received(t)
	expect(t, names, map[string][]string{"gt-a": {"hello"}, "gt-b": {"hello"}})
}
