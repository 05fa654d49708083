//! One self-reconnecting, multiplexed Redis connection (redis-rs `ConnectionManager`),
//! with our error mapping and a bound on how long any call can wait.

use std::sync::Arc;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::fast_lane::FastLane;

use crate::adapter::{Command, Output};
use crate::config::EmitterConfig;
use crate::error::{Error, Result};

#[derive(Clone)]
pub(crate) struct Connection {
    manager: ConnectionManager,
    /// Passwords to scrub from every error message.
    secrets: Arc<[String]>,
    require_receivers: bool,
    /// The most any one call may wait: a reconnection in progress plus the response.
    call_timeout: Duration,
    /// The synchronous connection blocking callers use when it is free.
    fast_lane: Arc<FastLane>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection").finish_non_exhaustive()
    }
}

impl Connection {
    pub(crate) async fn open(cfg: &EmitterConfig) -> Result<Connection> {
        cfg.validate()?;
        install_crypto_provider();
        let secrets: Arc<[String]> = cfg.secrets().into();
        let scrub = |e: redis::RedisError| map_error(&e, &secrets);
        let client = match &cfg.tls_ca_pem {
            Some(pem) => redis::Client::build_with_tls(
                cfg.url(),
                redis::TlsCertificates {
                    client_tls: None,
                    root_cert: Some(pem.clone()),
                },
            ),
            None => redis::Client::open(cfg.url()),
        }
        .map_err(scrub)?;
        let fast_lane = Arc::new(FastLane::new(
            client.clone(),
            cfg.connect_timeout,
            cfg.response_timeout,
        ));
        let manager_config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(cfg.connect_timeout))
            .set_response_timeout(Some(cfg.response_timeout))
            .set_min_delay(cfg.reconnect_min_delay)
            .set_max_delay(cfg.reconnect_max_delay)
            .set_number_of_retries(cfg.reconnect_attempts);
        let call_timeout = cfg.connect_timeout + cfg.response_timeout;
        let manager = tokio::time::timeout(
            call_timeout,
            ConnectionManager::new_with_config(client, manager_config),
        )
        .await
        .map_err(|_| Error::Timeout(format!("connecting to {}", cfg.redacted_url())))?
        .map_err(scrub)?;
        Ok(Connection {
            manager,
            secrets,
            require_receivers: cfg.require_receivers,
            call_timeout,
            fast_lane,
        })
    }

    /// Sends one output; resolves to the number of servers that received it.
    pub(crate) async fn send(&self, out: &Output) -> Result<u64> {
        let mut manager = self.manager.clone();
        let reply = tokio::time::timeout(self.call_timeout, command(out).query_async(&mut manager))
            .await
            .map_err(|_| Error::Timeout(format!("publishing to {}", out.channel)))?;
        let value: redis::Value = reply.map_err(|e| map_error(&e, &self.secrets))?;
        self.receivers(out, value)
    }

    /// For callers on a thread without an async runtime: sends on the calling thread when the
    /// fast lane is free (see [`FastLane`]); `None` means "await [`send`](Self::send) instead".
    pub(crate) fn try_send_blocking(&self, out: &Output) -> Option<Result<u64>> {
        let reply = self.fast_lane.try_query(&command(out))?;
        Some(
            reply
                .map_err(|e| map_error(&e, &self.secrets))
                .and_then(|v| self.receivers(out, v)),
        )
    }

    /// Sends many outputs as one pipeline; one result per output, in order.
    pub(crate) async fn send_batch(&self, outs: &[&Output]) -> Vec<Result<u64>> {
        let mut pipe = redis::pipe();
        pipe.ignore_errors();
        for out in outs {
            pipe.add_command(command(out));
        }
        let mut manager = self.manager.clone();
        let reply = tokio::time::timeout(
            self.call_timeout,
            pipe.query_async::<Vec<redis::Value>>(&mut manager),
        )
        .await;
        match reply {
            Ok(Ok(values)) if values.len() == outs.len() => outs
                .iter()
                .zip(values)
                .map(|(out, v)| self.receivers(out, v))
                .collect(),
            Ok(Ok(values)) => {
                let err = Error::Redis(format!(
                    "expected {} replies, got {}",
                    outs.len(),
                    values.len()
                ));
                outs.iter().map(|_| Err(err.clone())).collect()
            }
            Ok(Err(e)) => {
                let err = map_error(&e, &self.secrets);
                outs.iter().map(|_| Err(err.clone())).collect()
            }
            Err(_) => outs
                .iter()
                .map(|out| Err(Error::Timeout(format!("publishing to {}", out.channel))))
                .collect(),
        }
    }

    fn receivers(&self, out: &Output, value: redis::Value) -> Result<u64> {
        let count = match value {
            redis::Value::Int(n) => u64::try_from(n).unwrap_or(0),
            redis::Value::ServerError(e) => {
                return Err(Error::Redis(scrub(&e.to_string(), &self.secrets)));
            }
            other => return Err(Error::Redis(format!("unexpected reply {other:?}"))),
        };
        if count == 0 && self.require_receivers {
            return Err(Error::NoSubscribers {
                channel: out.channel.clone(),
            });
        }
        Ok(count)
    }
}

/// rustls needs a process-wide crypto provider for `rediss://`. Install ring's unless the
/// application already chose one (then `install_default` fails, which is fine).
fn install_crypto_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

fn command(out: &Output) -> redis::Cmd {
    match out.command {
        Command::Publish => {
            let mut cmd = redis::cmd("PUBLISH");
            cmd.arg(&out.channel).arg(&out.payload);
            cmd
        }
    }
}

fn scrub(text: &str, secrets: &[String]) -> String {
    secrets
        .iter()
        .fold(text.to_owned(), |acc, s| acc.replace(s.as_str(), "***"))
}

fn map_error(e: &redis::RedisError, secrets: &[String]) -> Error {
    let msg = scrub(&e.to_string(), secrets);
    if e.is_timeout() {
        Error::Timeout(msg)
    } else if e.is_io_error()
        || e.is_connection_dropped()
        || e.is_connection_refusal()
        || e.kind() == redis::ErrorKind::AuthenticationFailed
    {
        Error::Connection(msg)
    } else if e.kind() == redis::ErrorKind::InvalidClientConfig {
        Error::InvalidArgument(msg)
    } else {
        Error::Redis(msg)
    }
}
