package emitter

// AdapterAuto end to end: the emitter finds the servers' adapter in Redis when it
// connects and delivers to real clients; a key with no server is ErrDetectionFailed,
// whose message names the key that has servers.

import (
	"errors"
	"strings"
	"testing"
)

func TestAutoFindsStreamsServersAndDelivers(t *testing.T) {
	sh := stackHarness(t, "--adapter", "streams")
	sh.setup(t, "/go-auto", client{name: "gauto-a", server: 1, rooms: nil})
	io := connectWith(t, sh, Options{Adapter: AdapterAuto}).Of("/go-auto")
	n, err := io.Emit("detected", 1)
	expectReceivers(t, "auto broadcast", n, err, 2)
	got, _, _ := sh.received(t)
	expectEvents(t, got, map[string][]string{"gauto-a": {"detected"}})
}

func TestAutoWithoutServersIsDetectionFailed(t *testing.T) {
	sh := stackHarness(t, "--adapter", "streams")
	_, err := Connect(sh.RedisURL, &Options{Adapter: AdapterAuto, Key: "nobody-here"})
	var e *Error
	if !errors.Is(err, ErrDetectionFailed) || !errors.As(err, &e) || e.Status != 16 {
		t.Fatalf("want DETECTION_FAILED (16), got %v", err)
	}
	for _, want := range []string{
		"no Socket.IO server listens on key nobody-here, namespace /",
		"streams adapter 0.3, key socket.io, namespace /: 2 servers",
	} {
		if !strings.Contains(e.Error(), want) {
			t.Errorf("%q does not say %q", e.Error(), want)
		}
	}
}
