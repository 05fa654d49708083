//! `socketio-emit doctor`: reads Redis and says, in plain words, who listens there and why
//! an emit to the target would reach no server.

mod checks;
mod report;
mod survey;
mod verdict;

use socketio_emitter::{EmitterConfig, Error, Topology};

use crate::cli::Options;
use crate::config;
use crate::redis_link::{at, connect_to, query};
use survey::Group;

/// What doctor found; printed by [`report`].
#[derive(Debug)]
pub struct Findings {
    pub version: String,
    pub topology: String,
    /// Cluster masters, or the masters sentinels watch (`name host:port`).
    pub masters: Vec<String>,
    pub groups: Vec<Group>,
    pub buffer: serde_json::Value,
    pub user: Option<String>,
    pub permissions: Vec<checks::Permission>,
    pub target: verdict::Target,
    pub verdict: verdict::Verdict,
}

/// The doctor's own arguments.
#[derive(Debug)]
pub struct Request<'a> {
    pub url: Option<&'a str>,
    pub of: Option<&'a str>,
    pub to: &'a [String],
}

/// Examines Redis and prints the findings; exit code 0 when an emit to the target reaches
/// some server, 8 (NO_SUBSCRIBERS) when it would reach none.
pub fn run(options: &Options, request: &Request) -> Result<i32, Error> {
    // A cluster seed node or a sentinel is examined like any URL: INFO tells what it is.
    let seed = options
        .cluster_nodes
        .first()
        .or(options.sentinel_nodes.first());
    let url = match (request.url, seed) {
        (Some(url), _) => url.to_owned(),
        (None, Some(seed)) => seed.clone(),
        (None, None) => config::url(options),
    };
    let mut con = connect_to(options, &url)?;
    let (version, topology) = checks::version_and_mode(&mut con)?;
    let (data_urls, masters) = match topology.as_str() {
        // The core's survey finds a cluster's nodes itself: only the masters are listed.
        "cluster" => (Vec::new(), checks::cluster_masters(&mut con)?),
        "sentinel" => {
            let found = checks::sentinel_masters(&mut con)?;
            let urls = found.iter().map(|(_, a)| at(&url, a)).collect();
            (
                urls,
                found.iter().map(|(n, a)| format!("{n} {a}")).collect(),
            )
        }
        _ => (vec![url.clone()], Vec::new()),
    };
    let base = config::build(options)?;
    let mut groups = Vec::new();
    if topology == "cluster" {
        // The core asks every node of the cluster itself.
        let nodes = vec![url.clone()];
        groups = listeners(&base, &url, Topology::Cluster { nodes })?;
    } else {
        for node in &data_urls {
            groups.extend(listeners(&base, node, Topology::Standalone)?);
        }
    }
    // The buffer limit and the ACL are read on one data node: the seed of a cluster, or
    // the (first) master.
    let data_node = match topology.as_str() {
        "cluster" => Some(&url),
        _ => data_urls.first(),
    };
    let data_node =
        data_node.ok_or_else(|| Error::Redis("the sentinels watch no master".into()))?;
    let first = &mut connect_to(options, data_node)?;
    let buffer = checks::pubsub_buffer(first);
    let target = verdict::Target::from(options, request);
    let (user, permissions) = checks::acl(first, &target.needed_commands());
    let mut verdict = verdict::judge(&target, &groups);
    if let Some(channel) = target.room_channel()
        && verdict.servers > 0
    {
        // On a cluster only the slot's own node answers; an error there leaves the verdict.
        let count: Result<(String, u64), Error> =
            query(first, redis::cmd("PUBSUB").arg("SHARDNUMSUB").arg(&channel));
        if let Ok((_, 0)) = count {
            verdict = verdict::empty_room(&target, &channel);
        }
    }
    let findings = Findings {
        version,
        topology,
        masters,
        groups,
        buffer,
        user,
        permissions,
        target,
        verdict,
    };
    report::print(&findings, options.json);
    Ok(if findings.verdict.servers > 0 { 0 } else { 8 })
}

/// The core's survey of the Redis at `url` (or of the cluster it belongs to), with the TLS
/// and timeout options of `base`.
fn listeners(base: &EmitterConfig, url: &str, topology: Topology) -> Result<Vec<Group>, Error> {
    // A cluster is reached through its seed nodes; its `url` stays the default.
    let mut config = match &topology {
        Topology::Cluster { .. } => EmitterConfig::new(socketio_emitter::DEFAULT_URL),
        _ => EmitterConfig::new(url),
    };
    config.topology = topology;
    config.tls_ca_pem = base.tls_ca_pem.clone();
    config.connect_timeout = base.connect_timeout;
    config.response_timeout = base.response_timeout;
    let survey = socketio_emitter::blocking::survey(&config)?;
    Ok(survey.listeners.iter().map(Group::from).collect())
}
