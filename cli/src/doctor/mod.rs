//! `socketio-emit doctor`: reads Redis and says, in plain words, who listens there and why
//! an emit to the target would reach no server.

mod checks;
mod report;
mod survey;
mod verdict;

use socketio_emitter::Error;

use crate::cli::Options;
use crate::config;
use crate::redis_link::connect_to;
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
    let url = match request.url {
        Some(url) => url.to_owned(),
        None => match options.cluster_nodes.first() {
            Some(seed) => seed.clone(),
            None => config::url(options),
        },
    };
    let mut con = connect_to(options, &url)?;
    let (version, topology) = checks::version_and_mode(&mut con)?;
    let (data_urls, masters) = match topology.as_str() {
        "cluster" => {
            let (all, masters) = checks::cluster_nodes(&mut con)?;
            (all.iter().map(|a| at(&url, a)).collect(), masters)
        }
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
    let sharded = version_major(&version) >= 7;
    let mut groups = Vec::new();
    let mut data = Vec::new();
    for node in &data_urls {
        let mut c = connect_to(options, node)?;
        groups.extend(survey::node(&mut c, sharded)?);
        data.push(c);
    }
    let mut groups = survey::merge(groups);
    // Streams live on one node per key: heartbeats are read from every master once.
    for (c, node) in data.iter_mut().zip(&data_urls) {
        let is_master = topology != "cluster" || masters.iter().any(|m| node.contains(m));
        if is_master {
            groups.extend(survey::streams_02(c)?);
        }
    }
    let first = data
        .first_mut()
        .ok_or_else(|| Error::Redis("the sentinels watch no master".into()))?;
    let buffer = checks::pubsub_buffer(first);
    let target = verdict::Target::from(options, request);
    let (user, permissions) = checks::acl(first, &target.needed_commands());
    let verdict = verdict::judge(&target, &groups);
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

/// `url` pointed at `host:port`, keeping its scheme, credentials and database.
fn at(url: &str, addr: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        return url.to_owned();
    };
    let (host, port) = addr.rsplit_once(':').unwrap_or((addr, "6379"));
    let _ = parsed.set_host(Some(host));
    let _ = parsed.set_port(port.parse().ok());
    parsed.to_string()
}

fn version_major(version: &str) -> u32 {
    version
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0)
}
