// SPDX-License-Identifier: MIT
package socketio.emitter;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Connection options; every setter returns this. Unset options keep the library's
 * defaults: key "socket.io", adapter "classic" (subscription mode "dynamic", compat
 * "redis-adapter-8"; for "streams": stream "socket.io", one stream, maxLen 10000, version "0.3"), 5 s
 * timeouts, reconnect 100 ms to 2 s with 6 attempts, a queue of 10000 that blocks when
 * full, payloads up to 16 MiB, no strict mode. Every value is checked when connecting:
 * durations at most a day and not negative, and so on;
 * a bad one throws INVALID_ARGUMENT naming the option. Every call then waits at most
 * connect timeout + response timeout. A Redis Cluster ({@link #clusterNodes}) or Sentinel
 * ({@link #sentinelMaster}, {@link #sentinelNodes}) replaces the single server.
 */
public final class Options {
    String key;
    String adapter;
    String subscriptionMode;
    byte[] tlsCaPem;
    Duration connectTimeout;
    Duration responseTimeout;
    Duration reconnectMinDelay = Duration.ofMillis(100);
    Duration reconnectMaxDelay = Duration.ofSeconds(2);
    Integer reconnectAttempts;
    boolean reconnectSet;
    Long queueCapacity;
    boolean queueFullError;
    Long queueMaxBytes;
    Long maxPayloadBytes;
    boolean requireReceivers;
    List<String> clusterNodes;
    String sentinelMaster;
    List<String> sentinelNodes;
    String streamName;
    Integer streamCount;
    Long maxLen;
    String streamsVersion;
    String compat;

    /** The channel prefix: the adapter's {@code key} option. */
    public Options key(String key) {
        this.key = key;
        return this;
    }

    /**
     * The Socket.IO servers' Redis adapter: {@code "classic"} (the default: {@code createAdapter},
     * PUBLISH; see {@link #compat} for the older stacks), {@code "sharded"}
     * ({@code createShardedAdapter}, SPUBLISH, Redis 7+) or {@code "streams"}
     * ({@code @socket.io/redis-streams-adapter}, XADD; see {@link #streamName}), or {@code "auto"}:
     * detected when connecting from what the servers subscribe to (key, namespace {@code /}),
     * DETECTION_FAILED when no server or several adapters listen there. It must be
     * the servers' own: each adapter only hears its own command, so a mismatch reaches no server
     * ({@link #requireReceivers} turns that into NO_SUBSCRIBERS). Another value fails
     * {@code connect} with INVALID_ARGUMENT naming the accepted ones.
     */
    public Options adapter(String adapter) {
        this.adapter = adapter;
        return this;
    }

    /**
     * The sharded servers' {@code subscriptionMode}: {@code "static"}, {@code "dynamic"} (the
     * default, as on the servers) or {@code "dynamic-private"}. It decides which channel a
     * broadcast to exactly one room goes to; only the sharded adapter reads it.
     */
    public Options subscriptionMode(String mode) {
        this.subscriptionMode = mode;
        return this;
    }

    /**
     * Seed nodes of a Redis Cluster (the option {@code cluster_nodes}): {@code redis://} or
     * {@code rediss://} URLs with the credentials every node takes. {@code connect}'s url must
     * then be null. Both adapters work there; {@link #requireReceivers} needs the sharded one
     * (a cluster's PUBLISH counts only the subscribers of the node that received it). A bad
     * URL fails {@code connect} with INVALID_ARGUMENT naming {@code cluster_nodes}, without
     * its password; null unsets the option.
     */
    public Options clusterNodes(String... urls) {
        this.clusterNodes = urls == null ? null : new ArrayList<>(Arrays.asList(urls));
        return this;
    }

    /** {@link #clusterNodes(String...)} from a list. */
    public Options clusterNodes(List<String> urls) {
        this.clusterNodes = urls == null ? null : new ArrayList<>(urls);
        return this;
    }

    /**
     * The name the sentinels monitor the master under (the option {@code sentinel_master}),
     * with {@link #sentinelNodes}. {@code connect}'s url then gives the master's credentials,
     * database and TLS (its host and port are not used), or is null for none.
     */
    public Options sentinelMaster(String master) {
        this.sentinelMaster = master;
        return this;
    }

    /**
     * The sentinels (the option {@code sentinel_nodes}): {@code redis://} or {@code rediss://}
     * URLs, with the sentinels' own credentials if any; checked like {@link #clusterNodes}.
     */
    public Options sentinelNodes(String... urls) {
        this.sentinelNodes = urls == null ? null : new ArrayList<>(Arrays.asList(urls));
        return this;
    }

    /** {@link #sentinelNodes(String...)} from a list. */
    public Options sentinelNodes(List<String> urls) {
        this.sentinelNodes = urls == null ? null : new ArrayList<>(urls);
        return this;
    }

    /** PEM bundle of a private CA, for rediss:// URLs. */
    public Options tlsCaPem(byte[] pem) {
        this.tlsCaPem = pem.clone();
        return this;
    }

    public Options connectTimeout(Duration d) {
        this.connectTimeout = d;
        return this;
    }

    public Options responseTimeout(Duration d) {
        this.responseTimeout = d;
        return this;
    }

    /** Reconnection backoff (first delay, doubling up to max) and attempts per reconnection. */
    public Options reconnect(Duration minDelay, Duration maxDelay, int attempts) {
        this.reconnectMinDelay = minDelay;
        this.reconnectMaxDelay = maxDelay;
        this.reconnectAttempts = attempts;
        this.reconnectSet = true;
        return this;
    }

    /**
     * Capacity of the {@code enqueue} queue (1 to 4294967295); {@code failWhenFull} gives
     * QUEUE_FULL instead of waiting.
     */
    public Options queue(long capacity, boolean failWhenFull) {
        this.queueCapacity = capacity;
        this.queueFullError = failWhenFull;
        return this;
    }

    /** Byte bound of the {@code enqueue} queue (default 64 MiB): an operation holds its bytes until Redis answered it. */
    public Options queueMaxBytes(long maxBytes) {
        this.queueMaxBytes = maxBytes;
        return this;
    }

    /**
     * The largest payload one operation may publish (default 16 MiB, at most 512 MiB); a
     * larger one fails with ENCODE before anything is sent.
     */
    public Options maxPayloadBytes(long maxBytes) {
        this.maxPayloadBytes = maxBytes;
        return this;
    }

    /** Strict mode: a publish that reaches no Socket.IO server fails with NO_SUBSCRIBERS. */
    public Options requireReceivers(boolean require) {
        this.requireReceivers = require;
        return this;
    }

    /**
     * The streams adapter's {@code streamName} (default {@code "socket.io"}, not empty): the
     * stream key, or its prefix when {@link #streamCount} is above 1. The streams adapter's
     * {@code channelPrefix} is {@link #key}.
     */
    public Options streamName(String name) {
        this.streamName = name;
        return this;
    }

    /**
     * The streams adapter's {@code streamCount} (1 to 1024, default 1; 0.3 servers only): the
     * namespaces are spread over this many streams, as the servers spread them.
     */
    public Options streamCount(int count) {
        this.streamCount = count;
        return this;
    }

    /**
     * The streams adapter's {@code maxLen} (1 to 2^40, default 10000): each XADD trims the stream
     * to about this many entries, as the servers do.
     */
    public Options maxLen(long maxLen) {
        this.maxLen = maxLen;
        return this;
    }

    /**
     * The streams servers' generation: {@code "0.3"} (0.3.x, the default) or {@code "0.2"}
     * (0.1.x to 0.2.x); a full version such as {@code "0.3.1"} names its generation. With
     * 0.2 an emit returns 1 (the entry stored: those servers cannot be counted), and
     * {@link #requireReceivers} and a {@link #streamCount} above 1 are refused.
     */
    public Options streamsVersion(String version) {
        this.streamsVersion = version;
        return this;
    }

    /**
     * The classic adapter's server stack: {@code "redis-adapter-8"} (the default),
     * {@code "redis-adapter-7"}, {@code "socket.io-redis-6.1"}, {@code "socket.io-redis-6.0"}
     * (socket.io 3.x) or {@code "socket.io-redis-5"} (socket.io 2.x). The emitter writes what
     * that stack decodes, and an operation it cannot do at all throws
     * {@link EmitterException#UNSUPPORTED} before anything is published. Another value, or
     * one other than the default with another adapter, fails {@code connect} with
     * INVALID_ARGUMENT.
     */
    public Options compat(String compat) {
        this.compat = compat;
        return this;
    }
}
