//! Where the Redis the Socket.IO servers share lives: one server (the `url`), a Redis
//! Cluster (`cluster_nodes`), or a master found through Sentinel (`sentinel_nodes` and
//! `sentinel_master`). These option names are the same in every binding.

use std::fmt;

use crate::config::redact_url;
use crate::error::{Error, Result};

/// How the emitter reaches Redis. Build it with [`EmitterConfig::with_cluster_nodes`] or
/// [`EmitterConfig::with_sentinel`]; the default is one server at the `url`.
///
/// [`EmitterConfig::with_cluster_nodes`]: crate::EmitterConfig::with_cluster_nodes
/// [`EmitterConfig::with_sentinel`]: crate::EmitterConfig::with_sentinel
#[derive(Clone, Default, PartialEq, Eq)]
pub enum Topology {
    /// One Redis server at the `url`.
    #[default]
    Standalone,
    /// A Redis Cluster. `nodes` are seed nodes (`redis://` or `rediss://`, with the
    /// credentials every node takes); the emitter discovers the others and follows
    /// MOVED, ASK and failovers. SPUBLISH goes to the master owning the channel's slot.
    Cluster { nodes: Vec<String> },
    /// A master found through Sentinel. `nodes` are the sentinels (with their own
    /// credentials, if any); `master` is the name they monitor it under. The master's
    /// credentials, database and TLS come from the `url`, whose host and port are not used.
    Sentinel { master: String, nodes: Vec<String> },
}

impl Topology {
    /// The topology the three options name, as every binding takes them (`None`: not
    /// given). A cluster and a Sentinel at once, or a half-given Sentinel, is
    /// `INVALID_ARGUMENT` naming the options; the node lists themselves are checked by
    /// [`EmitterConfig::validate`](crate::EmitterConfig::validate).
    pub fn from_options(
        cluster_nodes: Option<Vec<String>>,
        sentinel_master: Option<String>,
        sentinel_nodes: Option<Vec<String>>,
    ) -> Result<Topology> {
        let refuse = |msg: &str| Err(Error::InvalidArgument(msg.to_owned()));
        match (cluster_nodes, sentinel_master, sentinel_nodes) {
            (None, None, None) => Ok(Topology::Standalone),
            (Some(nodes), None, None) => Ok(Topology::Cluster { nodes }),
            (None, Some(master), Some(nodes)) => Ok(Topology::Sentinel { master, nodes }),
            (Some(_), _, _) => {
                refuse("set either cluster_nodes or sentinel_master and sentinel_nodes, not both")
            }
            (None, Some(_), None) => {
                refuse("sentinel_master needs sentinel_nodes: the sentinels to ask for that master")
            }
            (None, None, Some(_)) => refuse(
                "sentinel_nodes needs sentinel_master: the name the sentinels monitor the master under",
            ),
        }
    }

    /// `standalone`, `cluster` or `sentinel`, for messages.
    pub fn name(&self) -> &'static str {
        match self {
            Topology::Standalone => "standalone",
            Topology::Cluster { .. } => "cluster",
            Topology::Sentinel { .. } => "sentinel",
        }
    }

    /// The node URLs (seed nodes or sentinels).
    pub(crate) fn nodes(&self) -> &[String] {
        match self {
            Topology::Standalone => &[],
            Topology::Cluster { nodes } | Topology::Sentinel { nodes, .. } => nodes,
        }
    }

    /// Checks the node list: `INVALID_ARGUMENT` naming the option and the (redacted) node.
    pub(crate) fn validate(&self) -> Result<()> {
        let option = match self {
            Topology::Standalone => return Ok(()),
            Topology::Cluster { .. } => "cluster_nodes",
            Topology::Sentinel { master, .. } => {
                if master.is_empty() {
                    return Err(Error::InvalidArgument(
                        "sentinel_master must name the master the sentinels monitor".into(),
                    ));
                }
                "sentinel_nodes"
            }
        };
        if self.nodes().is_empty() {
            return Err(Error::InvalidArgument(format!(
                "{option} must list at least one node"
            )));
        }
        let mut schemes = Vec::new();
        for node in self.nodes() {
            let parsed = url::Url::parse(node).map_err(|e| {
                Error::InvalidArgument(format!("{option}: cannot parse {}: {e}", redact_url(node)))
            })?;
            if !matches!(parsed.scheme(), "redis" | "rediss") {
                return Err(Error::InvalidArgument(format!(
                    "{option}: each node must be a redis:// or rediss:// URL, got {}",
                    redact_url(node)
                )));
            }
            if parsed.host_str().is_none_or(str::is_empty) {
                return Err(Error::InvalidArgument(format!(
                    "{option}: {} has no host",
                    redact_url(node)
                )));
            }
            schemes.push(parsed.scheme().to_owned());
        }
        schemes.dedup();
        if schemes.len() > 1 {
            return Err(Error::InvalidArgument(format!(
                "{option}: mixes redis:// and rediss:// nodes; use one scheme for all"
            )));
        }
        Ok(())
    }

    /// The passwords in the node URLs, to scrub from messages.
    pub(crate) fn secrets(&self) -> Vec<String> {
        self.nodes()
            .iter()
            .flat_map(|node| crate::config::url_secrets(node))
            .collect()
    }
}

impl fmt::Debug for Topology {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted: Vec<String> = self.nodes().iter().map(|n| redact_url(n)).collect();
        match self {
            Topology::Standalone => f.write_str("Standalone"),
            Topology::Cluster { .. } => {
                f.debug_struct("Cluster").field("nodes", &redacted).finish()
            }
            Topology::Sentinel { master, .. } => f
                .debug_struct("Sentinel")
                .field("master", master)
                .field("nodes", &redacted)
                .finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::EmitterConfig;

    fn code(cfg: &EmitterConfig) -> String {
        cfg.validate()
            .map_or_else(|e| e.to_string(), |()| "ok".into())
    }

    #[test]
    fn node_lists_are_checked_and_named() {
        let base = || EmitterConfig::new(crate::config::DEFAULT_URL);
        assert_eq!(
            code(&base().with_cluster_nodes(["redis://127.0.0.1:7000"])),
            "ok"
        );
        let empty: [&str; 0] = [];
        assert!(code(&base().with_cluster_nodes(empty)).contains("cluster_nodes must list"));
        assert!(code(&base().with_cluster_nodes(["http://h:1"])).contains("cluster_nodes"));
        assert!(
            code(&base().with_cluster_nodes(["redis://a:1", "rediss://b:2"])).contains("mixes")
        );
        assert!(code(&base().with_sentinel("", ["redis://s:26379"])).contains("sentinel_master"));
        assert!(code(&base().with_sentinel("m", ["nope"])).contains("sentinel_nodes"));
        assert_eq!(code(&base().with_sentinel("m", ["redis://s:26379"])), "ok");
    }

    #[test]
    fn the_three_options_combine_or_are_refused_by_name() {
        use super::Topology;
        let nodes = || Some(vec!["redis://a:1".to_owned()]);
        let master = || Some("m".to_owned());
        assert_eq!(
            Topology::from_options(None, None, None).unwrap(),
            Topology::Standalone
        );
        assert!(matches!(
            Topology::from_options(nodes(), None, None).unwrap(),
            Topology::Cluster { .. }
        ));
        assert!(matches!(
            Topology::from_options(None, master(), nodes()).unwrap(),
            Topology::Sentinel { .. }
        ));
        for (args, names) in [
            ((nodes(), master(), nodes()), "not both"),
            ((nodes(), None, nodes()), "not both"),
            (
                (None, master(), None),
                "sentinel_master needs sentinel_nodes",
            ),
            (
                (None, None, nodes()),
                "sentinel_nodes needs sentinel_master",
            ),
        ] {
            let err = Topology::from_options(args.0, args.1, args.2).unwrap_err();
            assert_eq!(err.code(), "INVALID_ARGUMENT");
            assert!(err.to_string().contains(names), "{err}");
        }
    }

    #[test]
    fn a_cluster_is_not_given_a_url_too() {
        let cfg = EmitterConfig::new("redis://10.0.0.1:6379").with_cluster_nodes(["redis://a:1"]);
        let msg = code(&cfg);
        assert!(
            msg.contains("url") && msg.contains("cluster_nodes"),
            "{msg}"
        );
    }

    #[test]
    fn classic_on_a_cluster_cannot_promise_receivers() {
        let cfg = EmitterConfig::new(crate::config::DEFAULT_URL)
            .with_cluster_nodes(["redis://a:1"])
            .with_require_receivers(true);
        let msg = code(&cfg);
        assert!(msg.contains("require_receivers"), "{msg}");
        let sharded = cfg.with_adapter(crate::AdapterKind::Sharded);
        assert_eq!(code(&sharded), "ok");
    }

    #[test]
    fn node_passwords_never_show() {
        let cfg = EmitterConfig::new(crate::config::DEFAULT_URL)
            .with_sentinel("m", ["redis://:s3cret-pw@s:26379", "bad url s3cret-pw"]);
        assert!(!format!("{cfg:?}").contains("s3cret-pw"));
        let msg = code(&cfg);
        assert!(!msg.contains("s3cret-pw"), "{msg}");
        assert!(cfg.secrets().iter().any(|s| s == "s3cret-pw"));
    }
}
