package emitter

// A Go client of the interop harness (tests/harness/README.md): starts
// `node tests/harness/harness.js`, sends commands, and collects what the real Socket.IO
// clients and servers observed.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"
)

type line = map[string]any

type harness struct {
	cmd      *exec.Cmd
	stdin    io.WriteCloser
	mu       sync.Mutex
	cond     *sync.Cond
	replies  map[float64]line
	observed []line
	exited   bool
	nextID   float64
	RedisURL string
	Ready    line // the whole ready line (topology fields: redis_nodes, sentinel_urls, ...)
}

func startHarness(args ...string) (*harness, error) {
	script, _ := filepath.Abs("../../tests/harness/harness.js")
	cmd := exec.Command("node", append([]string{script}, args...)...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	h := &harness{cmd: cmd, stdin: stdin, replies: map[float64]line{}}
	h.cond = sync.NewCond(&h.mu)
	ready := make(chan line, 1)
	go func() {
		scanner := bufio.NewScanner(stdout)
		scanner.Buffer(make([]byte, 1<<20), 64<<20)
		for scanner.Scan() {
			var msg line
			if json.Unmarshal(scanner.Bytes(), &msg) != nil {
				continue
			}
			h.mu.Lock()
			switch msg["type"] {
			case "ready", "fatal":
				select {
				case ready <- msg:
				default:
				}
			case "reply":
				if id, ok := msg["id"].(float64); ok {
					h.replies[id] = msg
				}
			default:
				h.observed = append(h.observed, msg)
			}
			h.cond.Broadcast()
			h.mu.Unlock()
		}
		h.mu.Lock()
		h.exited = true
		h.cond.Broadcast()
		h.mu.Unlock()
	}()
	select {
	case msg := <-ready:
		if msg["type"] != "ready" {
			return nil, fmt.Errorf("harness failed to start: %v", msg["error"])
		}
		h.RedisURL = msg["redis_url"].(string)
		h.Ready = msg
		return h, nil
	case <-time.After(60 * time.Second):
		return nil, fmt.Errorf("the harness did not become ready")
	}
}

// request sends a command and waits for its reply; an ok:false reply is an error.
func (h *harness) request(cmd line) (line, error) {
	h.mu.Lock()
	h.nextID++
	id := h.nextID
	cmd["id"] = id
	text, _ := json.Marshal(cmd)
	h.mu.Unlock()
	if _, err := h.stdin.Write(append(text, '\n')); err != nil {
		return nil, err
	}
	deadline := time.Now().Add(60 * time.Second)
	timer := time.AfterFunc(60*time.Second, func() { h.mu.Lock(); h.cond.Broadcast(); h.mu.Unlock() })
	defer timer.Stop()
	h.mu.Lock()
	defer h.mu.Unlock()
	for {
		if reply, ok := h.replies[id]; ok {
			delete(h.replies, id)
			if reply["ok"] != true {
				return reply, fmt.Errorf("harness command %s failed: %v", text, reply["error"])
			}
			return reply, nil
		}
		if h.exited || time.Now().After(deadline) {
			return nil, fmt.Errorf("no reply to %s", text)
		}
		h.cond.Wait()
	}
}

// logs returns the harness's buffered diagnostics (its own messages, Redis' log, every
// server's stderr), oldest first; clear empties the buffer.
func (h *harness) logs(clear bool) (string, error) {
	reply, err := h.request(line{"cmd": "logs", "clear": clear})
	if err != nil {
		return "", err
	}
	text, _ := reply["logs"].(string)
	return text, nil
}

// waitFor waits until an observation so far matches (it stays for take), or the harness
// exits, or 60 s pass; it reports whether one matched.
func (h *harness) waitFor(match func(line) bool) bool {
	deadline := time.Now().Add(60 * time.Second)
	timer := time.AfterFunc(60*time.Second, func() { h.mu.Lock(); h.cond.Broadcast(); h.mu.Unlock() })
	defer timer.Stop()
	h.mu.Lock()
	defer h.mu.Unlock()
	for {
		for _, l := range h.observed {
			if match(l) {
				return true
			}
		}
		if h.exited || time.Now().After(deadline) {
			return false
		}
		h.cond.Wait()
	}
}

// take removes and returns every observation so far.
func (h *harness) take() []line {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := h.observed
	h.observed = nil
	return out
}

func (h *harness) close() {
	h.request(line{"cmd": "shutdown"})
	h.stdin.Close()
	done := make(chan struct{})
	go func() { h.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		h.cmd.Process.Kill()
	}
}
