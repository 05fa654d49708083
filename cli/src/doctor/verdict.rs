//! Would an emit to the target reach a server, and if not, why not.

use super::Request;
use super::survey::Group;
use crate::cli::Options;

/// Where the user means to emit.
#[derive(Debug)]
pub struct Target {
    pub key: String,
    pub nsp: String,
    pub to: Vec<String>,
    /// `--adapter`; None means the emitter's default, classic.
    pub adapter: Option<String>,
    pub stream_name: String,
    /// `--subscription-mode`: with a dynamic one (the default) the emitter sends a
    /// one-room broadcast on that room's own sharded channel.
    pub dynamic_mode: bool,
}

impl Target {
    pub fn from(options: &Options, request: &Request) -> Target {
        Target {
            key: options.key.clone().unwrap_or_else(|| "socket.io".into()),
            nsp: request.of.unwrap_or("/").to_owned(),
            to: request.to.to_vec(),
            adapter: options.adapter.clone(),
            stream_name: options
                .stream_name
                .clone()
                .unwrap_or_else(|| "socket.io".into()),
            dynamic_mode: options.subscription_mode.as_deref() != Some("static"),
        }
    }

    /// The sharded room channel an emit to the target is published on, if it is one.
    pub fn room_channel(&self) -> Option<String> {
        match self.to.as_slice() {
            [room] if self.adapter() == "sharded" && self.dynamic_mode => {
                Some(format!("{}#{}#{room}#", self.key, self.nsp))
            }
            _ => None,
        }
    }

    pub fn adapter(&self) -> &str {
        self.adapter.as_deref().unwrap_or("classic")
    }

    /// The commands an emit to the target runs, for the ACL check.
    pub fn needed_commands(&self) -> Vec<Vec<String>> {
        let main = format!("{}#{}#", self.key, self.nsp);
        let line = |words: &[&str]| words.iter().map(|w| w.to_string()).collect();
        match self.adapter() {
            "sharded" => vec![
                line(&["SPUBLISH", &main, "x"]),
                line(&["PUBSUB", "SHARDNUMSUB", &main]),
            ],
            "streams" => vec![
                line(&["XADD", &self.stream_name, "*", "uid", "emitter"]),
                line(&["PUBLISH", &main, "x"]),
                line(&["PUBSUB", "NUMSUB", &main]),
            ],
            _ => {
                let request = format!("{}-request#{}#", self.key, self.nsp);
                vec![
                    line(&["PUBLISH", &main, "x"]),
                    line(&["PUBLISH", &request, "x"]),
                    line(&["PUBSUB", "NUMSUB", &request]),
                ]
            }
        }
    }
}

/// The answer: how many servers the target reaches and, when none, which mistake it is.
#[derive(Debug)]
pub struct Verdict {
    /// `ok`, `no_server`, `wrong_key`, `wrong_namespace` or `adapter_mismatch`.
    pub problem: &'static str,
    pub servers: u64,
    pub explanation: String,
}

pub fn judge(target: &Target, groups: &[Group]) -> Verdict {
    let (key, nsp, adapter) = (&target.key, &target.nsp, target.adapter());
    let with_key: Vec<&Group> = groups
        .iter()
        .filter(|g| match g.is_streams_02() {
            true => g.key == target.stream_name,
            false => g.key == *key,
        })
        .collect();
    let here: Vec<&Group> = with_key.iter().copied().filter(|g| g.nsp == *nsp).collect();
    let verdict = |problem, servers, explanation| Verdict {
        problem,
        servers,
        explanation,
    };
    if groups.is_empty() {
        return verdict(
            "no_server",
            0,
            "No Socket.IO server listens on this Redis: no adapter subscription and no \
             streams heartbeat were found. Start the servers, or check that they use this \
             Redis."
                .into(),
        );
    }
    if with_key.is_empty() {
        let mut keys: Vec<String> = groups.iter().map(|g| format!("{:?}", g.key)).collect();
        keys.dedup();
        return verdict(
            "wrong_key",
            0,
            format!(
                "No server uses the key {key:?}. The keys in use are: {}. Pass --key with the \
                 servers' key (their adapter's `key`, or `channelPrefix`).",
                keys.join(", ")
            ),
        );
    }
    if here.is_empty() {
        let mut spaces: Vec<String> = with_key.iter().map(|g| format!("{:?}", g.nsp)).collect();
        spaces.dedup();
        return verdict(
            "wrong_namespace",
            0,
            format!(
                "No server has the namespace {nsp:?} under the key {key:?}. Namespaces with \
                 servers: {}. A server listens on a namespace only once its code has used it \
                 (io.of(...)).",
                spaces.join(", ")
            ),
        );
    }
    let mut kinds: Vec<&str> = here
        .iter()
        .filter_map(|g| g.adapter.split(' ').next())
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    // `--adapter auto` takes the one adapter the namespace's servers use, as the library does.
    let adapter = match (adapter, kinds.as_slice()) {
        ("auto", [one]) => *one,
        ("auto", _) => {
            return verdict(
                "ambiguous",
                0,
                format!(
                    "--adapter auto cannot choose: the servers of namespace {nsp:?} under the \
                     key {key:?} use the {} adapters. Pass --adapter with the one you mean.",
                    kinds.join(" and ")
                ),
            );
        }
        (configured, _) => configured,
    };
    let matching: Vec<&Group> = here
        .iter()
        .copied()
        .filter(|g| g.adapter.split(' ').next() == Some(adapter))
        .collect();
    if matching.is_empty() {
        let theirs: Vec<&str> = here.iter().map(|g| g.adapter.as_str()).collect();
        let default = if target.adapter.is_none() {
            " (the default)"
        } else {
            ""
        };
        let first = theirs[0].split(' ').next().unwrap_or("classic");
        return verdict(
            "adapter_mismatch",
            0,
            format!(
                "The servers of namespace {nsp:?} under the key {key:?} use the {} adapter, \
                 but you configured {adapter}{default}: each adapter has its own delivery \
                 path, so nothing arrives. Pass --adapter {first}.",
                theirs.join(" and "),
            ),
        );
    }
    let servers: u64 = matching.iter().map(|g| g.servers).sum();
    verdict(
        "ok",
        servers,
        format!(
            "An emit to namespace {nsp:?} under the key {key:?} with the {adapter} adapter \
             reaches {servers} server(s)."
        ),
    )
}

/// A one-room sharded broadcast whose room channel nobody hears.
pub fn empty_room(target: &Target, channel: &str) -> Verdict {
    Verdict {
        problem: "empty_room",
        servers: 0,
        explanation: format!(
            "No server listens on {channel:?}, the channel of room {:?}. With a dynamic \
             --subscription-mode (the default) a broadcast to one room is published there, \
             and only servers that hold members of that room hear it. If the servers run in \
             the static mode, pass --subscription-mode static.",
            target.to[0]
        ),
    }
}
