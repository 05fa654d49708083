//! Constructor options: the core's `EmitterConfig` field names, as keyword arguments.
//!
//! Every value is checked here, before anything else happens: a duration through the
//! core's `duration_from_secs_f64`, the rest by `EmitterConfig::validate`. A bad value is
//! `INVALID_ARGUMENT` naming the option; a wrong Python type is a plain `TypeError`.

use std::str::FromStr;
use std::time::Duration;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDelta, PyDict, PyInt, PyList, PyString, PyTuple};
use socketio_emitter::{
    AdapterKind, Compat, DEFAULT_URL, EmitterConfig, Error, QueueFullPolicy, StreamsVersion,
    SubscriptionMode, Topology, duration_from_secs_f64,
};

use crate::convert::text_arg;
use crate::errors::{invalid, to_py_err};

/// Every keyword the constructors accept besides `url` (kept in sync with the `.pyi`).
pub(crate) const OPTION_NAMES: &[&str] = &[
    "key",
    "nsp",
    "adapter",
    "subscription_mode",
    "stream_name",
    "stream_count",
    "max_len",
    "streams_version",
    "compat",
    "cluster_nodes",
    "sentinel_master",
    "sentinel_nodes",
    "tls_ca_pem",
    "connect_timeout",
    "response_timeout",
    "reconnect_min_delay",
    "reconnect_max_delay",
    "reconnect_attempts",
    "queue_capacity",
    "queue_max_bytes",
    "queue_full",
    "require_receivers",
    "max_payload_bytes",
    "default",
];

/// Options whose `None` means "not given" (their default is "none"), besides `default`.
const NONE_MEANS_UNSET: &[&str] = &[
    "default",
    "tls_ca_pem",
    "cluster_nodes",
    "sentinel_master",
    "sentinel_nodes",
];

/// What a constructor was given.
pub(crate) struct Options {
    pub config: EmitterConfig,
    /// The namespace used exactly as given (like the official constructor's argument).
    pub nsp: String,
    pub default: Option<Py<PyAny>>,
}

/// The topology options as given, combined once every keyword has been read.
#[derive(Default)]
struct TopologyArgs {
    cluster_nodes: Option<Vec<String>>,
    sentinel_master: Option<String>,
    sentinel_nodes: Option<Vec<String>>,
}

impl TopologyArgs {
    /// Sets the configuration's topology (the core checks the combination, as in every
    /// binding).
    fn apply(self, cfg: &mut EmitterConfig) -> PyResult<()> {
        cfg.topology = Topology::from_options(
            self.cluster_nodes,
            self.sentinel_master,
            self.sentinel_nodes,
        )
        .map_err(to_py_err)?;
        Ok(())
    }
}

impl Options {
    pub(crate) fn parse(
        class: &str,
        url: Option<&Bound<'_, PyAny>>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Options> {
        let url = match url {
            Some(u) => text_arg("url", u)?,
            None => DEFAULT_URL.to_owned(),
        };
        let mut opts = Options {
            config: EmitterConfig::new(url),
            nsp: "/".to_owned(),
            default: None,
        };
        if let Some(kwargs) = kwargs {
            opts.read(class, kwargs)?;
        }
        opts.config.validate().map_err(to_py_err)?;
        Ok(opts)
    }

    fn read(&mut self, class: &str, kwargs: &Bound<'_, PyDict>) -> PyResult<()> {
        let opts = self;
        let cfg = &mut opts.config;
        let mut topology = TopologyArgs::default();
        // A snapshot, like every dict we read (pyo3's iterator panics if it changes).
        for (name, value) in kwargs.copy()?.iter() {
            // Keyword names are always `str`; one that is not valid Unicode is unknown.
            let name = name.cast::<PyString>()?.to_string_lossy().into_owned();
            if value.is_none() && !NONE_MEANS_UNSET.contains(&name.as_str()) {
                return Err(PyTypeError::new_err(format!(
                    "{class}(): {name} cannot be None"
                )));
            }
            match name.as_str() {
                "key" => cfg.key = text_arg("key", &value)?,
                "nsp" => opts.nsp = text_arg("nsp", &value)?,
                "adapter" => cfg.adapter = choice(&name, &value)?,
                "subscription_mode" => cfg.subscription_mode = choice(&name, &value)?,
                "stream_name" => cfg.stream_name = text_arg(&name, &value)?,
                "stream_count" => cfg.stream_count = count_u32(&name, &value)?,
                "max_len" => cfg.max_len = count_u64(&name, &value)?,
                "streams_version" => cfg.streams_version = choice(&name, &value)?,
                "compat" => cfg.compat = choice(&name, &value)?,
                "cluster_nodes" => topology.cluster_nodes = urls(&name, &value)?,
                "sentinel_master" => {
                    topology.sentinel_master = if value.is_none() {
                        None
                    } else {
                        Some(text_arg(&name, &value)?)
                    }
                }
                "sentinel_nodes" => topology.sentinel_nodes = urls(&name, &value)?,
                "tls_ca_pem" => cfg.tls_ca_pem = pem(&value)?,
                "connect_timeout" => cfg.connect_timeout = seconds(&name, &value)?,
                "response_timeout" => cfg.response_timeout = seconds(&name, &value)?,
                "reconnect_min_delay" => cfg.reconnect_min_delay = seconds(&name, &value)?,
                "reconnect_max_delay" => cfg.reconnect_max_delay = seconds(&name, &value)?,
                "reconnect_attempts" => cfg.reconnect_attempts = count(&name, &value)?,
                "queue_capacity" => cfg.queue_capacity = count(&name, &value)?,
                "queue_max_bytes" => cfg.queue_max_bytes = count(&name, &value)?,
                "max_payload_bytes" => cfg.max_payload_bytes = count(&name, &value)?,
                "queue_full" => cfg.queue_full = policy(&value)?,
                "require_receivers" => cfg.require_receivers = value.extract()?,
                "default" => {
                    if !value.is_none() && !value.is_callable() {
                        return Err(PyTypeError::new_err("default must be callable or None"));
                    }
                    opts.default = (!value.is_none()).then(|| value.unbind());
                }
                other => {
                    return Err(PyTypeError::new_err(format!(
                        "{class}() got an unexpected keyword argument '{other}' (options: {})",
                        OPTION_NAMES.join(", ")
                    )));
                }
            }
        }
        topology.apply(&mut opts.config)
    }
}

/// `cluster_nodes` / `sentinel_nodes`: a `list` or `tuple` of `str` URLs (`None`: not
/// given). A lone `str` (a likely slip: one URL without its list) and other types are a
/// `TypeError`, as is an entry that is not a `str`, named by its index; the values are never
/// shown, since they may hold passwords. Empty lists and bad URLs are the core's to refuse.
fn urls(name: &str, value: &Bound<'_, PyAny>) -> PyResult<Option<Vec<String>>> {
    if value.is_none() {
        return Ok(None);
    }
    let items = if let Ok(list) = value.cast::<PyList>() {
        list.to_tuple()
    } else if let Ok(tuple) = value.cast::<PyTuple>() {
        tuple.clone()
    } else {
        let hint = if value.is_instance_of::<PyString>() {
            " (one URL still goes in a list: [\"redis://host:port\"])"
        } else {
            ""
        };
        return Err(PyTypeError::new_err(format!(
            "{name} must be a list of redis:// URLs (str), got {}{hint}",
            crate::convert::type_name(value)
        )));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| text_arg(&format!("{name}[{i}]"), &item))
        .collect::<PyResult<Vec<String>>>()
        .map(Some)
}

/// Seconds as an `int`/`float`, or a `datetime.timedelta`, checked by the core (finite,
/// not negative, at most a day): `INVALID_ARGUMENT` naming `name` otherwise. Also used for
/// the `timeout=` of `flush()` and `close()`.
pub(crate) fn seconds(name: &str, value: &Bound<'_, PyAny>) -> PyResult<Duration> {
    let secs: f64 = if value.is_instance_of::<PyDelta>() {
        value.call_method0("total_seconds")?.extract()?
    } else if value.is_instance_of::<PyInt>() {
        // An int too large for a float is out of range too (not an `OverflowError`).
        value.extract::<f64>().unwrap_or(f64::INFINITY)
    } else {
        value.extract().map_err(|_| {
            PyTypeError::new_err(format!(
                "{name} must be seconds (int or float) or a timedelta"
            ))
        })?
    };
    duration_from_secs_f64(name, secs).map_err(to_py_err)
}

/// A count option: an integer (`int`, or anything with `__index__`; not a `bool`), not
/// negative; its upper bound is `EmitterConfig::validate`'s.
fn count(name: &str, value: &Bound<'_, PyAny>) -> PyResult<usize> {
    let not_int = || PyTypeError::new_err(format!("{name} must be an int"));
    if value.is_instance_of::<PyBool>() {
        return Err(not_int());
    }
    let int = if value.is_instance_of::<PyInt>() {
        value.clone()
    } else {
        let index = value.py().import("operator")?.getattr("index")?;
        index.call1((value,)).map_err(|_| not_int())?
    };
    match int.extract::<u64>() {
        Ok(n) => Ok(usize::try_from(n).unwrap_or(usize::MAX)),
        Err(_) if int.lt(0)? => Err(invalid(format!("{name} must not be negative"))),
        Err(_) => Err(invalid(format!(
            "{name} is out of range (more than 64 bits)"
        ))),
    }
}

/// `stream_count`: a count (its bounds are `EmitterConfig::validate`'s), out of range past
/// 32 bits, like `count` past 64.
fn count_u32(name: &str, value: &Bound<'_, PyAny>) -> PyResult<u32> {
    u32::try_from(count(name, value)?)
        .map_err(|_| invalid(format!("{name} is out of range (more than 32 bits)")))
}

/// `max_len`: a count (its bounds are `EmitterConfig::validate`'s).
fn count_u64(name: &str, value: &Bound<'_, PyAny>) -> PyResult<u64> {
    // `count` saturates at `usize::MAX`, far above the largest `max_len` accepted.
    Ok(u64::try_from(count(name, value)?).unwrap_or(u64::MAX))
}

/// `adapter` / `subscription_mode` / `streams_version` / `compat`: a `str` parsed by the core, so that every language
/// accepts the same spellings and its `INVALID_ARGUMENT` names the accepted ones.
fn choice<T: FromStr<Err = Error>>(name: &str, value: &Bound<'_, PyAny>) -> PyResult<T> {
    text_arg(name, value)?.parse().map_err(to_py_err)
}

fn policy(value: &Bound<'_, PyAny>) -> PyResult<QueueFullPolicy> {
    match text_arg("queue_full", value)?.as_str() {
        "block" => Ok(QueueFullPolicy::Block),
        "error" => Ok(QueueFullPolicy::Error),
        other => Err(invalid(format!(
            "queue_full must be \"block\" or \"error\", got {other:?}"
        ))),
    }
}

/// A PEM bundle as `str` or `bytes`; `None` means the system and webpki roots.
fn pem(value: &Bound<'_, PyAny>) -> PyResult<Option<Vec<u8>>> {
    if value.is_none() {
        Ok(None)
    } else if value.is_instance_of::<PyString>() {
        Ok(Some(text_arg("tls_ca_pem", value)?.into_bytes()))
    } else if let Ok(b) = value.cast::<PyBytes>() {
        Ok(Some(b.as_bytes().to_vec()))
    } else {
        Err(PyTypeError::new_err("tls_ca_pem must be str or bytes"))
    }
}

/// What `offline()` was given: the options an encoder reads (key, adapter, subscription
/// mode, the streams options, compat, `max_payload_bytes`) in a configuration whose URL is
/// never used.
pub(crate) struct Offline {
    pub config: EmitterConfig,
    pub nsp: String,
    pub default: Option<Py<PyAny>>,
}

/// The keyword arguments of `offline()`, each `None` when not given.
pub(crate) struct OfflineArgs<'a, 'py> {
    pub key: Option<&'a Bound<'py, PyAny>>,
    pub nsp: Option<&'a Bound<'py, PyAny>>,
    pub default: Option<&'a Bound<'py, PyAny>>,
    pub max_payload_bytes: Option<&'a Bound<'py, PyAny>>,
    pub adapter: Option<&'a Bound<'py, PyAny>>,
    pub subscription_mode: Option<&'a Bound<'py, PyAny>>,
    pub stream_name: Option<&'a Bound<'py, PyAny>>,
    pub stream_count: Option<&'a Bound<'py, PyAny>>,
    pub max_len: Option<&'a Bound<'py, PyAny>>,
    pub streams_version: Option<&'a Bound<'py, PyAny>>,
    pub compat: Option<&'a Bound<'py, PyAny>>,
}

impl Offline {
    pub(crate) fn parse(args: OfflineArgs<'_, '_>) -> PyResult<Offline> {
        // The same checks and defaults as the constructors' options.
        let mut cfg = EmitterConfig::new(DEFAULT_URL);
        if let Some(k) = args.key {
            cfg.key = text_arg("key", k)?;
        }
        if let Some(v) = args.max_payload_bytes {
            cfg.max_payload_bytes = count("max_payload_bytes", v)?;
        }
        if let Some(a) = args.adapter {
            cfg.adapter = choice::<AdapterKind>("adapter", a)?;
        }
        if let Some(m) = args.subscription_mode {
            cfg.subscription_mode = choice::<SubscriptionMode>("subscription_mode", m)?;
        }
        if let Some(v) = args.stream_name {
            cfg.stream_name = text_arg("stream_name", v)?;
        }
        if let Some(v) = args.stream_count {
            cfg.stream_count = count_u32("stream_count", v)?;
        }
        if let Some(v) = args.max_len {
            cfg.max_len = count_u64("max_len", v)?;
        }
        if let Some(v) = args.streams_version {
            cfg.streams_version = choice::<StreamsVersion>("streams_version", v)?;
        }
        if let Some(v) = args.compat {
            cfg.compat = choice::<Compat>("compat", v)?;
        }
        cfg.validate().map_err(to_py_err)?;
        let default = args.default.filter(|d| !d.is_none());
        if default.is_some_and(|d| !d.is_callable()) {
            return Err(PyTypeError::new_err("default must be callable or None"));
        }
        Ok(Offline {
            config: cfg,
            nsp: args
                .nsp
                .map_or(Ok("/".to_owned()), |n| text_arg("nsp", n))?,
            default: default.map(|d| d.clone().unbind()),
        })
    }
}
