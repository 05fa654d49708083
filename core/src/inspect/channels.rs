//! Reading Socket.IO channel names back into their parts. Every adapter names its
//! channels `P#N#…`, where P is the key (channel prefix) and N the namespace, which starts
//! with `/`; classic servers also use `P-request#N#` and `P-response#N#…`.

/// A channel name taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Channel {
    pub prefix: String,
    pub namespace: String,
    /// What follows `P#N#`: a room, a server uid or nothing (the namespace's main channel).
    pub rest: Option<String>,
}

/// `P#N#` or `P#N#rest#`. The namespace is cut at its first `#`: Socket.IO namespaces
/// with `#` in their name cannot be told from a room here.
pub(crate) fn parse(channel: &str) -> Option<Channel> {
    let body = channel.strip_suffix('#')?;
    let split = body.find("#/")?;
    let (prefix, after) = (&body[..split], &body[split + 1..]);
    let (namespace, rest) = match after.split_once('#') {
        Some((nsp, rest)) => (nsp, Some(rest.to_owned())),
        None => (after, None),
    };
    Some(Channel {
        prefix: prefix.to_owned(),
        namespace: namespace.to_owned(),
        rest,
    })
}

/// A classic server's request channel `P-request#N#`, as (P, N).
pub(crate) fn parse_request(channel: &str) -> Option<(String, String)> {
    let parsed = parse(channel)?;
    let prefix = parsed.prefix.strip_suffix("-request")?;
    parsed
        .rest
        .is_none()
        .then(|| (prefix.to_owned(), parsed.namespace))
}

/// A server's own channel `P#N#<uid>#`: cluster-adapter uids are 16 hex characters.
pub(crate) fn is_server_uid(rest: &str) -> bool {
    rest.len() == 16 && rest.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Socket ids are 20 characters; the sharded adapter uses this test itself.
pub(crate) fn looks_like_socket_id(room: &str) -> bool {
    room.chars().count() == 20
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_come_apart_into_prefix_namespace_and_rest() {
        let main = parse("socket.io#/#").unwrap();
        assert_eq!(
            (main.prefix.as_str(), main.namespace.as_str()),
            ("socket.io", "/")
        );
        assert_eq!(main.rest, None);
        let room = parse("my-app#/admin#room1#").unwrap();
        assert_eq!(room.namespace, "/admin");
        assert_eq!(room.rest.as_deref(), Some("room1"));
        assert_eq!(
            parse_request("my-app-request#/chat#"),
            Some(("my-app".to_owned(), "/chat".to_owned()))
        );
        assert_eq!(parse_request("my-app-response#/#"), None);
        assert_eq!(parse("no-namespace#"), None);
        assert_eq!(parse("socket.io#/"), None);
        assert!(is_server_uid("0123456789abcdef"));
        assert!(!is_server_uid("room1"));
    }
}
