//! Runs every `sh` block of cli/README.md with bash against two real Socket.IO servers, and
//! checks what their clients received.

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

    let bin_dir = PathBuf::from(env!("CARGO_BIN_EXE_socketio-emit"))
        .parent()
        .unwrap()
        .to_owned();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap());
    let dir = std::env::temp_dir().join(format!("socketio-emit-readme-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for block in &blocks {
        let r = output(
            Command::new("bash")
                .args(["-euo", "pipefail", "-c", block])
                .current_dir(&dir)
                .env("PATH", &path)
                .env("REDIS_URL", &h.redis_url)
                .output()
                .unwrap(),
        );
        assert_eq!(r.code, 0, "README block failed:\n{block}\n{r:?}");
        if block.contains("--compat socket.io-redis-5") {
            assert_eq!(r.stdout.trim(), "exit 4", "{r:?}");
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
