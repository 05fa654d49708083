package emitter_test

// The README's "Server stacks" blocks, run against real servers: the blocks between
// "snippet:" and "end snippet" are the README's, word for word (tests/check_snippets.js
// compares them).

import (
	"errors"
	"reflect"
	"testing"

	"github.com/socketio-emitter/socketio-emitter/go/emitter"
)

func streamsSnippet(redisURL string) (uint64, error) {
	// snippet: streams
	io, err := emitter.Connect(redisURL, &emitter.Options{
		Adapter: emitter.AdapterStreams, // servers on @socket.io/redis-streams-adapter
		// The servers' options (these are the defaults); Key is their channelPrefix.
		StreamName:     "socket.io",
		StreamCount:    1,
		MaxLen:         10000,
		StreamsVersion: emitter.Streams03, // emitter.Streams02 for adapter 0.1.x-0.2.x
	})
	if err != nil {
		return 0, err
	}
	defer io.Close()
	// 0.3: how many servers read the namespace; 0.2: 1 (the entry is stored).
	n, err := io.To("room1").Emit("news", "hi")
	// end snippet
	return n, err
}

func compatSnippet(redisURL string) (bool, error) {
	// snippet: compat
	// socket.io 2.x servers on socket.io-redis 5.x
	io, err := emitter.Connect(redisURL, &emitter.Options{Compat: emitter.CompatSocketIORedis5})
	if err != nil {
		return false, err
	}
	defer io.Close()
	if _, err := io.To("room1").Emit("news", []byte{1}); err != nil { // binary arrives as binary
		return false, err
	}
	// Those servers read except as socket ids only: nothing is published.
	_, err = io.Except("room2").Emit("news")
	if errors.Is(err, emitter.ErrUnsupported) { // Code "UNSUPPORTED"; the message says why
		return true, nil
	}
	// end snippet
	return false, err
}

func TestServerStacksSnippets(t *testing.T) {
	streams := topologyHarness(t, "--adapter", "streams")
	streams.Setup(t, "/", emitter.Client("st-in", 0, "room1"), emitter.Client("st-out", 1))
	n, err := streamsSnippet(streams.RedisURL)
	receivers(t, "streams", n, err, 2)
	names, args, _ := streams.Received(t)
	expect(t, names, map[string][]string{"st-in": {"news"}, "st-out": nil})
	if want := [][]any{{"hi"}}; !reflect.DeepEqual(args["st-in"], want) {
		t.Errorf("streams args %v, want %v", args["st-in"], want)
	}

	v2 := topologyHarness(t, "--stack", "socket.io-redis-5")
	v2.Setup(t, "/", emitter.Client("v2-in", 0, "room1"), emitter.Client("v2-out", 1))
	unsupported, err := compatSnippet(v2.RedisURL)
	if !unsupported || err != nil {
		t.Errorf("except on socket.io-redis-5: %v, %v", unsupported, err)
	}
	names, args, _ = v2.Received(t)
	expect(t, names, map[string][]string{"v2-in": {"news"}, "v2-out": nil})
	if want := [][]any{{bytes("01")}}; !reflect.DeepEqual(args["v2-in"], want) {
		t.Errorf("socket.io 2 args %v, want %v", args["v2-in"], want)
	}
}
