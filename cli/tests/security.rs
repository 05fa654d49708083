//! TLS with a private CA (`--tls-ca`) and an ACL user with a password: delivery, and a wrong
//! password refused (exit 5) without the password in the output.

mod common;

use common::*;

const PASSWORD: &str = "s3cr3t pass/word";

#[test]
fn tls_ca_and_password_deliver_and_a_wrong_password_is_never_printed() {
    let h = Harness::start(&[
        "--servers",
        "1",
        "--redis-tls",
        "--redis-password",
        PASSWORD,
        "--redis-user",
        "alice",
    ]);
    let ca = h.ready["redis_ca_file"]
        .as_str()
        .expect("CA file")
        .to_owned();
    clients(&h, "/cli-tls", &[("tls-a", 0, json!([]))]);
    let r = ok(
        &h.redis_url,
        &[
            "--json", "--tls-ca", &ca, "emit", "secure", "1", "--of", "/cli-tls",
        ],
    );
    assert_eq!(r.json(), json!({"ok": true, "servers": 1}));
    assert_eq!(received(&h, &["tls-a"]), vec![names(&["secure"])]);

    let mut wrong = url::Url::parse(&h.redis_url).unwrap();
    wrong.set_password(Some("s3cr3t-but-wrong")).unwrap();
    for json in [true, false] {
        let mut args = vec![
            "--url",
            wrong.as_str(),
            "--tls-ca",
            &ca,
            "--connect-timeout",
            "2",
        ];
        if json {
            args.push("--json");
        }
        args.extend(["emit", "x", "--of", "/cli-tls"]);
        let r = run(&args);
        assert_eq!(r.code, 5, "{r:?}");
        assert!(
            !r.all_output().contains("s3cr3t"),
            "password printed: {r:?}"
        );
    }
    // The right password, printed nowhere either (the count only).
    assert!(!r.all_output().contains("s3cr3t"));
}
