//! From a survey to one adapter for one key and namespace, or the reason there is none.

use super::{Detected, Listener, Survey};
use crate::config::{AdapterKind, EmitterConfig, StreamsVersion, SubscriptionMode};
use crate::error::{Error, Result};

/// What [`Survey::decide`] concluded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Decision {
    /// One adapter listens there: publish with it.
    Use(Detected),
    /// No server listens there; `elsewhere` is everything that listens on other keys or
    /// namespaces (empty when nothing listens at all).
    NoServer {
        key: String,
        namespace: String,
        elsewhere: Vec<Listener>,
    },
    /// Servers with different adapters listen there, so no one choice reaches them all.
    Ambiguous {
        key: String,
        namespace: String,
        listeners: Vec<Listener>,
    },
}

impl Survey {
    /// The adapter servers use on `config.key` and `namespace` (streams 0.2 servers, which
    /// have no key, on `config.stream_name`).
    pub fn decide(&self, config: &EmitterConfig, namespace: &str) -> Decision {
        let here: Vec<&Listener> = self
            .listeners
            .iter()
            .filter(|l| l.namespace == namespace && listens_on_key(l, config))
            .collect();
        let key = config.key.clone();
        let namespace = namespace.to_owned();
        match here.as_slice() {
            [] => Decision::NoServer {
                key,
                namespace,
                elsewhere: self.listeners.clone(),
            },
            [one] => Decision::Use(Detected {
                adapter: one.adapter,
                listener: (*one).clone(),
            }),
            many => Decision::Ambiguous {
                key,
                namespace,
                listeners: many.iter().map(|l| (*l).clone()).collect(),
            },
        }
    }
}

fn listens_on_key(listener: &Listener, config: &EmitterConfig) -> bool {
    match listener.streams_version {
        Some(StreamsVersion::V02) => listener.stream.as_deref() == Some(&config.stream_name),
        _ => listener.key == config.key,
    }
}

impl Decision {
    /// The detected adapter, or `DETECTION_FAILED` with a message that says what listens.
    pub fn into_result(self) -> Result<Detected> {
        match self {
            Decision::Use(found) => Ok(found),
            Decision::NoServer {
                key,
                namespace,
                elsewhere,
            } => {
                let mut msg =
                    format!("no Socket.IO server listens on key {key}, namespace {namespace}");
                if elsewhere.is_empty() {
                    msg.push_str("; no Socket.IO server listens on this Redis at all");
                } else {
                    msg.push_str("; servers listen on: ");
                    msg.push_str(&list(&elsewhere));
                }
                Err(Error::DetectionFailed(msg))
            }
            Decision::Ambiguous {
                key,
                namespace,
                listeners,
            } => Err(Error::DetectionFailed(format!(
                "servers with different adapters listen on key {key}, namespace {namespace} \
                 ({}); set the adapter option to the one the servers should all use",
                list(&listeners)
            ))),
        }
    }
}

fn list(listeners: &[Listener]) -> String {
    let all: Vec<String> = listeners.iter().map(ToString::to_string).collect();
    all.join("; ")
}

impl Detected {
    /// `config` with the detected adapter, and the options auto decides with it: the
    /// sharded `static` subscription mode (every mode hears the main channel, so it reaches
    /// servers whatever their mode) and the detected streams version. Stream name, count
    /// and `max_len` stay the caller's: Redis does not show the servers' values.
    pub fn apply(&self, mut config: EmitterConfig) -> EmitterConfig {
        config.adapter = self.adapter;
        match self.adapter {
            AdapterKind::Sharded => config.subscription_mode = SubscriptionMode::Static,
            AdapterKind::Streams => {
                config.streams_version =
                    self.listener.streams_version.unwrap_or(StreamsVersion::V03);
            }
            _ => {}
        }
        config
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listener(adapter: AdapterKind, key: &str, servers: u64) -> Listener {
        Listener {
            adapter,
            key: key.to_owned(),
            namespace: "/".to_owned(),
            servers,
            subscription_mode: None,
            streams_version: None,
            stream: None,
            evidence: Vec::new(),
        }
    }

    #[test]
    fn one_adapter_is_used_and_its_options_applied() {
        let survey = Survey {
            listeners: vec![listener(AdapterKind::Sharded, "socket.io", 3)],
            ..Survey::default()
        };
        let config = EmitterConfig::new("redis://h").with_adapter(AdapterKind::Auto);
        let found = survey.decide(&config, "/").into_result().unwrap();
        let applied = found.apply(config);
        assert_eq!(applied.adapter, AdapterKind::Sharded);
        assert_eq!(applied.subscription_mode, SubscriptionMode::Static);
    }

    #[test]
    fn nothing_anywhere_says_so() {
        let err = Survey::default()
            .decide(&EmitterConfig::new("redis://h"), "/")
            .into_result()
            .unwrap_err();
        assert_eq!(err.code(), "DETECTION_FAILED");
        assert_eq!(
            err.to_string(),
            "adapter detection failed: no Socket.IO server listens on key socket.io, namespace /; \
             no Socket.IO server listens on this Redis at all"
        );
    }
}
