//! Runs every `sh` block of cli/README.md and docs/troubleshooting.md with bash against two
//! real Socket.IO servers, and checks what their clients received and what the blocks printed.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::*;

fn sh_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```sh") => current = Some(String::new()),
            (Some(_), "```") => blocks.push(current.take().unwrap()),
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            _ => {}
        }
    }
    blocks
}

/// Each `sh` block with the `text` block that follows it (its expected output), if any.
fn sh_blocks_with_output(markdown: &str) -> Vec<(String, Option<String>)> {
    let mut pairs: Vec<(String, Option<String>)> = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```sh") => current = Some(("sh".into(), String::new())),
            (None, "```text") => current = Some(("text".into(), String::new())),
            (Some(_), "```") => {
                let (kind, body) = current.take().unwrap();
                match (kind.as_str(), pairs.last_mut()) {
                    ("text", Some((_, out @ None))) => *out = Some(body),
                    _ => pairs.push((body, None)),
                }
            }
            (Some((_, body)), _) => {
                body.push_str(line);
                body.push('\n');
            }
            _ => {}
        }
    }
    pairs
}

/// Runs `block` with bash in `dir`, the built binary first on PATH.
fn run_block(block: &str, dir: &Path, redis_url: &str) -> Run {
    let bin_dir = PathBuf::from(env!("CARGO_BIN_EXE_socketio-emit"))
        .parent()
        .unwrap()
        .to_owned();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap());
    output(
        Command::new("bash")
            .args(["-euo", "pipefail", "-c", block])
            .current_dir(dir)
            .env("PATH", &path)
            .env("REDIS_URL", redis_url)
            .output()
            .unwrap(),
    )
}

#[test]
fn readme_snippets_run_and_deliver() {
    let readme = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let blocks = sh_blocks(&std::fs::read_to_string(readme).unwrap());
    assert!(blocks.len() >= 3, "found the README's sh blocks");

    let h = Harness::start(&["--servers", "2"]);
    clients(
        &h,
        "/",
        &[
            ("rd-room1", 0, json!(["room1"])),
            ("rd-banned", 1, json!(["banned"])),
        ],
    );
    clients(&h, "/admin", &[("rd-admin", 1, json!([]))]);

    let dir = std::env::temp_dir().join(format!("socketio-emit-readme-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for block in &blocks {
        let r = run_block(block, &dir, &h.redis_url);
        assert_eq!(r.code, 0, "README block failed:\n{block}\n{r:?}");
        if block.contains("emit-with-ack confirm") {
            // The README's clients never acknowledge, and its servers' handlers neither.
            let lines: Vec<&str> = r.stdout.lines().collect();
            assert_eq!(lines.first(), Some(&"2"), "server-count: {r:?}");
            assert!(r.stdout.contains("\"clients_missing\":1"), "{r:?}");
            assert_eq!(
                lines.iter().filter(|l| **l == "exit 11").count(),
                2,
                "{r:?}"
            );
        }
        if block.contains("--compat socket.io-redis-5") {
            assert_eq!(r.stdout.trim(), "exit 4", "{r:?}");
        }
        if block.contains("socketio-emit monitor") {
            assert_eq!(
                r.stdout.trim(),
                r#"PUBLISH socket.io#/#  broadcast nsp=/ hello("world") from=emitter"#
            );
        }
        if block.contains("socketio-emit doctor") {
            assert!(r.stdout.contains("  OK: "), "{r:?}");
        }
        if block.contains("/nobody-here") {
            assert!(r.stdout.contains(r#""code":"NO_SUBSCRIBERS""#), "{r:?}");
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();

    h.flush();
    let room1 = h.event_names("rd-room1");
    for event in ["chat", "note", "photo"] {
        assert!(room1.contains(&event.to_owned()), "{event} in {room1:?}");
    }
    let photo = h.events("rd-room1").into_iter().find(|(e, _)| e == "photo");
    let png = bytes_json(b"\x89PNG\r\n");
    assert_eq!(photo.unwrap().1, vec![json!("logo"), png.clone(), png]);
    assert_eq!(h.event_names("rd-admin"), names(&["news"]));
    assert_eq!(
        h.events("rd-admin")[0].1,
        vec![json!("plain string"), json!(42), json!([1, 2]), json!(null)]
    );
    assert!(
        h.wait_until(Duration::from_secs(10), |obs| obs
            .iter()
            .any(|m| m["type"] == "disconnect" && m["client"] == "rd-banned")),
        "disconnect-sockets --to banned reached rd-banned"
    );
    let server_events = h
        .observed()
        .iter()
        .filter(|m| m["type"] == "server_event" && m["args"] == json!([{"reload": true}]))
        .count();
    assert_eq!(server_events, 2, "both servers ran serverSideEmit");
}

#[test]
fn troubleshooting_snippets_print_what_the_page_shows() {
    let page = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/troubleshooting.md");
    let pairs = sh_blocks_with_output(&std::fs::read_to_string(page).unwrap());
    assert!(pairs.len() >= 5, "found the page's sh blocks");

    let h = Harness::start(&["--servers", "2"]);
    clients(&h, "/chat", &[("ts-general", 0, json!(["general"]))]);
    let dir = std::env::temp_dir().join(format!("socketio-emit-doc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (block, expected) in &pairs {
        let r = run_block(block, &dir, &h.redis_url);
        assert_eq!(r.code, 0, "block failed:\n{block}\n{r:?}");
        // Every shown line is printed; `...` stands for lines the page leaves out.
        for line in expected.iter().flat_map(|e| e.lines()) {
            if line != "..." {
                let printed = r.stdout.lines().any(|l| l == line);
                assert!(printed, "{line:?} not printed by\n{block}\n{r:?}");
            }
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
    h.flush();
    assert_eq!(h.event_names("ts-general"), names(&["message"]));
}
