//! `socketio-emit`: the socketio-emitter library from the shell. One operation per run.
//!
//! The command is a library too, so that the Python and Node packages can ship it: their
//! `socketio-emit` launchers call [`run`] inside their own native module, and need no second
//! binary per platform.

mod ask;
mod cli;
mod config;
mod doctor;
mod monitor;
mod outcome;
mod payload;
mod redis_link;

use clap::Parser;
use socketio_emitter::Error;
use socketio_emitter::blocking::Emitter;

use cli::{Cli, Command, Target};

/// Runs one command line (`args[0]` is the program name, as in `std::env::args_os`), printing
/// to stdout and stderr, and returns the exit code (the table is in `--help`).
pub fn run<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let raw: Vec<std::ffi::OsString> = args.into_iter().map(Into::into).collect();
    let cli = match Cli::try_parse_from(&raw) {
        Ok(cli) => cli,
        Err(e) => return usage_error(e, &raw),
    };
    let secrets = config::secrets(&cli.options);
    let json = cli.options.json;
    if let Command::Monitor { of } = &cli.command {
        return match monitor::run(&cli.options, of.as_deref()) {
            Ok(()) => 0,
            Err(e) => outcome::error(&e, json, &secrets),
        };
    }
    if let Command::Doctor { redis, of, to } = &cli.command {
        let mut secrets = secrets;
        secrets.extend(redis.as_deref().and_then(url_password).unwrap_or_default());
        let request = doctor::Request {
            url: redis.as_deref(),
            of: of.as_deref(),
            to,
        };
        return match doctor::run(&cli.options, &request) {
            Ok(code) => code,
            Err(e) => outcome::error(&e, json, &secrets),
        };
    }
    if let Some(asked) = ask::run(&cli.command, &cli.options) {
        return asked.unwrap_or_else(|e| outcome::error(&e, json, &secrets));
    }
    match execute(&cli) {
        Ok(servers) => outcome::success(servers, json),
        Err(e) => outcome::error(&e, json, &secrets),
    }
}

/// Help and version go to stdout with exit 0; other clap errors are usage errors (exit 2),
/// as one JSON object with `--json`.
fn usage_error(e: clap::Error, raw: &[std::ffi::OsString]) -> i32 {
    use clap::error::ErrorKind;
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let _ = e.print();
        return 0;
    }
    let raw: Vec<String> = raw
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let json = raw.iter().any(|a| a == "--json");
    // Scrub whatever URL the command line holds, even though clap only quotes bad values.
    let secrets: Vec<String> = raw
        .iter()
        .flat_map(|a| {
            let url = a.split_once('=').map_or(a.as_str(), |(_, v)| v);
            url::Url::parse(url)
                .ok()
                .and_then(|u| u.password().map(str::to_owned))
        })
        .flat_map(|p| {
            let decoded = percent_encoding::percent_decode_str(&p)
                .decode_utf8_lossy()
                .into_owned();
            [p, decoded]
        })
        .filter(|s| !s.is_empty())
        .collect();
    if json {
        let message = e.render().to_string();
        outcome::failure("USAGE", message.trim_end(), true, &secrets)
    } else {
        use std::io::IsTerminal;
        let rendered = if std::io::stderr().is_terminal() {
            e.render().ansi().to_string()
        } else {
            e.render().to_string()
        };
        eprint!("{}", outcome::scrub(&rendered, &secrets));
        outcome::USAGE
    }
}

fn execute(cli: &Cli) -> Result<u64, Error> {
    // Arguments are read (and refused) before connecting.
    let op = Operation::from(&cli.command)?;
    let config = config::build(&cli.options)?;
    let io = Emitter::with_config(config)?;
    let result = op.run(&io);
    // Every call above is synchronous: nothing is left queued for close to report.
    let _ = io.close();
    result
}

/// One operation, with its arguments read.
enum Operation<'a> {
    Emit {
        event: &'a str,
        args: Vec<socketio_emitter::Value>,
        target: &'a Target,
        volatile: bool,
        compress: Option<bool>,
    },
    Join(&'a [String], &'a Target),
    Leave(&'a [String], &'a Target),
    Disconnect(bool, &'a Target),
    ServerSide {
        event: &'a str,
        args: Vec<socketio_emitter::Value>,
        of: Option<&'a str>,
    },
}

impl<'a> Operation<'a> {
    fn from(command: &'a Command) -> Result<Operation<'a>, Error> {
        Ok(match command {
            Command::Emit {
                event,
                args,
                target,
                payload,
                volatile,
                compress,
            } => Operation::Emit {
                event,
                args: payload::arguments(args, payload)?,
                target,
                volatile: *volatile,
                compress: *compress,
            },
            Command::SocketsJoin { rooms, target } => Operation::Join(rooms, target),
            Command::SocketsLeave { rooms, target } => Operation::Leave(rooms, target),
            Command::DisconnectSockets { close, target } => Operation::Disconnect(*close, target),
            Command::ServerSideEmit {
                event,
                args,
                of,
                payload,
            } => Operation::ServerSide {
                event,
                args: payload::arguments(args, payload)?,
                of: of.as_deref(),
            },
            _ => {
                return Err(Error::Internal("this command does not publish".into()));
            }
        })
    }

    fn run(&self, io: &Emitter) -> Result<u64, Error> {
        match self {
            Operation::Emit {
                event,
                args,
                target,
                volatile,
                compress,
            } => {
                let mut io = targeted(io, target);
                if *volatile {
                    io = io.volatile();
                }
                if let Some(c) = compress {
                    io = io.compress(*c);
                }
                io.emit(event, args)
            }
            Operation::Join(rooms, target) => targeted(io, target).sockets_join(rooms.to_vec()),
            Operation::Leave(rooms, target) => targeted(io, target).sockets_leave(rooms.to_vec()),
            Operation::Disconnect(close, target) => targeted(io, target).disconnect_sockets(*close),
            Operation::ServerSide { event, args, of } => {
                let io = match of {
                    Some(nsp) => io.of(nsp),
                    None => io.clone(),
                };
                io.server_side_emit(event, args)
            }
        }
    }
}

fn targeted(io: &Emitter, target: &Target) -> Emitter {
    let mut io = match &target.of {
        Some(nsp) => io.of(nsp),
        None => io.clone(),
    };
    if !target.to.is_empty() {
        io = io.to(target.to.clone());
    }
    if !target.except.is_empty() {
        io = io.except(target.except.clone());
    }
    io
}

/// The password of a URL, raw and percent-decoded, to scrub from messages.
fn url_password(url: &str) -> Option<Vec<String>> {
    let raw = url::Url::parse(url).ok()?.password()?.to_owned();
    let decoded = percent_encoding::percent_decode_str(&raw)
        .decode_utf8_lossy()
        .into_owned();
    Some(vec![raw, decoded])
}
