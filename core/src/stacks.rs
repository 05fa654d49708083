//! The server stacks the emitter can write for, beyond today's default: the Redis Streams
//! adapter's two wire generations ([`StreamsVersion`]) and the older classic stacks
//! ([`Compat`]). Options here are spelled the same in every language binding.

use std::fmt;

use crate::config::parse_choice;
use crate::error::{Error, Result};

/// Which `@socket.io/redis-streams-adapter` generation the servers run. The two differ in
/// where the ephemeral operations go: 0.3 puts serverSideEmit (and every request) on a
/// Pub/Sub side channel, 0.2 writes everything into the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StreamsVersion {
    /// 0.1.x and 0.2.x: the stream only, servers counted by heartbeats.
    V02,
    /// 0.3.x (the default): the stream, plus a Pub/Sub side channel `key#nsp#`.
    #[default]
    V03,
}

impl StreamsVersion {
    const CHOICES: &[(&str, StreamsVersion)] =
        &[("0.3", StreamsVersion::V03), ("0.2", StreamsVersion::V02)];

    pub fn as_str(self) -> &'static str {
        match self {
            StreamsVersion::V02 => "0.2",
            StreamsVersion::V03 => "0.3",
        }
    }
}

impl std::str::FromStr for StreamsVersion {
    type Err = Error;

    /// `0.3` or `0.2`; a full version (`0.3.1`, `0.2.3`, `0.1.0`) names its generation.
    fn from_str(s: &str) -> Result<StreamsVersion> {
        let generation = match s.split('.').collect::<Vec<_>>().as_slice() {
            ["0", "1", patch] | ["0", "2", patch] if is_number(patch) => "0.2",
            ["0", "3", patch] if is_number(patch) => "0.3",
            _ => s,
        };
        parse_choice("streams_version", generation, StreamsVersion::CHOICES)
    }
}

fn is_number(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

impl fmt::Display for StreamsVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The classic adapter's server stack, named by the adapter package the servers use. Each
/// older stack decodes less than today's: the emitter writes what that stack understands,
/// and refuses (`UNSUPPORTED`) what it cannot honour instead of publishing into the void.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Compat {
    /// `@socket.io/redis-adapter` 8.x (the default): everything.
    #[default]
    RedisAdapter8,
    /// `@socket.io/redis-adapter` 7.x: Dates in notepack 2.x form.
    RedisAdapter7,
    /// `socket.io-redis` 6.1 (socket.io 4.x): also no serverSideEmit.
    SocketIoRedis61,
    /// `socket.io-redis` 6.0 (socket.io 3.x): also no except by room, and socketsJoin,
    /// socketsLeave and disconnectSockets only for one socket id.
    SocketIoRedis60,
    /// `socket.io-redis` 5.x (socket.io 2.x): as 6.0, plus binary as packet type 5 and the
    /// 5.x request numbering.
    SocketIoRedis5,
}

impl Compat {
    const CHOICES: &[(&str, Compat)] = &[
        ("redis-adapter-8", Compat::RedisAdapter8),
        ("redis-adapter-7", Compat::RedisAdapter7),
        ("socket.io-redis-6.1", Compat::SocketIoRedis61),
        ("socket.io-redis-6.0", Compat::SocketIoRedis60),
        ("socket.io-redis-5", Compat::SocketIoRedis5),
    ];

    pub fn as_str(self) -> &'static str {
        Compat::CHOICES
            .iter()
            .find(|(_, c)| *c == self)
            .map_or("redis-adapter-8", |(name, _)| name)
    }

    /// The stack in words, for errors.
    pub fn describe(self) -> &'static str {
        match self {
            Compat::RedisAdapter8 => "@socket.io/redis-adapter 8.x",
            Compat::RedisAdapter7 => "@socket.io/redis-adapter 7.x",
            Compat::SocketIoRedis61 => "socket.io-redis 6.1 (socket.io 4.x)",
            Compat::SocketIoRedis60 => "socket.io-redis 6.0 (socket.io 3.x)",
            Compat::SocketIoRedis5 => "socket.io-redis 5.x (socket.io 2.x)",
        }
    }

    /// Servers decode with notepack.io 2.x, which cannot read msgpack timestamps.
    pub(crate) fn notepack2_dates(self) -> bool {
        self != Compat::RedisAdapter8
    }

    /// `UNSUPPORTED`, naming this stack and why.
    pub(crate) fn unsupported(self, operation: &str, reason: &str) -> Error {
        Error::Unsupported(format!(
            "{operation} is not possible with {} (compat \"{}\"): {reason}",
            self.describe(),
            self.as_str()
        ))
    }
}

impl std::str::FromStr for Compat {
    type Err = Error;

    fn from_str(s: &str) -> Result<Compat> {
        parse_choice("compat", s, Compat::CHOICES)
    }
}

impl fmt::Display for Compat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_by_generation() {
        for (text, want) in [
            ("0.3", StreamsVersion::V03),
            ("0.3.1", StreamsVersion::V03),
            ("0.2", StreamsVersion::V02),
            ("0.2.3", StreamsVersion::V02),
            ("0.1.0", StreamsVersion::V02),
        ] {
            assert_eq!(text.parse::<StreamsVersion>().unwrap(), want, "{text}");
        }
        for bad in ["", "0.4", "1", "0.3.x", "v0.3"] {
            let err = bad.parse::<StreamsVersion>().unwrap_err();
            assert_eq!(err.code(), "INVALID_ARGUMENT", "{bad}");
            assert!(err.to_string().contains("streams_version"), "{err}");
        }
    }

    #[test]
    fn compat_names_round_trip() {
        for (name, c) in Compat::CHOICES {
            assert_eq!(name.parse::<Compat>().unwrap(), *c);
            assert_eq!(c.as_str(), *name);
        }
        let err = "v2".parse::<Compat>().unwrap_err();
        assert!(err.to_string().contains("socket.io-redis-5"), "{err}");
    }
}
