package emitter

// Faults, against a harness of their own (one Socket.IO server) so that stopping Redis
// disturbs no other test: the bad-input table, the call bound with Redis stopped,
// CloseTimeout with 10k queued operations, flush reports with FLUSH, and SIGPIPE in a child
// process while Redis is killed and restarted.

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const (
	faultConnect  = 500 * time.Millisecond
	faultResponse = 500 * time.Millisecond
	faultSlack    = 1500 * time.Millisecond
	sigpipeEnv    = "SIOE_GO_SIGPIPE_CHILD" // the child's Redis URL
	password      = "s3cret-pw"
)

// The SIGPIPE child runs before TestMain: this test binary, re-executed with sigpipeEnv set.
func init() {
	if url := os.Getenv(sigpipeEnv); url != "" {
		os.Exit(sigpipeChild(url))
	}
}

// faultHarness starts a private harness, stopped when the test ends.
func faultHarness(t *testing.T) *harness {
	t.Helper()
	fh, err := startHarness("--servers", "1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			if text, err := fh.logs(true); err == nil && text != "" {
				t.Logf("fault harness logs:\n%s", text)
			}
		}
		fh.close()
	})
	return fh
}

func must(t *testing.T, fh *harness, cmd line) {
	t.Helper()
	if _, err := fh.request(cmd); err != nil {
		t.Fatal(err)
	}
}

// waitEvent waits until client received event (taking every line seen so far).
func waitEvent(t *testing.T, fh *harness, client, event string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		for _, l := range fh.take() {
			if l["type"] == "event" && l["client"] == client && l["event"] == event {
				return
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s did not receive %s", client, event)
}

func code(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err == nil {
		return "OK"
	}
	return "not an *Error: " + err.Error()
}

func nestedSlice(levels int) any {
	var v any = 1
	for i := 0; i < levels; i++ {
		v = []any{v}
	}
	return v
}

func TestFaultsBadInputs(t *testing.T) {
	fh := faultHarness(t)
	url := fh.RedisURL
	io, err := Connect(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer io.Close()
	small, err := Connect(url, &Options{MaxPayloadBytes: 1024})
	if err != nil {
		t.Fatal(err)
	}
	defer small.Close()
	connectWith := func(u string, o *Options) func() error {
		return func() error {
			e, err := Connect(u, o)
			if err == nil {
				e.Close()
			}
			return err
		}
	}
	emit := func(e *Emitter, event string, args ...any) func() error {
		return func() error { _, err := e.Emit(event, args...); return err }
	}
	big := strings.Repeat("x", 2000)
	clusterNode := "redis://alice:" + password + "@127.0.0.1:1" // nobody listens there
	hostPort := strings.TrimPrefix(url, "redis://")
	rows := []struct {
		name   string
		call   func() error
		code   string
		needle string
	}{
		{"negative duration", connectWith(url, &Options{ConnectTimeout: -5 * time.Millisecond}), "INVALID_ARGUMENT", "connect_timeout_ms"},
		{"duration past a day", connectWith(url, &Options{ResponseTimeout: 25 * time.Hour}), "INVALID_ARGUMENT", "response_timeout_ms"},
		{"huge duration", connectWith(url, &Options{ReconnectMaxDelay: time.Duration(math.MaxInt64)}), "INVALID_ARGUMENT", "reconnect_max_delay_ms"},
		{"negative delay", connectWith(url, &Options{ReconnectMinDelay: -time.Second}), "INVALID_ARGUMENT", "reconnect_min_delay_ms"},
		{"delays out of order", connectWith(url, &Options{ReconnectMinDelay: 5 * time.Second}), "INVALID_ARGUMENT", "reconnect_min_delay_ms"},
		{"attempts", connectWith(url, &Options{ReconnectAttempts: 1001}), "INVALID_ARGUMENT", "reconnect_attempts"},
		{"negative attempts", connectWith(url, &Options{ReconnectAttempts: -1}), "INVALID_ARGUMENT", "ReconnectAttempts"},
		{"queue capacity 2^62", connectWith(url, &Options{QueueCapacity: 1 << 62}), "INVALID_ARGUMENT", "queue_capacity"},
		{"queue capacity negative", connectWith(url, &Options{QueueCapacity: -1}), "INVALID_ARGUMENT", "QueueCapacity"},
		{"queue capacity 2^32", connectWith(url, &Options{QueueCapacity: 1 << 32}), "INVALID_ARGUMENT", "4294967295"},
		{"max payload past 512 MiB", connectWith(url, &Options{MaxPayloadBytes: 512<<20 + 1}), "INVALID_ARGUMENT", "max_payload_bytes"},
		{"negative max payload", connectWith(url, &Options{MaxPayloadBytes: -1}), "INVALID_ARGUMENT", "MaxPayloadBytes"},
		{"unknown adapter", connectWith(url, &Options{Adapter: "kafka"}), "INVALID_ARGUMENT", `adapter must be one of "classic", "sharded", "streams"`},
		{"unknown subscription mode", connectWith(url, &Options{Adapter: AdapterSharded, SubscriptionMode: "private"}), "INVALID_ARGUMENT", `"static", "dynamic", "dynamic-private"`},
		{"flush timeout negative", func() error { _, err := io.FlushTimeout(-time.Millisecond); return err }, "INVALID_ARGUMENT", "timeout_ms"},
		{"flush timeout past a day", func() error { _, err := io.FlushTimeout(48 * time.Hour); return err }, "INVALID_ARGUMENT", "timeout_ms"},
		{"close timeout negative", func() error { _, err := io.CloseTimeout(-time.Second); return err }, "INVALID_ARGUMENT", "timeout_ms"},
		{"max_payload_bytes exceeded", emit(small, "ev", big), "ENCODE", "max_payload_bytes"},
		{"max_payload_bytes exceeded, queued", func() error { _, err := small.Enqueue("ev", big); return err }, "ENCODE", "max_payload_bytes"},
		{"payload that fits", emit(small, "ev", "small"), "OK", ""},
		{"empty event name", emit(io, ""), "INVALID_ARGUMENT", "event"},
		{"empty event name, queued", func() error { _, err := io.Enqueue(""); return err }, "INVALID_ARGUMENT", "event"},
		{"empty event name, server-side", func() error { _, err := io.ServerSideEmit(""); return err }, "INVALID_ARGUMENT", "event"},
		{"reserved event", emit(io, "connect"), "RESERVED_EVENT", "connect"},
		{"nesting at the limit", emit(io, "ev", nestedSlice(512)), "OK", ""},
		{"nesting past the limit", emit(io, "ev", nestedSlice(513)), "ENCODE", "512"},
		{"nesting far past the limit", emit(io, "ev", nestedSlice(5000)), "ENCODE", "512"},
		{"invalid UTF-8 event", emit(io, "e\xffv"), "INVALID_UTF8", "event"},
		{"invalid UTF-8 argument", emit(io, "ev", "bad\xff"), "INVALID_UTF8", "UTF-8"},
		{"invalid UTF-8 map key", emit(io, "ev", map[string]any{"k\xff": []byte{1}}), "INVALID_UTF8", "UTF-8"},
		{"a real U+FFFD", emit(io, "ev", "\ufffd"), "OK", ""},
		{"a backslash and ufffd", emit(io, "ev", `\ufffd`), "OK", ""},
		{"invalid UTF-8 room", emit(io.To("r\xff"), "ev"), "INVALID_UTF8", "room"},
		{"unencodable argument", emit(io, "ev", math.NaN()), "ENCODE", ""},
		{"invalid JSON argument", emit(io, "ev", rawJSON("{")), "ENCODE", ""},
		{"http URL", connectWith("http://127.0.0.1:6379", nil), "INVALID_ARGUMENT", "redis://"},
		{"empty URL", connectWith("", nil), "INVALID_ARGUMENT", "URL"},
		{"unix URL", connectWith("unix:///tmp/redis.sock", nil), "INVALID_ARGUMENT", "redis://"},
		{"password in a bad URL", connectWith("http://alice:"+password+"@127.0.0.1", nil), "INVALID_ARGUMENT", "redis://"},
		{"password, refused", connectWith("redis://alice:"+password+"@127.0.0.1:1", &Options{ConnectTimeout: 300 * time.Millisecond, ResponseTimeout: 300 * time.Millisecond}), "CONNECTION", "refused"},
		{"password, wrong", connectWith("redis://alice:"+password+"@"+hostPort, nil), "CONNECTION", ""},
		// Redis Cluster and Sentinel: the messages name the option, no password shows.
		{"empty cluster node", connectWith("", &Options{ClusterNodes: []string{""}}), "INVALID_ARGUMENT", "cluster_nodes"},
		{"http cluster node", connectWith("", &Options{ClusterNodes: []string{"http://alice:" + password + "@127.0.0.1:7000"}}), "INVALID_ARGUMENT", "cluster_nodes: each node must be a redis:// or rediss:// URL"},
		{"cluster node without a host", connectWith("", &Options{ClusterNodes: []string{"redis://alice:" + password + "@"}}), "INVALID_ARGUMENT", "cluster_nodes"},
		{"cluster node not a URL", connectWith("", &Options{ClusterNodes: []string{"not a url " + password}}), "INVALID_ARGUMENT", "cluster_nodes"},
		{"invalid UTF-8 cluster node", connectWith("", &Options{ClusterNodes: []string{"redis://h\xff:1"}}), "INVALID_UTF8", "cluster_nodes"},
		{"cluster nodes mixing schemes", connectWith("", &Options{ClusterNodes: []string{"redis://a:1", "rediss://b:1"}}), "INVALID_ARGUMENT", "mixes redis:// and rediss://"},
		{"url and cluster nodes", connectWith("redis://bob:"+password+"@10.0.0.1:6379", &Options{ClusterNodes: []string{clusterNode}}), "INVALID_ARGUMENT", "set either url or cluster_nodes"},
		{"cluster, classic and RequireReceivers", connectWith("", &Options{ClusterNodes: []string{clusterNode}, RequireReceivers: true}), "INVALID_ARGUMENT", "require_receivers"},
		{"cluster and sentinels", connectWith("", &Options{ClusterNodes: []string{clusterNode}, SentinelMaster: "m", SentinelNodes: []string{clusterNode}}), "INVALID_ARGUMENT", "set either cluster_nodes or sentinel_master"},
		{"cluster unreachable", connectWith("", &Options{ClusterNodes: []string{clusterNode}, ConnectTimeout: 300 * time.Millisecond, ResponseTimeout: 300 * time.Millisecond, ReconnectAttempts: 1}), "CONNECTION", ""},
		{"invalid UTF-8 sentinel master", connectWith("", &Options{SentinelMaster: "m\xff", SentinelNodes: []string{clusterNode}}), "INVALID_UTF8", "sentinel_master"},
		{"sentinel master without sentinels", connectWith("", &Options{SentinelMaster: "mymaster"}), "INVALID_ARGUMENT", "sentinel_master needs sentinel_nodes"},
		{"sentinels without a master", connectWith("", &Options{SentinelNodes: []string{clusterNode}}), "INVALID_ARGUMENT", "sentinel_master"},
		{"empty sentinel node", connectWith("", &Options{SentinelMaster: "mymaster", SentinelNodes: []string{""}}), "INVALID_ARGUMENT", "sentinel_nodes"},
		{"http sentinel node", connectWith("", &Options{SentinelMaster: "mymaster", SentinelNodes: []string{"http://:" + password + "@127.0.0.1:26379"}}), "INVALID_ARGUMENT", "sentinel_nodes: each node must be a redis:// or rediss:// URL"},
		{"sentinels mixing schemes", connectWith("", &Options{SentinelMaster: "mymaster", SentinelNodes: []string{"redis://a:1", "rediss://b:1"}}), "INVALID_ARGUMENT", "mixes redis:// and rediss://"},
		{"sentinel, http url", connectWith("http://:"+password+"@m", &Options{SentinelMaster: "mymaster", SentinelNodes: []string{clusterNode}}), "INVALID_ARGUMENT", "redis://"},
		{"sentinels unreachable", connectWith("redis://:"+password+"@m/1", &Options{SentinelMaster: "mymaster", SentinelNodes: []string{clusterNode}, ConnectTimeout: 300 * time.Millisecond, ResponseTimeout: 300 * time.Millisecond, ReconnectAttempts: 1}), "CONNECTION", ""},
	}
	for _, r := range rows {
		err := r.call()
		msg := ""
		if err != nil {
			msg = err.Error()
		}
		if got := code(err); got != r.code {
			t.Errorf("%s: code %s, want %s (%s)", r.name, got, r.code, msg)
		}
		if !strings.Contains(msg, r.needle) {
			t.Errorf("%s: %q not in %q", r.name, r.needle, msg)
		}
		if strings.Contains(msg, "s3cret") {
			t.Errorf("%s: the password shows: %s", r.name, msg)
		}
	}
	if !errors.Is(&Error{Code: "INTERNAL"}, ErrInternal) {
		t.Error("ErrInternal")
	}
	if _, err := io.Emit("still-open"); err != nil {
		t.Errorf("a close with a bad timeout closed the emitter: %v", err)
	}
}

// rawJSON marshals to invalid JSON text.
type rawJSON string

func (r rawJSON) MarshalJSON() ([]byte, error) { return []byte(r), nil }

func TestFaultsCallBoundsWithRedisStopped(t *testing.T) {
	fh := faultHarness(t)
	must(t, fh, line{"cmd": "client", "name": "fq", "nsp": "/faults-q"})
	must(t, fh, line{"cmd": "wait_subscribed", "nsp": "/faults-q"})
	io, err := Connect(fh.RedisURL, &Options{ConnectTimeout: faultConnect, ResponseTimeout: faultResponse})
	if err != nil {
		t.Fatal(err)
	}
	defer io.Close()
	// Published before Redis goes: 100 to a namespace no server has, then one a client sees
	// (the queue keeps order, so once it arrived the others were published too).
	for i := 0; i < 100; i++ {
		if _, err := io.Of("/nobody-listens").Enqueue("lost", i); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := io.Of("/faults-q").Enqueue("last"); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, fh, "fq", "last")
	// Redis wrote its replies to us in the same pass as the message the client saw.
	must(t, fh, line{"cmd": "redis_stop"})

	bound := faultConnect + faultResponse + faultSlack
	for i := 0; i < 3; i++ {
		start := time.Now()
		_, err := io.Emit("down", i)
		took := time.Since(start)
		t.Logf("emit with Redis stopped: %v (bound %v + %v)", took.Round(time.Millisecond), faultConnect, faultResponse)
		if !errors.Is(err, ErrConnection) {
			t.Errorf("emit with Redis stopped: %v, want CONNECTION", err)
		} else if msg := strings.ToLower(err.Error()); !strings.Contains(msg, "refused") &&
			!strings.Contains(msg, "end of file") && !strings.Contains(msg, "reset") && !strings.Contains(msg, "broken pipe") {
			t.Errorf("the cause is not named: %v", err)
		}
		if took > bound {
			t.Errorf("emit took %v, bound %v", took, bound)
		}
	}

	const n = 10000
	tickets := make([]uint64, 0, n)
	for i := 0; i < n; i++ {
		ticket, err := io.Enqueue("q", i)
		if err != nil {
			t.Fatalf("enqueue %d: %v", i, err)
		}
		tickets = append(tickets, ticket)
	}
	start := time.Now()
	report, err := io.CloseTimeout(time.Second)
	took := time.Since(start)
	t.Logf("CloseTimeout(1s) with %d queued and Redis stopped: %v, %v", n, took.Round(time.Millisecond), code(err))
	if took > time.Second+faultSlack {
		t.Errorf("close took %v", took)
	}
	var e *Error
	if !errors.As(err, &e) || e.Code != "FLUSH" {
		t.Fatalf("close: %v, want FLUSH", err)
	}
	// The report counts what succeeded (the 101 published before the stop) with FLUSH.
	if report.Sent+report.Failed != 101+n || report.Sent < 90 || report.ReachedNone != report.Sent-report.Receivers ||
		e.Report == nil || *e.Report != report || uint64(len(e.Failures)) != report.Failed {
		t.Errorf("report %+v (error's %+v), %d failures listed", report, e.Report, len(e.Failures))
	}
	failed := map[uint64]string{}
	for _, f := range e.Failures {
		failed[f.Ticket] = f.Code
	}
	for _, ticket := range tickets {
		if c := failed[ticket]; c != "CONNECTION" && c != "TIMEOUT" {
			t.Fatalf("ticket %d reported as %q", ticket, c)
		}
	}
	if _, err := io.Emit("late"); !errors.Is(err, ErrClosed) {
		t.Errorf("after close: %v", err)
	}
	must(t, fh, line{"cmd": "redis_start"})
}

// sigpipeChild enqueues and emits until stdin reaches EOF, with Go's own SIGPIPE handling
// (the default for a Go program: a SIGPIPE raised on a thread Go does not own kills the
// process). Exit 0: only successes and typed errors were seen; 3: something else.
func sigpipeChild(url string) int {
	io, err := Connect(url, &Options{ConnectTimeout: 300 * time.Millisecond, ResponseTimeout: 300 * time.Millisecond,
		ReconnectMinDelay: 10 * time.Millisecond, ReconnectMaxDelay: 50 * time.Millisecond, ReconnectAttempts: 20,
		QueueCapacity: 2000, QueueFullError: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child: connect:", err)
		return 4
	}
	fmt.Println("ready") // the parent stops Redis only once we are connected
	var done atomic.Bool
	go func() { _, _ = io2Discard(os.Stdin); done.Store(true) }()
	counts := map[string]int{}
	unexpected := 0
	for i := 0; !done.Load(); i++ {
		var err error
		switch {
		case i%50 == 0:
			_, err = io.Emit("blocking", i)
		case i%500 == 1:
			_, err = io.FlushTimeout(200 * time.Millisecond)
		default:
			_, err = io.Enqueue("queued", i)
		}
		c := code(err)
		switch c {
		case "OK", "CONNECTION", "TIMEOUT", "QUEUE_FULL", "FLUSH":
			counts[c]++
		default:
			if unexpected++; unexpected < 5 {
				fmt.Fprintln(os.Stderr, "child: unexpected", err)
			}
		}
		if c == "QUEUE_FULL" {
			time.Sleep(time.Millisecond)
		}
	}
	if _, err := io.CloseTimeout(2 * time.Second); err != nil && code(err) != "FLUSH" {
		unexpected++
	}
	fmt.Fprintln(os.Stderr, "child:", counts)
	if unexpected > 0 {
		return 3
	}
	return 0
}

func io2Discard(r *os.File) (int64, error) { return io.Copy(io.Discard, r) }

func TestFaultsSIGPIPENeverReachesTheHost(t *testing.T) {
	fh := faultHarness(t)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for run := 1; run <= 3; run++ {
		child := exec.Command(self, "-test.run=^$")
		child.Env = append(os.Environ(), sigpipeEnv+"="+fh.RedisURL)
		child.Stderr = os.Stderr
		stdin, err := child.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		stdout, err := child.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := child.Start(); err != nil {
			t.Fatal(err)
		}
		// A loaded machine may start the child slowly: stop Redis once it is connected.
		if ready, _ := bufio.NewReader(stdout).ReadString('\n'); ready != "ready\n" {
			t.Fatalf("run %d: the child did not connect (%q)", run, ready)
		}
		time.Sleep(400 * time.Millisecond) // let it emit for a while: the scenario, not a wait
		must(t, fh, line{"cmd": "redis_stop"})
		time.Sleep(600 * time.Millisecond)
		must(t, fh, line{"cmd": "redis_start"})
		time.Sleep(400 * time.Millisecond)
		stdin.Close()
		err = child.Wait()
		if err != nil {
			t.Errorf("run %d: the child failed: %v (signal: broken pipe means SIGPIPE)", run, err)
		}
	}
}
