//! The library's options from the command line, into an `EmitterConfig`.

use socketio_emitter::{DEFAULT_URL, EmitterConfig, Error, Topology, duration_from_secs_f64};

use crate::cli::Options;

/// The URL to use: `--url`, else `$REDIS_URL` (not with a cluster, whose nodes come from
/// `--cluster-node`), else the default.
pub fn url(options: &Options) -> String {
    if let Some(url) = &options.url {
        return url.clone();
    }
    if options.cluster_nodes.is_empty()
        && let Ok(url) = std::env::var("REDIS_URL")
        && !url.is_empty()
    {
        return url;
    }
    DEFAULT_URL.to_owned()
}

pub fn build(options: &Options) -> Result<EmitterConfig, Error> {
    let mut config = EmitterConfig::new(url(options));
    if let Some(key) = &options.key {
        config = config.with_key(key.clone());
    }
    if let Some(adapter) = &options.adapter {
        config = config.with_adapter(adapter.parse()?);
    }
    if let Some(mode) = &options.subscription_mode {
        config = config.with_subscription_mode(mode.parse()?);
    }
    if let Some(name) = &options.stream_name {
        config.stream_name = name.clone();
    }
    if let Some(count) = options.stream_count {
        config.stream_count = count;
    }
    if let Some(max_len) = options.max_len {
        config.max_len = max_len;
    }
    if let Some(version) = &options.streams_version {
        config = config.with_streams_version(version.parse()?);
    }
    if let Some(compat) = &options.compat {
        config = config.with_compat(compat.parse()?);
    }
    let some = |v: &Vec<String>| (!v.is_empty()).then(|| v.clone());
    config.topology = Topology::from_options(
        some(&options.cluster_nodes),
        options.sentinel_master.clone(),
        some(&options.sentinel_nodes),
    )?;
    if let Some(path) = &options.tls_ca {
        let pem = std::fs::read(path).map_err(|e| {
            Error::InvalidArgument(format!("--tls-ca: cannot read {}: {e}", path.display()))
        })?;
        config = config.with_tls_ca_pem(pem);
    }
    if let Some(secs) = options.connect_timeout {
        config = config.with_connect_timeout(duration_from_secs_f64("connect-timeout", secs)?);
    }
    if let Some(secs) = options.response_timeout {
        config = config.with_response_timeout(duration_from_secs_f64("response-timeout", secs)?);
    }
    config = config.with_require_receivers(options.require_receivers);
    config.validate()?;
    Ok(config)
}

/// The passwords in every URL given, as written and percent-decoded: scrubbed from anything
/// printed, on top of the library's own redaction.
pub fn secrets(options: &Options) -> Vec<String> {
    let mut urls = vec![url(options)];
    urls.extend(options.cluster_nodes.iter().cloned());
    urls.extend(options.sentinel_nodes.iter().cloned());
    let mut all = Vec::new();
    for u in urls {
        let Some(raw) = url::Url::parse(&u)
            .ok()
            .and_then(|p| p.password().map(str::to_owned))
        else {
            continue;
        };
        let decoded = percent_encoding::percent_decode_str(&raw)
            .decode_utf8_lossy()
            .into_owned();
        all.push(decoded);
        all.push(raw);
    }
    all.retain(|s| !s.is_empty());
    all
}
