//! Finding the master through Sentinel (redis-rs's `SentinelClient`). The sentinels'
//! own credentials and TLS come from their URLs; the master's from the emitter's `url`.

use futures_util::future::BoxFuture;
use redis::sentinel::{SentinelClient, SentinelClientBuilder, SentinelServerType};
use redis::{IntoConnectionInfo, ProtocolVersion, RedisResult, TlsMode};

use crate::config::EmitterConfig;

pub(crate) struct Sentinel {
    /// redis-rs asks the sentinels in turn and caches its connections to them, so lookups
    /// take turns.
    client: tokio::sync::Mutex<SentinelClient>,
}

impl Sentinel {
    pub(crate) fn new(
        cfg: &EmitterConfig,
        master: &str,
        nodes: &[String],
        protocol: ProtocolVersion,
    ) -> RedisResult<Sentinel> {
        let sentinels = nodes
            .iter()
            .map(|n| n.as_str().into_connection_info())
            .collect::<RedisResult<Vec<_>>>()?;
        let mut builder = SentinelClientBuilder::new(
            sentinels.iter().map(|s| s.addr().clone()),
            master,
            SentinelServerType::Master,
        )?;
        // The sentinels all take the same credentials: those of the first URL that has any.
        if let Some(first) = sentinels
            .iter()
            .map(|s| s.redis_settings())
            .find(|s| s.password().is_some())
        {
            if let Some(user) = first.username() {
                builder = builder.set_client_to_sentinel_username(user);
            }
            if let Some(password) = first.password() {
                builder = builder.set_client_to_sentinel_password(password);
            }
        }
        if nodes.iter().any(|n| is_tls(n)) {
            builder = builder.set_client_to_sentinel_tls_mode(TlsMode::Secure);
            if let Some(pem) = &cfg.tls_ca_pem {
                builder = builder.set_client_to_sentinel_certificates(certificates(pem));
            }
        }
        let info = cfg.url().into_connection_info()?;
        let data = info.redis_settings();
        if let Some(user) = data.username() {
            builder = builder.set_client_to_redis_username(user);
        }
        if let Some(password) = data.password() {
            builder = builder.set_client_to_redis_password(password);
        }
        builder = builder
            .set_client_to_redis_db(data.db())
            .set_client_to_redis_protocol(protocol);
        if is_tls(cfg.url()) {
            builder = builder.set_client_to_redis_tls_mode(TlsMode::Secure);
            if let Some(pem) = &cfg.tls_ca_pem {
                builder = builder.set_client_to_redis_certificates(certificates(pem));
            }
        }
        Ok(Sentinel {
            client: tokio::sync::Mutex::new(builder.build()?),
        })
    }

    /// A client for the server the sentinels name as master now. Boxed: redis-rs's lookup
    /// future is deep enough that, nested in every call's future, it would make callers'
    /// crates exceed the compiler's default `recursion_limit`.
    pub(crate) fn master(&self) -> BoxFuture<'_, RedisResult<redis::Client>> {
        Box::pin(async move { self.client.lock().await.async_get_client().await })
    }
}

fn certificates(pem: &[u8]) -> redis::TlsCertificates {
    redis::TlsCertificates {
        client_tls: None,
        root_cert: Some(pem.to_vec()),
    }
}

fn is_tls(url: &str) -> bool {
    url.starts_with("rediss://")
}
