//! The command line, as clap parses it. `--help` is generated from the doc comments here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Publish Socket.IO events into Redis, exactly as a Socket.IO server with a Redis adapter
/// would, so that every server of the cluster delivers them to its clients.
///
/// Prints how many Socket.IO *servers* received the operation (not clients). Zero means no
/// server listens on that key and namespace with that adapter.
#[derive(Debug, Parser)]
#[command(name = "socketio-emit", version, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    #[command(flatten)]
    pub options: Options,
}

pub const EXIT_CODES: &str = "\
Exit codes:
  0  done (even when 0 servers received it, unless --require-receivers)
  1  internal error (a bug: please report it)
  2  usage: bad command line, option value, URL, JSON argument or unreadable file (INVALID_ARGUMENT)
  3  payload refused: reserved event name or a value that cannot be encoded (RESERVED_EVENT, ENCODE)
  4  the servers' stack cannot do this operation; nothing was published (UNSUPPORTED)
  5  Redis unreachable, authentication or TLS refused, connection lost (CONNECTION)
  6  Redis answered with an error, e.g. a missing ACL permission (REDIS)
  7  no answer in time; it may still have been published (TIMEOUT)
  8  --require-receivers and no Socket.IO server received it (NO_SUBSCRIBERS);
     doctor: an emit to the target would reach no server
  9  any other error of the emitter (CLOSED, QUEUE_FULL, FLUSH)
 10  --adapter auto could not tell which adapter the servers use (DETECTION_FAILED)
 11  fetch-sockets, all-rooms, emit-with-ack, server-side-emit-with-ack: some servers (or
     clients) did not answer within --timeout; what did answer is printed";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Emit EVENT with ARGS to the clients of the target.
    Emit {
        /// The event name.
        event: String,
        /// Event arguments, each a JSON value (`'{"text":"hi"}'`, `42`, `'"a string"'`), or
        /// `@PATH` for the bytes of a file as binary (`@-` reads stdin). With --string, each
        /// is taken as a plain string instead.
        args: Vec<String>,
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        payload: Payload,
        /// Volatile: servers may drop the event for clients that are not ready to receive it.
        #[arg(long)]
        volatile: bool,
        /// Whether the servers compress the event for their clients (default: true).
        #[arg(long, value_name = "true|false", action = clap::ArgAction::Set)]
        compress: Option<bool>,
    },
    /// Make the sockets of the target join ROOMS.
    SocketsJoin {
        #[arg(required = true)]
        rooms: Vec<String>,
        #[command(flatten)]
        target: Target,
    },
    /// Make the sockets of the target leave ROOMS.
    SocketsLeave {
        #[arg(required = true)]
        rooms: Vec<String>,
        #[command(flatten)]
        target: Target,
    },
    /// Disconnect the sockets of the target.
    DisconnectSockets {
        /// Also close each socket's underlying connection (and its other namespaces).
        #[arg(long)]
        close: bool,
        #[command(flatten)]
        target: Target,
    },
    /// Emit EVENT with ARGS to the servers' own `serverSideEmit` handlers (not to clients).
    ServerSideEmit {
        event: String,
        /// As for `emit`: JSON values, `@PATH` for binary from a file.
        args: Vec<String>,
        /// The namespace (default `/`).
        #[arg(long, value_name = "NSP")]
        of: Option<String>,
        #[command(flatten)]
        payload: Payload,
    },
    /// Print how many Socket.IO servers serve the namespace, as Redis counts them (nothing
    /// is published).
    ServerCount {
        /// The namespace (default `/`).
        #[arg(long, value_name = "NSP")]
        of: Option<String>,
    },
    /// Print the sockets of the target on every server, as JSON: id, rooms, data and
    /// handshake of each, and how many servers did not answer in time (exit 11 then).
    FetchSockets {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        wait: Wait,
    },
    /// Print every room of the namespace on every server, as JSON (classic adapter only).
    AllRooms {
        /// The namespace (default `/`).
        #[arg(long, value_name = "NSP")]
        of: Option<String>,
        #[command(flatten)]
        wait: Wait,
    },
    /// Emit EVENT to the clients of the target, asking each to acknowledge; print their
    /// answers and how many clients were targeted, as JSON (exit 11 when some did not answer).
    EmitWithAck {
        event: String,
        /// As for `emit`: JSON values, `@PATH` for binary from a file.
        args: Vec<String>,
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        payload: Payload,
        #[command(flatten)]
        wait: Wait,
    },
    /// Emit EVENT to the servers' handlers and print what each acknowledges, as JSON (exit 11
    /// when some did not).
    ServerSideEmitWithAck {
        event: String,
        /// As for `emit`: JSON values, `@PATH` for binary from a file.
        args: Vec<String>,
        /// The namespace (default `/`).
        #[arg(long, value_name = "NSP")]
        of: Option<String>,
        #[command(flatten)]
        payload: Payload,
        #[command(flatten)]
        wait: Wait,
    },
    /// Print every Socket.IO message that goes through Redis on the key, decoded, until
    /// interrupted. Listens the way servers do, for every adapter unless --adapter is given.
    /// The first line says it is ready; with --json every line is one JSON object.
    Monitor {
        /// Only messages of this namespace.
        #[arg(long, value_name = "NSP")]
        of: Option<String>,
    },
    /// Read Redis and explain who listens there: version and topology, the Socket.IO
    /// servers per key, namespace and adapter, the Pub/Sub buffer limit, the user's ACL
    /// permissions, and whether an emit to the target (--key, --of, --adapter) reaches a
    /// server, or why not. Exits 0 when it does, 8 when it would reach none.
    Doctor {
        /// The Redis to examine [default: --url, $REDIS_URL, redis://127.0.0.1:6379].
        #[arg(value_name = "URL")]
        redis: Option<String>,
        /// The namespace of the target (default `/`).
        #[arg(long, value_name = "NSP")]
        of: Option<String>,
        /// A room of the target (repeatable).
        #[arg(long = "to", value_name = "ROOM")]
        to: Vec<String>,
    },
}

/// Which sockets an operation reaches.
#[derive(Debug, Args)]
pub struct Target {
    /// The namespace (default `/`).
    #[arg(long, value_name = "NSP")]
    pub of: Option<String>,
    /// Only sockets in ROOM (repeatable: in any of them).
    #[arg(long = "to", visible_alias = "in", value_name = "ROOM")]
    pub to: Vec<String>,
    /// Not sockets in ROOM (repeatable).
    #[arg(long, value_name = "ROOM")]
    pub except: Vec<String>,
}

/// How long to wait for answers.
#[derive(Debug, Args)]
pub struct Wait {
    /// Seconds to wait for the servers' (and clients') answers.
    #[arg(long, value_name = "SECONDS", default_value_t = 5.0)]
    pub timeout: f64,
}

/// How event arguments are read.
#[derive(Debug, Args)]
pub struct Payload {
    /// Take every ARG as a plain string (no JSON, no @PATH).
    #[arg(short = 's', long = "string")]
    pub string: bool,
    /// Append the bytes of PATH as one more, binary argument (repeatable, in order, after ARGS).
    #[arg(long = "bin-file", value_name = "PATH")]
    pub bin_files: Vec<PathBuf>,
}

/// Connection and adapter options: the library's options, valid before or after the
/// operation.
#[derive(Debug, Args)]
pub struct Options {
    /// Redis URL: redis://[user[:password]@]host[:port][/db] or rediss:// for TLS
    /// [default: $REDIS_URL, else redis://127.0.0.1:6379]. Passwords are never printed.
    #[arg(long, global = true, value_name = "URL")]
    pub url: Option<String>,
    /// The servers' channel prefix: the adapter's `key` (`channelPrefix` when sharded)
    /// [default: socket.io].
    #[arg(long, global = true)]
    pub key: Option<String>,
    /// The servers' Redis adapter [default: classic].
    #[arg(long, global = true, value_parser = ["classic", "sharded", "streams", "auto"])]
    pub adapter: Option<String>,
    /// Sharded adapter: the servers' subscriptionMode [default: dynamic].
    #[arg(long, global = true, value_parser = ["static", "dynamic", "dynamic-private"])]
    pub subscription_mode: Option<String>,
    /// Streams adapter: streamName [default: socket.io].
    #[arg(long, global = true, value_name = "NAME")]
    pub stream_name: Option<String>,
    /// Streams adapter: streamCount [default: 1].
    #[arg(long, global = true, value_name = "N")]
    pub stream_count: Option<u32>,
    /// Streams adapter: maxLen [default: 10000].
    #[arg(long, global = true, value_name = "N")]
    pub max_len: Option<u64>,
    /// Streams adapter version: 0.3 (default) or 0.2 (a full version such as 0.2.3 works).
    #[arg(long, global = true, value_name = "VERSION")]
    pub streams_version: Option<String>,
    /// Classic adapter: the servers' stack [default: redis-adapter-8].
    #[arg(long, global = true, value_parser = [
        "redis-adapter-8", "redis-adapter-7", "socket.io-redis-6.1", "socket.io-redis-6.0", "socket.io-redis-5",
    ])]
    pub compat: Option<String>,
    /// A Redis Cluster seed node URL (repeatable); --url is then not used.
    #[arg(long = "cluster-node", global = true, value_name = "URL")]
    pub cluster_nodes: Vec<String>,
    /// The master name the sentinels monitor (with --sentinel-node).
    #[arg(long, global = true, value_name = "NAME")]
    pub sentinel_master: Option<String>,
    /// A sentinel URL (repeatable, with --sentinel-master); the master's credentials,
    /// database and TLS come from --url.
    #[arg(long = "sentinel-node", global = true, value_name = "URL")]
    pub sentinel_nodes: Vec<String>,
    /// PEM file of the CA that signed the Redis server's certificate (rediss://).
    #[arg(long, global = true, value_name = "FILE")]
    pub tls_ca: Option<PathBuf>,
    /// Seconds one connection attempt may take [default: 5].
    #[arg(long, global = true, value_name = "SECS")]
    pub connect_timeout: Option<f64>,
    /// Seconds Redis may take to answer [default: 5].
    #[arg(long, global = true, value_name = "SECS")]
    pub response_timeout: Option<f64>,
    /// Fail (exit 8) when no Socket.IO server received the operation.
    #[arg(long, global = true)]
    pub require_receivers: bool,
    /// Print one JSON object on stdout: {"ok":true,"servers":N} or
    /// {"ok":false,"code":"…","message":"…"}.
    #[arg(long, global = true)]
    pub json: bool,
}
