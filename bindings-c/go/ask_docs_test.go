package emitter_test

// The README's "Asking the cluster" block, run against the shared harness: the block
// between "snippet:" and "end snippet" is the README's, word for word
// (tests/check_snippets.js compares them).

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/socketio-emitter/socketio-emitter/go/emitter"
)

type asked struct {
	servers  uint64
	ids      []string
	late     uint64
	answers  []any
	silent   uint64
	handlers int
}

func askSnippet(io *emitter.Emitter) (asked, error) {
	var r asked
	// snippet: ask
	ctx := context.Background()
	servers, err := io.ServerCount(ctx) // servers of the namespace, as Redis counts them
	if err != nil {
		return r, err
	}
	// The sockets in room "vip" on every server; wait at most 2 s for the servers' answers.
	found, err := io.To("vip").FetchSockets(ctx, 2*time.Second)
	if err != nil {
		return r, err
	}
	var ids []string
	for _, s := range found.Sockets { // s.ID, s.Rooms, s.Data (socket.data), s.Handshake
		ids = append(ids, s.ID)
	}
	late := found.ServersMissing // servers that did not answer in time (then !found.Complete)

	// A broadcast that the clients acknowledge; timeout 0 is the default, 5 s.
	acks, err := io.To("vip").EmitWithAck(ctx, "question", 0, "still there?")
	if err != nil {
		return r, err
	}
	answers, silent := acks.Responses, acks.ClientsMissing // one answer per acknowledging client

	// The servers' handlers of "ask_me" acknowledge: one response per server.
	handlers, err := io.ServerSideEmitWithAck(ctx, "ask_me", 0, map[string]any{"q": 1})
	if err != nil {
		return r, err
	}
	// end snippet
	return asked{servers, ids, late, answers, silent, len(handlers.Responses)}, nil
}

func TestAskSnippet(t *testing.T) {
	hh := emitter.SharedHarness()
	sids := hh.Setup(t, "/go-ask-docs",
		emitter.Client("docs-a", 0, "vip").WithData(map[string]any{"user": 7}).WithAck("yes"),
		emitter.Client("docs-b", 1, "vip").WithAck("yes"),
		emitter.Client("docs-c", 1))
	root, err := emitter.Connect(hh.RedisURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()

	got, err := askSnippet(root.Of("/go-ask-docs"))
	if err != nil {
		t.Fatal(err)
	}
	ids := fmt.Sprint(got.ids)
	if a, b := sids["docs-a"], sids["docs-b"]; ids != fmt.Sprint([]string{a, b}) && ids != fmt.Sprint([]string{b, a}) {
		t.Errorf("fetched %s, want docs-a and docs-b (%s, %s)", ids, a, b)
	}
	if got.servers != 2 || got.late != 0 || fmt.Sprint(got.answers) != "[yes yes]" || got.silent != 0 || got.handlers != 2 {
		t.Errorf("the snippet got %+v", got)
	}
}
