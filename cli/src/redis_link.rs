//! Plain synchronous Redis connections for `monitor` and `doctor`, which read Redis directly
//! instead of going through the emitter.

use socketio_emitter::Error;

use crate::cli::Options;
use crate::config;

/// A connection to `url`, trusting `--tls-ca` if given, within `--connect-timeout`.
pub fn connect_to(options: &Options, url: &str) -> Result<redis::Connection, Error> {
    // redis-rs brings rustls without a crypto provider; a second install is a harmless error.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = match &options.tls_ca {
        Some(path) => {
            let pem = std::fs::read(path).map_err(|e| {
                Error::InvalidArgument(format!("--tls-ca: cannot read {}: {e}", path.display()))
            })?;
            let certs = redis::TlsCertificates {
                client_tls: None,
                root_cert: Some(pem),
            };
            redis::Client::build_with_tls(url, certs)
        }
        None => redis::Client::open(url),
    }
    .map_err(|e| Error::InvalidArgument(format!("bad Redis URL: {e}")))?;
    let timeout = std::time::Duration::from_secs_f64(options.connect_timeout.unwrap_or(5.0));
    client
        .get_connection_with_timeout(timeout)
        .map_err(|e| Error::Connection(e.to_string()))
}

/// Sends one command and reads its answer (a Redis error becomes [`Error::Redis`]).
pub fn query<T: redis::FromRedisValue>(
    con: &mut redis::Connection,
    cmd: &redis::Cmd,
) -> Result<T, Error> {
    cmd.query(con).map_err(classify)
}

pub fn classify(e: redis::RedisError) -> Error {
    if e.is_io_error() || e.is_connection_dropped() || e.is_connection_refusal() {
        Error::Connection(e.to_string())
    } else {
        Error::Redis(e.to_string())
    }
}

/// `text` as a glob pattern that matches only itself (PSUBSCRIBE, SCAN MATCH, PUBSUB).
pub fn glob_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `url` pointed at `host:port`, keeping its scheme, credentials and database.
pub fn at(url: &str, addr: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        return url.to_owned();
    };
    let (host, port) = addr.rsplit_once(':').unwrap_or((addr, "6379"));
    let _ = parsed.set_host(Some(host));
    let _ = parsed.set_port(port.parse().ok());
    parsed.to_string()
}

/// Where to listen: the URL for Pub/Sub and streams (a cluster's first seed node, or the
/// master the sentinels name) and, on a cluster, every master (sharded channels live on the
/// master of their slot).
pub fn listening_points(options: &Options) -> Result<(String, Vec<String>), Error> {
    if let Some(seed) = options.cluster_nodes.first() {
        let mut con = connect_to(options, seed)?;
        let text: String = query(&mut con, redis::cmd("CLUSTER").arg("NODES"))?;
        let masters = text
            .lines()
            .filter_map(|line| {
                let parts: Vec<&str> = line.split_whitespace().collect();
                let (addr, flags) = (parts.get(1)?, parts.get(2)?);
                let live_master = flags.contains("master") && !flags.contains("fail");
                let addr = addr.split(['@', ',']).next()?;
                live_master.then(|| at(seed, addr))
            })
            .collect();
        return Ok((seed.clone(), masters));
    }
    if let (Some(name), Some(sentinel)) = (&options.sentinel_master, options.sentinel_nodes.first())
    {
        let mut con = connect_to(options, sentinel)?;
        let addr: Option<(String, String)> = query(
            &mut con,
            redis::cmd("SENTINEL")
                .arg("GET-MASTER-ADDR-BY-NAME")
                .arg(name),
        )?;
        let (host, port) =
            addr.ok_or_else(|| Error::Redis(format!("the sentinels know no master {name:?}")))?;
        let master = at(&config::url(options), &format!("{host}:{port}"));
        return Ok((master.clone(), vec![master]));
    }
    let url = config::url(options);
    Ok((url.clone(), vec![url]))
}
