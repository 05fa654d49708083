//! Exit codes and `--json` for the failures that need no Socket.IO server, and that no
//! password ever appears in what is printed.

mod common;

use common::*;

const SECRET: &str = "s3cr3t-p4ss";

fn assert_no_secret(r: &Run) {
    let all = r.all_output();
    assert!(!all.contains(SECRET), "password printed: {all}");
    assert!(!all.contains("s3cr3t"), "password printed: {all}");
}

#[test]
fn usage_errors_exit_2() {
    let r = run(&["emit"]);
    assert_eq!(r.code, 2, "{r:?}");
    let r = run(&["--json", "emit", "ev", "--compress", "maybe"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert_eq!(r.json()["code"], "USAGE");
    let r = run(&["--json", "--adapter", "nope", "emit", "ev"]);
    assert_eq!(r.code, 2, "{r:?}");
    let r = run(&["--json", "emit", "ev", "--bin-file", "/nonexistent/file"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert_eq!(r.json()["code"], "INVALID_ARGUMENT");
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .contains("/nonexistent/file")
    );
    let r = run(&["--json", "--sentinel-master", "m", "emit", "ev"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.json()["message"].as_str().unwrap().contains("sentinel"));
}

#[test]
fn help_and_version_exit_0() {
    let r = run(&["--help"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("Exit codes:"));
    assert!(
        run(&["--version"])
            .stdout
            .contains(env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn a_bad_url_exits_2_without_the_password() {
    let url = format!("http://user:{SECRET}@127.0.0.1:6379");
    let r = run(&["--json", "--url", &url, "emit", "ev"]);
    assert_eq!(r.code, 2, "{r:?}");
    let j = r.json();
    assert_eq!(j["ok"], false);
    assert_eq!(j["code"], "INVALID_ARGUMENT");
    assert!(j["message"].as_str().unwrap().contains("redis://"), "{j}");
    assert_no_secret(&r);
    // A URL that does not parse at all.
    let r = run(&[
        "--url",
        &format!("redis://user:{SECRET}@[bad"),
        "emit",
        "ev",
    ]);
    assert_eq!(r.code, 2, "{r:?}");
    assert_no_secret(&r);
}

#[test]
fn unreachable_redis_exits_5_without_the_password() {
    // A port nothing listens on: bind one, then free it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("redis://user:{SECRET}@127.0.0.1:{port}");
    let quick = ["--connect-timeout", "0.5", "--response-timeout", "0.5"];
    let mut args = vec!["--json", "--url", &url, "emit", "ev"];
    args.extend(quick);
    let r = run(&args);
    assert_eq!(r.code, 5, "{r:?}");
    let j = r.json();
    assert_eq!(j["code"], "CONNECTION");
    assert!(j["message"].as_str().unwrap().contains("***"), "{j}");
    assert_no_secret(&r);
    // Human output, and the URL from the environment.
    let r = output(
        command()
            .env("REDIS_URL", &url)
            .args(["emit", "ev"])
            .args(quick)
            .output()
            .unwrap(),
    );
    assert_eq!(r.code, 5, "{r:?}");
    assert!(r.stderr.contains("error [CONNECTION]"), "{r:?}");
    assert_no_secret(&r);
}

#[test]
fn help_never_shows_the_environment_url() {
    let r = output(
        command()
            .env("REDIS_URL", format!("redis://u:{SECRET}@h:1"))
            .arg("--help")
            .output()
            .unwrap(),
    );
    assert_eq!(r.code, 0);
    assert_no_secret(&r);
}
