// SPDX-License-Identifier: MIT
package socketio.emitter;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Connection options; every setter returns this. Unset options keep the library's
 * defaults: key "socket.io", adapter "classic" (subscription mode "dynamic"), 5 s
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

    /** The channel prefix: the adapter's {@code key} option. */
    public Options key(String key) {
        this.key = key;
        return this;
    }

    /**
     * The Socket.IO servers' Redis adapter: {@code "classic"} (the default: {@code createAdapter},
     * PUBLISH) or {@code "sharded"} ({@code createShardedAdapter}, SPUBLISH, Redis 7+). It must be
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
}
