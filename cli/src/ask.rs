//! The commands that ask the cluster and print its answers: `server-count`,
//! `fetch-sockets`, `all-rooms`, `emit-with-ack` and `server-side-emit-with-ack`.

use std::time::Duration;

use socketio_emitter::Error;
use socketio_emitter::blocking::Emitter;

use crate::cli::{Command, Options, Target, Wait};
use crate::{config, payload, targeted};

/// Exit code of a result some servers or clients did not complete in time.
pub const PARTIAL: i32 = 11;

/// Runs `command` when it is one of these, printing its result: `None` otherwise.
pub fn run(command: &Command, options: &Options) -> Option<Result<i32, Error>> {
    let json = options.json;
    let answer = |io: &Emitter| -> Result<i32, Error> {
        match command {
            Command::ServerCount { of } => {
                let count = namespace(io, of.as_deref()).server_count()?;
                match json {
                    true => println!("{}", serde_json::json!({"ok": true, "servers": count})),
                    false => println!("{count}"),
                }
                Ok(0)
            }
            Command::FetchSockets { target, wait } => {
                let found = targeted(io, target).fetch_sockets(timeout(wait)?)?;
                Ok(print(found.to_json(), found.complete(), json))
            }
            Command::AllRooms { of, wait } => {
                let rooms = namespace(io, of.as_deref()).all_rooms(timeout(wait)?)?;
                Ok(print(rooms.to_json(), rooms.complete(), json))
            }
            Command::EmitWithAck {
                event,
                args,
                target,
                payload: how,
                wait,
            } => {
                let args = payload::arguments(args, how)?;
                let acks = targeted(io, target).emit_with_ack(event, &args, timeout(wait)?)?;
                Ok(print(acks.to_json(), acks.complete(), json))
            }
            Command::ServerSideEmitWithAck {
                event,
                args,
                of,
                payload: how,
                wait,
            } => {
                let args = payload::arguments(args, how)?;
                let acks = namespace(io, of.as_deref()).server_side_emit_with_ack(
                    event,
                    &args,
                    timeout(wait)?,
                )?;
                Ok(print(acks.to_json(), acks.complete(), json))
            }
            _ => Err(Error::Internal("not a question".into())),
        }
    };
    let asks = matches!(
        command,
        Command::ServerCount { .. }
            | Command::FetchSockets { .. }
            | Command::AllRooms { .. }
            | Command::EmitWithAck { .. }
            | Command::ServerSideEmitWithAck { .. }
    );
    asks.then(|| {
        // Arguments are checked before connecting.
        if let Command::FetchSockets { wait, .. }
        | Command::AllRooms { wait, .. }
        | Command::EmitWithAck { wait, .. }
        | Command::ServerSideEmitWithAck { wait, .. } = command
        {
            timeout(wait)?;
        }
        let io = Emitter::with_config(config::build(options)?)?;
        let result = answer(&io);
        let _ = io.close();
        result
    })
}

fn namespace(io: &Emitter, of: Option<&str>) -> Emitter {
    targeted(
        io,
        &Target {
            of: of.map(str::to_owned),
            to: Vec::new(),
            except: Vec::new(),
        },
    )
}

fn timeout(wait: &Wait) -> Result<Duration, Error> {
    Duration::try_from_secs_f64(wait.timeout)
        .ok()
        .filter(|t| !t.is_zero())
        .ok_or_else(|| {
            Error::InvalidArgument(format!(
                "--timeout must be a positive number of seconds, not {}",
                wait.timeout
            ))
        })
}

/// The result as JSON (indented for people, one line with --json), and the exit code.
fn print(result: serde_json::Value, complete: bool, json: bool) -> i32 {
    if json {
        let mut line = serde_json::json!({"ok": true});
        if let (Some(out), serde_json::Value::Object(fields)) = (line.as_object_mut(), result) {
            out.extend(fields);
        }
        println!("{line}");
    } else {
        println!(
            "{}",
            serde_json::to_string_pretty(&result).unwrap_or_default()
        );
    }
    if complete { 0 } else { PARTIAL }
}
