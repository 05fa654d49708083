package emitter

import (
	"os"
	"sync/atomic"
	"syscall"
	"testing"
)

// Signals arriving while a blocking call waits for Redis (the Go runtime sends SIGURG to
// preempt goroutines) must not fail it: they used to surface as CONNECTION errors
// ("Interrupted system call").
func TestSignalsDuringBlockingCalls(t *testing.T) {
	io, err := Connect(h.RedisURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer io.Close()
	var stop atomic.Bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		for !stop.Load() {
			_ = syscall.Kill(os.Getpid(), syscall.SIGURG) // ignored by the runtime unless it preempts
		}
	}()
	defer func() { stop.Store(true); <-done }()
	room := io.To("signals-room")
	for i := 0; i < 5000; i++ {
		if _, err := room.Emit("tick", i); err != nil {
			t.Fatalf("emit %d: %v", i, err)
		}
	}
	for i := 0; i < 200; i++ {
		if _, err := room.SocketsJoin("signals-other"); err != nil {
			t.Fatalf("socketsJoin %d: %v", i, err)
		}
	}
}
