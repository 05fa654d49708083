//! Passwords in URLs must never reach a message. Where a password also occurs elsewhere in
//! the URL (say `redis://pass:pass@pass`), finding it in a message proves nothing, so the
//! checks compare with the same URL under another password: a message may hold a password
//! no more often than it holds it then.

/// The password of `raw` as written and percent-decoded, when the URL parses and the
/// password has at least 4 characters.
pub fn secrets(raw: &str) -> Vec<String> {
    let Some(pw) = url::Url::parse(raw)
        .ok()
        .and_then(|u| u.password().map(str::to_owned))
    else {
        return Vec::new();
    };
    let decoded = percent_encoding::percent_decode_str(&pw)
        .decode_utf8_lossy()
        .into_owned();
    let mut out = vec![pw];
    if decoded != out[0] {
        out.push(decoded);
    }
    out.retain(|s| s.chars().count() >= 4);
    out
}

/// The same URL with its password replaced by another one.
pub fn with_other_password(raw: &str) -> Option<String> {
    let mut parsed = url::Url::parse(raw).ok()?;
    parsed.password()?;
    parsed.set_password(Some("other")).ok()?;
    Some(parsed.to_string())
}

/// Panics when `text` holds a secret more often than `reference` does.
pub fn assert_no_leak(what: &str, text: &str, reference: &str, secrets: &[String]) {
    for s in secrets {
        let (n, allowed) = (
            text.matches(s.as_str()).count(),
            reference.matches(s.as_str()).count(),
        );
        assert!(
            n <= allowed,
            "the password {s:?} leaks into {what}: {text:?} (the same URL with another password gives {reference:?})"
        );
    }
}
