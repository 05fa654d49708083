package emitter

/*
#include "socketio_emitter.h"
*/
import "C"

import (
	"fmt"
	"math"
	"net/url"
	"strings"
	"time"
)

// Adapter names the Socket.IO servers' Redis adapter (the option "adapter" of every
// binding). It must be the servers' own: each adapter only hears its own Redis command, so a
// mismatch reaches no server (RequireReceivers turns that into ErrNoSubscribers).
type Adapter string

const (
	// AdapterClassic is @socket.io/redis-adapter's createAdapter (and socket.io-redis
	// 5.x/6.x): PUBLISH. The default.
	AdapterClassic Adapter = "classic"
	// AdapterSharded is createShardedAdapter (@socket.io/redis-adapter 8.2+, Redis 7+):
	// SPUBLISH. Set SubscriptionMode to the servers' subscriptionMode too.
	AdapterSharded Adapter = "sharded"
	// AdapterStreams is @socket.io/redis-streams-adapter: XADD to the servers' stream. Set
	// StreamName, StreamCount, MaxLen and StreamsVersion to the servers' options; Key is
	// its channelPrefix.
	AdapterStreams Adapter = "streams"
	// AdapterAuto detects the servers' adapter when connecting, from what they subscribe
	// to in Redis on Key and the namespace "/"; ErrDetectionFailed when no server or
	// several adapters listen there. It uses the sharded "static" subscription mode and
	// the streams version it sees; StreamName, StreamCount and MaxLen stay as set.
	AdapterAuto Adapter = "auto"
)

// StreamsVersion is the streams servers' wire generation (the option "streams_version"):
// "0.3" (0.3.x, the default) or "0.2" (0.1.x-0.2.x). A full version such as "0.3.1" or
// "0.2.3" names its generation.
type StreamsVersion string

const (
	Streams03 StreamsVersion = "0.3"
	Streams02 StreamsVersion = "0.2"
)

// Compat is the classic adapter's server stack (the option "compat"): the emitter writes
// what that stack decodes, and an operation it cannot honour fails with ErrUnsupported
// before anything is published. Only AdapterClassic takes a value other than the default.
type Compat string

const (
	CompatRedisAdapter8   Compat = "redis-adapter-8"     // @socket.io/redis-adapter 8.x, the default
	CompatRedisAdapter7   Compat = "redis-adapter-7"     // @socket.io/redis-adapter 7.x
	CompatSocketIORedis61 Compat = "socket.io-redis-6.1" // socket.io-redis 6.1 (socket.io 4.x)
	CompatSocketIORedis60 Compat = "socket.io-redis-6.0" // socket.io-redis 6.0 (socket.io 3.x)
	CompatSocketIORedis5  Compat = "socket.io-redis-5"   // socket.io-redis 5.x (socket.io 2.x)
)

// SubscriptionMode is the sharded servers' subscriptionMode (the option
// "subscription_mode"): it decides which channel a broadcast to exactly one room goes to.
type SubscriptionMode string

const (
	SubscriptionStatic         SubscriptionMode = "static"
	SubscriptionDynamic        SubscriptionMode = "dynamic" // the servers' default
	SubscriptionDynamicPrivate SubscriptionMode = "dynamic-private"
)

// The text option setters, as values: cgo functions cannot be stored directly.
func setAdapter(o *C.sioe_options, p *C.char, n C.size_t, e **C.sioe_error) C.sioe_status {
	return C.sioe_options_set_adapter(o, p, n, e)
}

func setSubscriptionMode(o *C.sioe_options, p *C.char, n C.size_t, e **C.sioe_error) C.sioe_status {
	return C.sioe_options_set_subscription_mode(o, p, n, e)
}

func setStreamName(o *C.sioe_options, p *C.char, n C.size_t, e **C.sioe_error) C.sioe_status {
	return C.sioe_options_set_stream_name(o, p, n, e)
}

func setStreamsVersion(o *C.sioe_options, p *C.char, n C.size_t, e **C.sioe_error) C.sioe_status {
	return C.sioe_options_set_streams_version(o, p, n, e)
}

func setCompat(o *C.sioe_options, p *C.char, n C.size_t, e **C.sioe_error) C.sioe_status {
	return C.sioe_options_set_compat(o, p, n, e)
}

// Options are the connection options; the zero value of a field means the library's
// default (see the README's option table). Every other value is checked against the
// library's bounds: Connect fails with INVALID_ARGUMENT naming the option (durations at
// most 24 h and not negative, QueueCapacity at most 4294967295, ...).
type Options struct {
	Key               string           // channel prefix, default "socket.io"
	Adapter           Adapter          // the servers' adapter: AdapterClassic (default), AdapterSharded or AdapterStreams
	SubscriptionMode  SubscriptionMode // with AdapterSharded: the servers' mode, default SubscriptionDynamic
	TLSCAPEM          []byte           // CA bundle for rediss:// with a private CA
	ConnectTimeout    time.Duration    // default 5s; every call waits at most ConnectTimeout + ResponseTimeout
	ResponseTimeout   time.Duration    // default 5s
	ReconnectMinDelay time.Duration    // default 100ms
	ReconnectMaxDelay time.Duration    // default 2s
	ReconnectAttempts int              // default 6, at most 1000
	QueueCapacity     int              // capacity of the Enqueue queue, default 10000
	QueueMaxBytes     int              // byte bound of the Enqueue queue, default 64 MiB
	QueueFullError    bool             // a full queue fails with QUEUE_FULL instead of blocking
	RequireReceivers  bool             // a publish that reaches no server fails with NO_SUBSCRIBERS
	MaxPayloadBytes   int              // largest payload of one operation, default 16 MiB (ENCODE beyond)

	// The streams adapter's options (AdapterStreams), set like the servers':
	// StreamName is its streamName (default "socket.io"), StreamCount its streamCount (1 to
	// 1024, default 1; 0.3 only), MaxLen its maxLen (1 to 2^40, default 10000), and
	// StreamsVersion its generation (Streams03, the default, or Streams02).
	StreamName     string
	StreamCount    int
	MaxLen         int64
	StreamsVersion StreamsVersion
	// Compat is the classic servers' stack, CompatRedisAdapter8 by default (see Compat).
	Compat Compat

	// ClusterNodes are seed nodes of a Redis Cluster (the option "cluster_nodes"):
	// redis:// or rediss:// URLs with the credentials every node takes. Connect's url must
	// then be "". Both adapters work there; RequireReceivers needs AdapterSharded (a
	// cluster's PUBLISH counts only the subscribers of the node that received it).
	ClusterNodes []string
	// SentinelMaster is the name the sentinels monitor the master under (the option
	// "sentinel_master"), and SentinelNodes the sentinels ("sentinel_nodes", with their own
	// credentials if any). Connect's url then gives the master's credentials, database and
	// TLS (its host and port are not used), or is "" for none.
	SentinelMaster string
	SentinelNodes  []string
}

// String shows the options with the passwords of node URLs replaced by "***", so that
// printing them (%v, %+v, %s) never reveals one.
func (o Options) String() string {
	type plain Options // without this method
	return fmt.Sprintf("%+v", plain(o.redacted()))
}

// GoString is String for %#v.
func (o Options) GoString() string {
	type plain Options
	return fmt.Sprintf("%#v", plain(o.redacted()))
}

func (o Options) redacted() Options {
	o.ClusterNodes = redactURLs(o.ClusterNodes)
	o.SentinelNodes = redactURLs(o.SentinelNodes)
	return o
}

func redactURLs(nodes []string) []string {
	if nodes == nil {
		return nil
	}
	out := make([]string, len(nodes))
	for i, n := range nodes {
		u, err := url.Parse(n)
		switch {
		case err != nil || u.Scheme == "" || u.Opaque != "":
			out[i] = "<unparsable URL>" // where a password would be cannot be told
		case u.User != nil:
			// Redacted writes the password as "xxxxx"; an escaped user name holds no ':'.
			out[i] = strings.Replace(u.Redacted(), ":xxxxx@", ":***@", 1)
		default:
			out[i] = n
		}
	}
	return out
}

// hasTopology says whether the options name a cluster or sentinels: an empty url then
// crosses as NULL, which the C library reads as "no URL".
func (o *Options) hasTopology() bool {
	return o != nil && (len(o.ClusterNodes) > 0 || o.SentinelMaster != "" || len(o.SentinelNodes) > 0)
}

// The node setters, as values: cgo functions cannot be stored directly.
func addClusterNode(o *C.sioe_options, p *C.char, n C.size_t, e **C.sioe_error) C.sioe_status {
	return C.sioe_options_add_cluster_node(o, p, n, e)
}

func addSentinelNode(o *C.sioe_options, p *C.char, n C.size_t, e **C.sioe_error) C.sioe_status {
	return C.sioe_options_add_sentinel_node(o, p, n, e)
}

func setOption(status C.sioe_status, cerr *C.sioe_error) error { return check(status, cerr) }

func freeOptions(opts *C.sioe_options) { C.sioe_options_free(opts) }

// notNegative refuses a negative count, which C would read as a huge size_t.
func notNegative(name string, n int) error {
	if n < 0 {
		return newError("INVALID_ARGUMENT", fmt.Sprintf("%s must not be negative, got %d", name, n))
	}
	return nil
}

func buildOptions(o *Options) (*C.sioe_options, error) {
	opts := C.sioe_options_new()
	if o == nil {
		return opts, nil
	}
	for _, n := range []struct {
		name  string
		value int
	}{{"ReconnectAttempts", o.ReconnectAttempts}, {"QueueCapacity", o.QueueCapacity},
		{"QueueMaxBytes", o.QueueMaxBytes}, {"MaxPayloadBytes", o.MaxPayloadBytes}, {"StreamCount", o.StreamCount}} {
		if err := notNegative(n.name, n.value); err != nil {
			freeOptions(opts)
			return nil, err
		}
	}
	if o.MaxLen < 0 {
		freeOptions(opts)
		return nil, newError("INVALID_ARGUMENT", fmt.Sprintf("MaxLen must not be negative, got %d", o.MaxLen))
	}
	// C takes a uint32: a larger count is refused here, as the library refuses any above 1024.
	if uint64(o.StreamCount) > math.MaxUint32 {
		freeOptions(opts)
		return nil, newError("INVALID_ARGUMENT", fmt.Sprintf("stream_count must be between 1 and 1024, got %d", o.StreamCount))
	}
	var cerr *C.sioe_error
	var steps []func() C.sioe_status
	if o.Key != "" {
		key := []byte(o.Key)
		steps = append(steps, func() C.sioe_status { p, n := cbytes(key); return C.sioe_options_set_key(opts, p, n, &cerr) })
	}
	for _, t := range []struct {
		value string
		set   func(*C.sioe_options, *C.char, C.size_t, **C.sioe_error) C.sioe_status
	}{{string(o.Adapter), setAdapter}, {string(o.SubscriptionMode), setSubscriptionMode},
		{o.StreamName, setStreamName}, {string(o.StreamsVersion), setStreamsVersion}, {string(o.Compat), setCompat}} {
		if t.value != "" {
			text, set := []byte(t.value), t.set
			steps = append(steps, func() C.sioe_status { p, n := cbytes(text); return set(opts, p, n, &cerr) })
		}
	}
	if o.SentinelMaster != "" {
		master := []byte(o.SentinelMaster)
		steps = append(steps, func() C.sioe_status {
			p, n := cbytes(master)
			return C.sioe_options_set_sentinel_master(opts, p, n, &cerr)
		})
	}
	for _, list := range []struct {
		nodes []string
		add   func(*C.sioe_options, *C.char, C.size_t, **C.sioe_error) C.sioe_status
	}{{o.ClusterNodes, addClusterNode}, {o.SentinelNodes, addSentinelNode}} {
		for _, node := range list.nodes {
			text, add := []byte(node), list.add
			steps = append(steps, func() C.sioe_status { p, n := cbytes(text); return add(opts, p, n, &cerr) })
		}
	}
	if o.TLSCAPEM != nil {
		steps = append(steps, func() C.sioe_status {
			p, n := cbytes(o.TLSCAPEM)
			return C.sioe_options_set_tls_ca_pem(opts, p, n, &cerr)
		})
	}
	if o.ReconnectAttempts > 0 {
		// Sets the delays to their defaults too; the durations below come after.
		steps = append(steps, func() C.sioe_status {
			return C.sioe_options_set_reconnect(opts, 100, 2000, C.size_t(o.ReconnectAttempts), &cerr)
		})
	}
	// Durations go through the C library in (fractional) milliseconds, negative ones
	// included, so that its bounds and messages apply.
	for _, d := range []struct {
		which C.int32_t
		value time.Duration
	}{{C.SIOE_DURATION_CONNECT_TIMEOUT, o.ConnectTimeout}, {C.SIOE_DURATION_RESPONSE_TIMEOUT, o.ResponseTimeout},
		{C.SIOE_DURATION_RECONNECT_MIN_DELAY, o.ReconnectMinDelay}, {C.SIOE_DURATION_RECONNECT_MAX_DELAY, o.ReconnectMaxDelay}} {
		if d.value != 0 {
			which, ms := d.which, timeoutMs(d.value)
			steps = append(steps, func() C.sioe_status { return C.sioe_options_set_duration_ms(opts, which, ms, &cerr) })
		}
	}
	if o.QueueCapacity > 0 || o.QueueFullError {
		capacity, policy := 10000, C.int32_t(C.SIOE_QUEUE_FULL_BLOCK)
		if o.QueueCapacity > 0 {
			capacity = o.QueueCapacity
		}
		if o.QueueFullError {
			policy = C.SIOE_QUEUE_FULL_ERROR
		}
		steps = append(steps, func() C.sioe_status { return C.sioe_options_set_queue(opts, C.size_t(capacity), policy, &cerr) })
	}
	if o.QueueMaxBytes > 0 {
		steps = append(steps, func() C.sioe_status {
			return C.sioe_options_set_queue_max_bytes(opts, C.size_t(o.QueueMaxBytes), &cerr)
		})
	}
	if o.MaxPayloadBytes > 0 {
		steps = append(steps, func() C.sioe_status {
			return C.sioe_options_set_max_payload_bytes(opts, C.size_t(o.MaxPayloadBytes), &cerr)
		})
	}
	if o.RequireReceivers {
		steps = append(steps, func() C.sioe_status { return C.sioe_options_set_require_receivers(opts, true, &cerr) })
	}
	if o.StreamCount > 0 {
		steps = append(steps, func() C.sioe_status {
			return C.sioe_options_set_stream_count(opts, C.uint32_t(o.StreamCount), &cerr)
		})
	}
	if o.MaxLen > 0 {
		steps = append(steps, func() C.sioe_status { return C.sioe_options_set_max_len(opts, C.uint64_t(o.MaxLen), &cerr) })
	}
	for _, step := range steps {
		if err := setOption(step(), cerr); err != nil {
			freeOptions(opts)
			return nil, err
		}
	}
	return opts, nil
}
