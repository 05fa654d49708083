//! Emitter options. These names are the same in every language binding; this file is
//! where they are documented.

use std::fmt;
use std::time::Duration;

use crate::error::{Error, Result};

/// What `emit_nowait` does when the queue is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueueFullPolicy {
    /// Wait for room (blocking APIs only; async callers get `QUEUE_FULL`).
    #[default]
    Block,
    /// Fail at once with `QUEUE_FULL`.
    Error,
}

/// How to reach Redis and how to behave. Build with [`EmitterConfig::new`] and the
/// `with_*` methods.
#[derive(Clone)]
pub struct EmitterConfig {
    /// `redis://[user[:password]@]host[:port][/db]` or `rediss://…` for TLS. Kept private:
    /// it may hold a password, and nothing prints it.
    url: String,
    /// Channel prefix: the adapter's `key` option. Default `socket.io`.
    pub key: String,
    /// PEM bundle of the CA that signed the server's certificate, for `rediss://` with a
    /// private CA. `None` uses the system and webpki roots.
    pub tls_ca_pem: Option<Vec<u8>>,
    /// How long one connection attempt may take. Default 5 s.
    pub connect_timeout: Duration,
    /// How long Redis may take to answer a command. Default 5 s.
    pub response_timeout: Duration,
    /// Reconnection backoff: the first delay, doubling up to `reconnect_max_delay`.
    pub reconnect_min_delay: Duration,
    pub reconnect_max_delay: Duration,
    /// Connection attempts per reconnection before the waiting calls fail. Default 6.
    pub reconnect_attempts: usize,
    /// Capacity of the `emit_nowait` queue, in operations. Default 10 000.
    pub queue_capacity: usize,
    /// Capacity of the `emit_nowait` queue, in payload bytes (at most 4 GiB). Default 64 MiB.
    pub queue_max_bytes: usize,
    pub queue_full: QueueFullPolicy,
    /// Fail with `NO_SUBSCRIBERS` when a publish reaches no server. Default false.
    pub require_receivers: bool,
}

impl EmitterConfig {
    pub fn new(url: impl Into<String>) -> EmitterConfig {
        EmitterConfig {
            url: url.into(),
            key: "socket.io".to_owned(),
            tls_ca_pem: None,
            connect_timeout: Duration::from_secs(5),
            response_timeout: Duration::from_secs(5),
            reconnect_min_delay: Duration::from_millis(100),
            reconnect_max_delay: Duration::from_secs(2),
            reconnect_attempts: 6,
            queue_capacity: 10_000,
            queue_max_bytes: 64 << 20,
            queue_full: QueueFullPolicy::Block,
            require_receivers: false,
        }
    }

    pub fn with_key(mut self, key: impl Into<String>) -> Self {
        self.key = key.into();
        self
    }

    pub fn with_tls_ca_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.tls_ca_pem = Some(pem.into());
        self
    }

    pub fn with_connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }

    pub fn with_response_timeout(mut self, d: Duration) -> Self {
        self.response_timeout = d;
        self
    }

    pub fn with_reconnect(
        mut self,
        min_delay: Duration,
        max_delay: Duration,
        attempts: usize,
    ) -> Self {
        self.reconnect_min_delay = min_delay;
        self.reconnect_max_delay = max_delay;
        self.reconnect_attempts = attempts;
        self
    }

    pub fn with_queue_max_bytes(mut self, max_bytes: usize) -> Self {
        self.queue_max_bytes = max_bytes;
        self
    }

    pub fn with_queue(mut self, capacity: usize, when_full: QueueFullPolicy) -> Self {
        self.queue_capacity = capacity;
        self.queue_full = when_full;
        self
    }

    pub fn with_require_receivers(mut self, require: bool) -> Self {
        self.require_receivers = require;
        self
    }

    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    /// The URL with any password replaced by `***`.
    pub fn redacted_url(&self) -> String {
        redact_url(&self.url)
    }

    /// The password in the URL, as written and percent-decoded, so that errors can be
    /// scrubbed of it.
    pub(crate) fn secrets(&self) -> Vec<String> {
        let Some(raw) = url::Url::parse(&self.url)
            .ok()
            .and_then(|u| u.password().map(str::to_owned))
        else {
            return Vec::new();
        };
        let decoded = percent_encoding::percent_decode_str(&raw)
            .decode_utf8_lossy()
            .into_owned();
        if decoded == raw {
            vec![raw]
        } else {
            vec![raw, decoded]
        }
    }

    /// Checks every option and the URL, as connecting does first: `INVALID_ARGUMENT` naming
    /// the problem. Never panics, whatever the values.
    pub fn validate(&self) -> Result<()> {
        let parsed = url::Url::parse(&self.url).map_err(|e| {
            Error::InvalidArgument(format!(
                "cannot parse the Redis URL {}: {e}",
                self.redacted_url()
            ))
        })?;
        if !matches!(parsed.scheme(), "redis" | "rediss") {
            return Err(Error::InvalidArgument(format!(
                "the Redis URL must start with redis:// or rediss://, got {}",
                self.redacted_url()
            )));
        }
        if self.queue_max_bytes == 0 || u32::try_from(self.queue_max_bytes).is_err() {
            return Err(Error::InvalidArgument(
                "queue_max_bytes must be between 1 and 4294967295".into(),
            ));
        }
        if self.queue_capacity == 0 {
            return Err(Error::InvalidArgument(
                "queue_capacity must be at least 1".into(),
            ));
        }
        for (name, d) in [
            ("connect_timeout", self.connect_timeout),
            ("response_timeout", self.response_timeout),
        ] {
            if d.is_zero() {
                return Err(Error::InvalidArgument(format!(
                    "{name} must be greater than zero"
                )));
            }
        }
        Ok(())
    }
}

impl fmt::Debug for EmitterConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmitterConfig")
            .field("url", &self.redacted_url())
            .field("key", &self.key)
            .field("tls_ca_pem", &self.tls_ca_pem.as_ref().map(|_| "set"))
            .field("connect_timeout", &self.connect_timeout)
            .field("response_timeout", &self.response_timeout)
            .field("reconnect_min_delay", &self.reconnect_min_delay)
            .field("reconnect_max_delay", &self.reconnect_max_delay)
            .field("reconnect_attempts", &self.reconnect_attempts)
            .field("queue_capacity", &self.queue_capacity)
            .field("queue_max_bytes", &self.queue_max_bytes)
            .field("queue_full", &self.queue_full)
            .field("require_receivers", &self.require_receivers)
            .finish()
    }
}

/// Replaces the password of a URL with `***`; text that does not parse as a URL is
/// replaced whole, since we cannot tell where a password would be.
pub fn redact_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                let _ = parsed.set_password(Some("***"));
            }
            parsed.to_string()
        }
        Err(_) => "<unparsable URL>".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show() {
        let cfg = EmitterConfig::new("redis://alice:s3cret-pw@localhost:6379/0");
        assert_eq!(cfg.redacted_url(), "redis://alice:***@localhost:6379/0");
        assert!(!format!("{cfg:?}").contains("s3cret-pw"));
        let bad = EmitterConfig::new("http://u:s3cret-pw@x");
        let err = bad.validate().unwrap_err();
        assert_eq!(err.code(), "INVALID_ARGUMENT");
        assert!(!err.to_string().contains("s3cret-pw"), "{err}");
        assert!(!redact_url("::not a url s3cret-pw").contains("s3cret-pw"));
    }
}
