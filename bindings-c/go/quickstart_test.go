package emitter_test

// The quick start of README.md, run against real servers: the blocks between "snippet:" and
// "end snippet" are the README's, word for word (tests/check_snippets.js compares them).

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/socketio-emitter/socketio-emitter/go/emitter"
)

func quickstart(redisURL string) (uint64, error) {
	// snippet: quickstart
	io, err := emitter.Connect(redisURL, nil) // e.g. "redis://127.0.0.1:6379"
	if err != nil {
		return 0, err
	}
	defer io.Close()
	// To the sockets in room1 but not in room2; a []byte arrives as binary, at any depth.
	// n is how many Socket.IO servers received it.
	n, err := io.To("room1").Except("room2").Emit("news", map[string]any{"text": "hi"}, []byte{1, 2})
	// end snippet
	return n, err
}

// queue enqueues 3 progress events into /jobs, flushes and closes.
func queue(io *emitter.Emitter) (emitter.FlushReport, error) {
	// snippet: queue
	for i := 1; i <= 3; i++ {
		if _, err := io.Of("/jobs").Enqueue("progress", i); err != nil { // returns at once
			return emitter.FlushReport{}, err
		}
	}
	report, err := io.FlushTimeout(5 * time.Second) // report.Sent, .Receivers, .ReachedNone, .Failed
	var e *emitter.Error
	if errors.As(err, &e) && e.Code == "FLUSH" { // some failed: the report counts the others
		for _, f := range e.Failures {
			fmt.Printf("ticket %d failed: %s\n", f.Ticket, f.Code)
		}
	}
	// end snippet
	return report, err
}

func reserved(io *emitter.Emitter) bool {
	// snippet: reserved
	// Errors are *emitter.Error; their Code is shared by every language, and errors.Is
	// compares codes: here err.(*emitter.Error).Code is "RESERVED_EVENT".
	_, err := io.Emit("connect") // a name Socket.IO reserves
	if errors.Is(err, emitter.ErrReservedEvent) {
		return true
	}
	// end snippet
	return false
}

func TestQuickstart(t *testing.T) {
	hh := topologyHarness(t)
	hh.Setup(t, "/", emitter.Client("qs-in", 0, "room1"), emitter.Client("qs-both", 1, "room1", "room2"))
	hh.Setup(t, "/jobs", emitter.Client("qs-jobs", 1))

	n, err := quickstart(hh.RedisURL)
	receivers(t, "quickstart", n, err, 2)

	io, err := emitter.Connect(hh.RedisURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer io.Close()
	report, err := queue(io)
	if want := (emitter.FlushReport{Sent: 3, Receivers: 6}); err != nil || report != want {
		t.Errorf("queue: %+v, %v; want %+v", report, err, want)
	}
	if !reserved(io) {
		t.Error("emitting connect was not RESERVED_EVENT")
	}

	names, args, _ := hh.Received(t)
	expect(t, names, map[string][]string{"qs-in": {"news"}, "qs-both": nil, "qs-jobs": {"progress", "progress", "progress"}})
	if want := [][]any{{map[string]any{"text": "hi"}, bytes("0102")}}; !reflect.DeepEqual(args["qs-in"], want) {
		t.Errorf("quickstart args %v, want %v", args["qs-in"], want)
	}
	if want := [][]any{{float64(1)}, {float64(2)}, {float64(3)}}; !reflect.DeepEqual(args["qs-jobs"], want) {
		t.Errorf("queued args %v, want %v", args["qs-jobs"], want)
	}
}
