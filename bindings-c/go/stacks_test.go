package emitter

// The other server stacks end to end, each on a harness of its own with two Socket.IO
// servers: the Redis Streams adapter (0.3.1 with a stream name and maxLen of our own, and
// 0.2.3), and socket.io 2.5 with socket.io-redis 5.4 (Compat "socket.io-redis-5"). What the
// real clients receive is checked, never only what Redis answered.

import (
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	stacksMu sync.Mutex
	stacks   = map[string]*harness{}
)

// stackHarness starts the harness with these arguments on first use; TestMain closes them.
func stackHarness(t *testing.T, args ...string) *harness {
	t.Helper()
	stacksMu.Lock()
	defer stacksMu.Unlock()
	key := strings.Join(args, " ")
	if hh, ok := stacks[key]; ok {
		return hh
	}
	hh, err := startHarness(append([]string{"--servers", "2", "--server-events", "server_event"}, args...)...)
	if err != nil {
		t.Fatal(err)
	}
	stacks[key] = hh
	return hh
}

func closeStackHarnesses() {
	stacksMu.Lock()
	defer stacksMu.Unlock()
	for key, hh := range stacks {
		hh.close()
		delete(stacks, key)
	}
}

// The streams servers of the 0.3 tests: a stream name and maxLen other than the defaults,
// so that delivery shows the options reached the core.
func streamsHarness(t *testing.T) *harness {
	return stackHarness(t, "--adapter", "streams", "--stream-name", "go-stream", "--max-len", "500")
}

var streamsOptions = Options{Adapter: AdapterStreams, StreamName: "go-stream", MaxLen: 500, StreamsVersion: Streams03}

func socketIO2Harness(t *testing.T) *harness { return stackHarness(t, "--stack", "socket.io-redis-5") }

func connectWith(t *testing.T, hh *harness, o Options) *Emitter {
	t.Helper()
	io, err := Connect(hh.RedisURL, &o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { io.Close() })
	return io
}

// A Date as JavaScript writes it: encoding/json sends a time.Time as RFC 3339 text, which
// is what clients get from a Date anyway (JSON has no dates).
var aDate = time.UnixMilli(1_700_000_000_123).UTC()

const aDateText = "2023-11-14T22:13:20.123Z"

func b(hex string) map[string]any { return map[string]any{"$bytes": hex} }

var nestedBinary = map[string]any{"file": []byte{1, 2, 3}, "parts": []any{[]byte{4}, 5}, "at": aDate}

var nestedArrived = map[string]any{"file": b("010203"), "parts": []any{b("04"), 5.0}, "at": aDateText}

func TestStreamsBroadcastRoomsAndCount(t *testing.T) {
	sh := streamsHarness(t)
	sh.setup(t, "/go-st", client{name: "gst-a", server: 0, rooms: []any{"room1"}}, client{name: "gst-b", server: 1, rooms: []any{"room1", "muted"}}, client{name: "gst-c", server: 1, rooms: nil})
	io := connectWith(t, sh, streamsOptions).Of("/go-st")
	// 0.3: the servers that read the namespace (PUBSUB NUMSUB of its side channel), both.
	n, err := io.Emit("hello", "world", 42)
	expectReceivers(t, "broadcast", n, err, 2)
	n, err = io.To("room1").Except("muted").Emit("r1")
	expectReceivers(t, "room1 except muted", n, err, 2)
	got, args, lines := sh.received(t)
	expectEvents(t, got, map[string][]string{"gst-a": {"hello", "r1"}, "gst-b": {"hello"}, "gst-c": {"hello"}})
	if want := []any{"world", 42.0}; !reflect.DeepEqual(args["gst-c"][0], want) {
		t.Errorf("args %v, want %v", args["gst-c"][0], want)
	}
	// Each event came from the stream: the servers append its entry ID, reported apart.
	for _, l := range lines {
		if offset, _ := l["offset"].(string); l["type"] == "event" && !strings.Contains(offset, "-") {
			t.Errorf("an event without a stream offset: %v", l)
		}
	}
}

func TestStreamsBinaryAndDates(t *testing.T) {
	sh := streamsHarness(t)
	sh.setup(t, "/go-st-bin", client{name: "gst-bin", server: 1, rooms: []any{"r"}}, client{name: "gst-other", server: 0, rooms: nil})
	io := connectWith(t, sh, streamsOptions).Of("/go-st-bin")
	n, err := io.Emit("blob", []byte{0xff, 0}, nestedBinary) // base64 msgpack in the entry
	expectReceivers(t, "binary broadcast", n, err, 2)
	n, err = io.To("r").Emit("date", aDate)
	expectReceivers(t, "date to a room", n, err, 2)
	got, args, _ := sh.received(t)
	want := [][]any{{b("ff00"), nestedArrived}, {aDateText}}
	if !reflect.DeepEqual(args["gst-bin"], want) {
		t.Errorf("got %#v\nwant %#v", args["gst-bin"], want)
	}
	expectEvents(t, got, map[string][]string{"gst-other": {"blob"}})
}

func TestStreamsServerSideEmit(t *testing.T) {
	sh := streamsHarness(t)
	sh.setup(t, "/go-st-sse", client{name: "gst-sse", server: 0, rooms: nil})
	io := connectWith(t, sh, streamsOptions).Of("/go-st-sse")
	n, err := io.ServerSideEmit("server_event", "go", 7) // 0.3: PUBLISH msgpack on the side channel
	expectReceivers(t, "serverSideEmit", n, err, 2)
	got, _, lines := sh.received(t)
	servers := map[any]int{}
	for _, l := range lines {
		if l["type"] == "server_event" && l["nsp"] == "/go-st-sse" && reflect.DeepEqual(l["args"], []any{"go", 7.0}) {
			servers[l["server"]]++
		}
	}
	if !reflect.DeepEqual(servers, map[any]int{0.0: 1, 1.0: 1}) {
		t.Errorf("server_event lines per server: %v", servers)
	}
	expectEvents(t, got, map[string][]string{"gst-sse": nil})
}

// 0.2 servers cannot be counted (no Pub/Sub): an emit resolves to 1, the entry stored.
func TestStreams02(t *testing.T) {
	sh := stackHarness(t, "--adapter", "streams", "--streams-version", "0.2")
	sh.setup(t, "/go-st2", client{name: "gst2-a", server: 0, rooms: nil}, client{name: "gst2-b", server: 1, rooms: nil})
	io := connectWith(t, sh, Options{Adapter: AdapterStreams, StreamsVersion: "0.2.3"}).Of("/go-st2")
	n, err := io.Emit("old", []byte{7}, aDate)
	expectReceivers(t, "0.2 broadcast", n, err, 1)
	_, args, _ := sh.received(t)
	for _, c := range []string{"gst2-a", "gst2-b"} {
		if want := [][]any{{b("07"), aDateText}}; !reflect.DeepEqual(args[c], want) {
			t.Errorf("%s got %#v, want %#v", c, args[c], want)
		}
	}
	// require_receivers cannot be honoured there: Connect refuses the combination.
	if _, err := Connect(sh.RedisURL, &Options{Adapter: AdapterStreams, StreamsVersion: Streams02, RequireReceivers: true}); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("require receivers with 0.2: %v", err)
	}
}

func TestSocketIO2BroadcastBinaryAndDates(t *testing.T) {
	sh := socketIO2Harness(t)
	sh.setup(t, "/go-v2", client{name: "gv2-a", server: 0, rooms: []any{"r"}}, client{name: "gv2-b", server: 1, rooms: nil})
	io := connectWith(t, sh, Options{Compat: CompatSocketIORedis5}).Of("/go-v2")
	n, err := io.Emit("hello", "world", 42)
	expectReceivers(t, "broadcast", n, err, 2)
	// Binary goes as packet type 5, which socket.io 2.5 frames as binary.
	n, err = io.Emit("blob", []byte{0xff, 0}, nestedBinary)
	expectReceivers(t, "binary broadcast", n, err, 2)
	n, err = io.To("r").Emit("date", aDate)
	expectReceivers(t, "date to a room", n, err, 2)
	got, args, _ := sh.received(t)
	expectEvents(t, got, map[string][]string{"gv2-a": {"hello", "blob", "date"}, "gv2-b": {"hello", "blob"}})
	want := [][]any{{"world", 42.0}, {b("ff00"), nestedArrived}, {aDateText}}
	if !reflect.DeepEqual(args["gv2-a"], want) {
		t.Errorf("got %#v\nwant %#v", args["gv2-a"], want)
	}
}

func TestSocketIO2Unsupported(t *testing.T) {
	sh := socketIO2Harness(t)
	sh.setup(t, "/go-v2-un", client{name: "gv2-keep", server: 0, rooms: []any{"r"}}, client{name: "gv2-muted", server: 1, rooms: []any{"r", "muted"}})
	io := connectWith(t, sh, Options{Compat: CompatSocketIORedis5}).Of("/go-v2-un")
	// socket.io-redis 5 reads except as socket ids only, and has no serverSideEmit.
	_, err := io.To("r").Except("muted").Emit("not-muted")
	var e *Error
	if !errors.Is(err, ErrUnsupported) || !errors.As(err, &e) || e.Status != 15 ||
		!strings.Contains(e.Message, `compat "socket.io-redis-5"`) {
		t.Errorf("except by room on socket.io-redis-5: %v", err)
	}
	if _, err := io.ServerSideEmit("server_event", 1); !errors.Is(err, ErrUnsupported) {
		t.Errorf("serverSideEmit on socket.io-redis-5: %v", err)
	}
	got, _, lines := sh.received(t)
	expectEvents(t, got, map[string][]string{"gv2-keep": nil, "gv2-muted": nil})
	for _, l := range lines {
		if l["type"] == "server_event" {
			t.Errorf("nothing should have been published: %v", l)
		}
	}
}

func TestStackOptionsAreChecked(t *testing.T) {
	for _, c := range []struct {
		o    Options
		want string // in the INVALID_ARGUMENT message
	}{
		{Options{Compat: "socket.io-redis-4"}, `compat must be one of "redis-adapter-8"`},
		{Options{Adapter: AdapterStreams, StreamsVersion: "0.4"}, "streams_version"},
		{Options{Adapter: AdapterStreams, StreamCount: 1025}, "stream_count must be between 1 and 1024, got 1025"},
		{Options{Adapter: AdapterStreams, StreamCount: 1 << 33}, "stream_count must be between 1 and 1024"},
		{Options{Adapter: AdapterStreams, StreamCount: -1}, "StreamCount must not be negative"},
		{Options{Adapter: AdapterStreams, MaxLen: 1<<40 + 1}, "max_len must be between 1 and"},
		{Options{Adapter: AdapterStreams, MaxLen: -5}, "MaxLen must not be negative, got -5"},
		// Combinations, refused when connecting.
		{Options{Adapter: AdapterStreams, Compat: CompatSocketIORedis5}, "compat"},
		{Options{Adapter: AdapterStreams, StreamsVersion: Streams02, StreamCount: 4}, "stream_count"},
	} {
		_, err := Connect(h.RedisURL, &c.o)
		if !errors.Is(err, ErrInvalidArgument) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v; want INVALID_ARGUMENT with %q", c.o, err, c.want)
		}
	}
	for _, o := range []Options{
		{Compat: CompatRedisAdapter7}, {Compat: CompatSocketIORedis61}, {Compat: CompatSocketIORedis60},
		{Adapter: AdapterStreams, StreamName: "s", StreamCount: 4, MaxLen: 1 << 40, StreamsVersion: "0.3.1"},
	} {
		copts, err := buildOptions(&o)
		if err != nil {
			t.Errorf("%+v: %v", o, err)
			continue
		}
		freeOptions(copts)
	}
}

// Every code the C library can return has its sentinel.
func TestEverySentinelHasItsCode(t *testing.T) {
	sentinels := []*Error{ErrNullArgument, ErrInvalidUTF8, ErrInvalidJSON, ErrInvalidArgument, ErrReservedEvent,
		ErrEncode, ErrConnection, ErrRedis, ErrTimeout, ErrClosed, ErrNoSubscribers, ErrQueueFull, ErrFlush,
		ErrInternal, ErrUnsupported, ErrDetectionFailed, ErrPanic}
	codes := map[string]bool{}
	for _, s := range sentinels {
		codes[s.Code] = true
	}
	n := 0
	for status := 1; status < 256; status++ {
		if name := statusName(status); name != "UNKNOWN" {
			n++
			if !codes[name] {
				t.Errorf("status %d (%s) has no sentinel", status, name)
			}
		}
	}
	if n != len(sentinels) {
		t.Errorf("the C library has %d codes, the package %d sentinels", n, len(sentinels))
	}
	if statusName(15) != "UNSUPPORTED" || statusName(16) != "DETECTION_FAILED" {
		t.Errorf("status 15 is %s, 16 is %s", statusName(15), statusName(16))
	}
}
