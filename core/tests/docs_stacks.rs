//! Every server snippet of docs/stacks.md runs here, as a whole server with the versions
//! pinned in tests/fixtures, and an emitter configured as its section says delivers an event
//! with binary and a Date to a client of the matching major version.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use interop_harness::{Harness, Json, bytes_json, json, repo_root};
use socketio_emitter::blocking::Emitter;
use socketio_emitter::{AdapterKind, Compat, EmitterConfig, StreamsVersion, Value};

/// The snippets, by the name after `server=` in their code fence.
fn snippets() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(repo_root().join("docs/stacks.md")).expect("docs/stacks.md");
    let mut found = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some(name) = line.strip_prefix("```js server=") {
            let body: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
            found.push((name.to_owned(), body.join("\n") + "\n"));
        }
    }
    found
}

/// What a user installs under the real name is pinned in tests/fixtures under an alias, and
/// the client's major version.
fn installed(name: &str) -> (&'static [(&'static str, &'static str)], u8) {
    match name {
        "streams-0.3" | "redis-adapter-8" | "sharded" => (&[], 4),
        "streams-0.2" => (
            &[(
                "@socket.io/redis-streams-adapter",
                "redis-streams-adapter-0.2",
            )],
            4,
        ),
        "redis-adapter-7" => (&[("@socket.io/redis-adapter", "redis-adapter-7")], 4),
        "socket.io-redis-6.1" => (&[("socket.io-redis", "socket.io-redis-6.1")], 4),
        "socket.io-redis-6.0" => (
            &[
                ("socket.io-redis", "socket.io-redis-6.0"),
                ("socket.io", "socket.io-3"),
            ],
            3,
        ),
        "socket.io-redis-5" => (
            &[
                ("socket.io-redis", "socket.io-redis-5"),
                ("socket.io", "socket.io-2"),
            ],
            2,
        ),
        other => panic!("docs/stacks.md has a snippet for an unknown stack {other}"),
    }
}

/// The emitter options the section names.
fn config(name: &str, url: &str) -> EmitterConfig {
    let base = EmitterConfig::new(url);
    match name {
        "streams-0.3" => base.with_adapter(AdapterKind::Streams),
        "streams-0.2" => base
            .with_adapter(AdapterKind::Streams)
            .with_streams_version(StreamsVersion::V02),
        "sharded" => base.with_adapter(AdapterKind::Sharded),
        "redis-adapter-8" => base,
        compat => base.with_compat(compat.parse::<Compat>().expect("a compat name")),
    }
}

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn node(script: &PathBuf, args: &[String], env: &[(&str, String)]) -> Child {
    Command::new("node")
        .arg(script)
        .args(args)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .env("NODE_PATH", repo_root().join("tests/fixtures/node_modules"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node")
}

/// Everything a process wrote on stderr, for a failure message.
fn stderr_of(child: &mut Child) -> String {
    let _ = child.kill();
    let mut text = String::new();
    if let Some(err) = child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut BufReader::new(err), &mut text);
    }
    text
}

fn run_snippet(h: &Harness, dir: &std::path::Path, name: &str, code: &str) -> Result<(), String> {
    let (aliases, major) = installed(name);
    let mut code = code.to_owned();
    for (real, alias) in aliases {
        code = code.replace(
            &format!("require(\"{real}\")"),
            &format!("require(\"{alias}\")"),
        );
    }
    let script = dir.join(format!("{name}.js"));
    std::fs::write(&script, code).map_err(|e| e.to_string())?;
    let port = free_port();
    let mut server = Running(node(
        &script,
        &[],
        &[
            ("PORT", port.to_string()),
            ("REDIS_URL", h.redis_url.clone()),
        ],
    ));
    let room = format!("room-{name}");
    let client_script = repo_root().join("tests/fixtures/docs_client.js");
    let mut client = Running(node(
        &client_script,
        &[port.to_string(), major.to_string(), room.clone()],
        &[],
    ));
    let (tx, rx) = mpsc::channel::<Json>();
    let out = client.0.stdout.take().expect("client stdout");
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if let Ok(v) = serde_json::from_str::<Json>(&line)
                && tx.send(v).is_err()
            {
                return;
            }
        }
    });
    let fail = |what: String, server: &mut Running, client: &mut Running| {
        format!(
            "{name}: {what}\nserver stderr:\n{}\nclient stderr:\n{}",
            stderr_of(&mut server.0),
            stderr_of(&mut client.0)
        )
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    let next = |until: Instant| rx.recv_timeout(until.saturating_duration_since(Instant::now()));
    match next(deadline) {
        Ok(line) if line["connected"] == true => {}
        other => {
            return Err(fail(
                format!("no connection: {other:?}"),
                &mut server,
                &mut client,
            ));
        }
    }
    let io = Emitter::with_config(config(name, &h.redis_url))
        .map_err(|e| format!("{name}: connect: {e}"))?
        .to(room.as_str());
    // The server subscribes (or starts reading its stream) after it listens: probe until the
    // client hears one, then send the event once.
    let mut heard = false;
    while !heard && Instant::now() < deadline {
        io.emit("probe", &[])
            .map_err(|e| format!("{name}: probe: {e}"))?;
        let until = Instant::now() + Duration::from_millis(200);
        while let Ok(line) = next(until) {
            if line["event"] == "probe" {
                heard = true;
                break;
            }
        }
    }
    if !heard {
        return Err(fail("no probe arrived".into(), &mut server, &mut client));
    }
    let args = [
        Value::from(name),
        Value::bytes([1u8, 2, 3]),
        Value::Date(1_700_000_000_123),
    ];
    io.emit("hello", &args)
        .map_err(|e| format!("{name}: emit: {e}"))?;
    let want = json!([name, bytes_json(&[1, 2, 3]), "2023-11-14T22:13:20.123Z"]);
    loop {
        match next(deadline) {
            Ok(line) if line["event"] == "hello" => {
                if line["args"] != want {
                    return Err(fail(
                        format!("got {line}, want {want}"),
                        &mut server,
                        &mut client,
                    ));
                }
                break;
            }
            Ok(_) => continue,
            Err(_) => return Err(fail("no hello arrived".into(), &mut server, &mut client)),
        }
    }
    Ok(())
}

#[test]
fn every_server_snippet_of_docs_stacks_delivers_what_the_emitter_sends() {
    let found = snippets();
    let names: Vec<&str> = found.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "streams-0.3",
            "streams-0.2",
            "redis-adapter-8",
            "sharded",
            "redis-adapter-7",
            "socket.io-redis-6.1",
            "socket.io-redis-6.0",
            "socket.io-redis-5",
        ]
    );
    // Only for its Redis: the harness's own server shares it, and hears what it hears.
    let h = Harness::start(&["--servers", "1"]);
    let dir = std::env::temp_dir().join(format!("sioe-docs-stacks-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let failures: Vec<String> = found
        .iter()
        .filter_map(|(name, code)| run_snippet(&h, &dir, name, code).err())
        .collect();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
