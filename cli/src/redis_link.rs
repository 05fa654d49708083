//! Plain synchronous Redis connections for `monitor` and `doctor`, which read Redis directly
//! instead of going through the emitter.

use socketio_emitter::Error;

use crate::cli::Options;
use crate::config;

/// A connection to the Redis of `--url` (or `$REDIS_URL`), trusting `--tls-ca` if given.
pub fn connect(options: &Options) -> Result<redis::Connection, Error> {
    connect_to(options, &config::url(options))
}

/// A connection to `url`, with the TLS and timeout options of `options`.
pub fn connect_to(options: &Options, url: &str) -> Result<redis::Connection, Error> {
    // redis-rs brings rustls without a crypto provider; a second install is a harmless error.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = match &options.tls_ca {
        Some(path) => {
            let pem = std::fs::read(path).map_err(|e| {
                Error::InvalidArgument(format!("--tls-ca: cannot read {}: {e}", path.display()))
            })?;
            let certs = redis::TlsCertificates {
                client_tls: None,
                root_cert: Some(pem),
            };
            redis::Client::build_with_tls(url, certs)
        }
        None => redis::Client::open(url),
    }
    .map_err(|e| Error::InvalidArgument(format!("bad Redis URL: {e}")))?;
    let timeout = std::time::Duration::from_secs_f64(options.connect_timeout.unwrap_or(5.0));
    client
        .get_connection_with_timeout(timeout)
        .map_err(|e| Error::Connection(e.to_string()))
}

/// Sends one command and reads its answer (a Redis error becomes [`Error::Redis`]).
pub fn query<T: redis::FromRedisValue>(
    con: &mut redis::Connection,
    cmd: &redis::Cmd,
) -> Result<T, Error> {
    cmd.query(con).map_err(classify)
}

pub fn classify(e: redis::RedisError) -> Error {
    if e.is_io_error() || e.is_connection_dropped() || e.is_connection_refusal() {
        Error::Connection(e.to_string())
    } else {
        Error::Redis(e.to_string())
    }
}

/// `text` as a glob pattern that matches only itself (PSUBSCRIBE, SCAN MATCH, PUBSUB).
pub fn glob_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
