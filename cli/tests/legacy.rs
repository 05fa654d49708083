//! `--compat` against a socket.io 2.x / socket.io-redis 5 cluster: delivery, and UNSUPPORTED
//! (exit 4) for what those servers cannot do.

mod common;

use common::*;

#[test]
fn socket_io_redis_5_delivers_and_refuses_except() {
    let h = Harness::start(&["--servers", "2", "--stack", "socket.io-redis-5"]);
    let url = h.redis_url.as_str();
    clients(
        &h,
        "/cli-legacy",
        &[("lg-a", 0, json!(["r"])), ("lg-b", 1, json!([]))],
    );
    let compat = ["--compat", "socket.io-redis-5"];
    let mut args = compat.to_vec();
    args.extend([
        "emit",
        "old",
        r#"{"v":1}"#,
        "--of",
        "/cli-legacy",
        "--to",
        "r",
    ]);
    ok(url, &args);
    assert_eq!(
        received(&h, &["lg-a", "lg-b"]),
        vec![names(&["old"]), vec![]]
    );
    assert_eq!(h.events("lg-a")[0].1, vec![json!({"v": 1})]);

    let mut args = vec!["--url", url, "--json"];
    args.extend(compat);
    args.extend(["emit", "x", "--except", "r", "--of", "/cli-legacy"]);
    let r = run(&args);
    assert_eq!(r.code, 4, "{r:?}");
    let j = r.json();
    assert_eq!(j["code"], "UNSUPPORTED");
    assert!(
        j["message"].as_str().unwrap().contains("socket.io-redis 5"),
        "{j}"
    );
    assert_eq!(
        received(&h, &["lg-a", "lg-b"]),
        vec![names(&["old"]), vec![]]
    );
}
