//! What a redis-rs error says about the command it belongs to: whether it certainly did
//! not reach Redis (so it may be sent again), may have reached it (so it must be reported,
//! never repeated), or was answered. And the one mapping to our [`Error`].

use crate::error::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fate {
    /// Redis could not be reached: connecting failed, or the connection was already known
    /// dead. Nothing was written; sending again cannot duplicate anything.
    NotSent,
    /// The connection broke after the command was handed to it: Redis may have run it.
    MaybeSent,
    /// Sent, and no answer in time: Redis may still run it.
    NoAnswer,
    /// Refused for good: authentication, TLS, configuration, or an error reply.
    Refused,
}

/// A refusal to authenticate: with RESP3 it comes as the HELLO command's error reply. redis-rs
/// reports a Redis Cluster it could not reach at all as one I/O error that keeps only the text
/// of a node's error, not its kind, so the text is read too.
fn is_auth_refusal(e: &redis::RedisError) -> bool {
    e.kind() == redis::ErrorKind::AuthenticationFailed
        || matches!(e.code(), Some("WRONGPASS" | "NOAUTH"))
        || wrapped(e, &["AuthenticationFailed", "WRONGPASS", "NOAUTH"])
}

/// A certificate we do not trust, also when a cluster's I/O error only carries its text.
fn is_untrusted_certificate(e: &redis::RedisError) -> bool {
    wrapped(e, &["invalid peer certificate"])
}

fn wrapped(e: &redis::RedisError, words: &[&str]) -> bool {
    let text = e.to_string();
    words.iter().any(|word| text.contains(word))
}

/// Answers that say the command was not run and may run after a moment: a cluster or a
/// master failing over, a server loading its data, or Sentinel naming no master yet.
fn is_not_run(e: &redis::RedisError) -> bool {
    e.kind() == redis::ErrorKind::MasterNameNotFoundBySentinel
        || matches!(
            e.code(),
            Some("CLUSTERDOWN" | "TRYAGAIN" | "MASTERDOWN" | "LOADING")
        )
}

pub(crate) fn fate(e: &redis::RedisError) -> Fate {
    use redis::ErrorKind;
    if is_auth_refusal(e)
        || is_untrusted_certificate(e)
        || e.kind() == ErrorKind::InvalidClientConfig
    {
        return Fate::Refused;
    }
    if is_not_run(e) {
        return Fate::NotSent;
    }
    if e.is_timeout() {
        return Fate::NoAnswer;
    }
    if !e.is_io_error() {
        return Fate::Refused;
    }
    if e.is_connection_refusal() {
        // Only connecting produces it: the command never left.
        return Fate::NotSent;
    }
    if e.is_connection_dropped() {
        return Fate::MaybeSent;
    }
    // Anything else from the socket (a TLS handshake refused, say) will not get better.
    Fate::Refused
}

/// Whether writing failed (EPIPE, "broken pipe"): redis-rs keeps the `io::Error` private,
/// and its text is the one stable thing it shows.
pub(crate) fn is_broken_pipe(e: &redis::RedisError) -> bool {
    e.to_string().to_ascii_lowercase().contains("broken pipe")
}

pub(crate) fn scrub(text: &str, secrets: &[String]) -> String {
    secrets
        .iter()
        .fold(text.to_owned(), |acc, s| acc.replace(s.as_str(), "***"))
}

pub(crate) fn map_error(e: &redis::RedisError, secrets: &[String]) -> Error {
    let msg = scrub(&e.to_string(), secrets);
    if e.is_timeout() {
        Error::Timeout(msg)
    } else if is_auth_refusal(e) {
        Error::Connection(format!("authentication failed: {msg}"))
    } else if e.is_io_error() || e.is_connection_dropped() || e.is_connection_refusal() {
        Error::Connection(msg)
    } else if e.kind() == redis::ErrorKind::InvalidClientConfig {
        Error::InvalidArgument(msg)
    } else {
        Error::Redis(msg)
    }
}
