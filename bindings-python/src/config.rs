//! Constructor options: the core's `EmitterConfig` field names, as keyword arguments.

use std::time::Duration;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDelta, PyDict, PyString};
use socketio_emitter::{EmitterConfig, QueueFullPolicy};

use crate::errors::invalid;

/// Every keyword the constructors accept besides `url` (kept in sync with the `.pyi`).
pub(crate) const OPTION_NAMES: &[&str] = &[
    "key",
    "nsp",
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
    "default",
];

/// What a constructor was given.
pub(crate) struct Options {
    pub config: EmitterConfig,
    /// The namespace used exactly as given (like the official constructor's argument).
    pub nsp: String,
    pub default: Option<Py<PyAny>>,
}

impl Options {
    pub(crate) fn parse(
        class: &str,
        url: &str,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Options> {
        let mut opts = Options {
            config: EmitterConfig::new(url),
            nsp: "/".to_owned(),
            default: None,
        };
        let Some(kwargs) = kwargs else {
            return Ok(opts);
        };
        let cfg = &mut opts.config;
        for (name, value) in kwargs.iter() {
            let name: String = name.extract()?;
            if value.is_none() && name != "default" && name != "tls_ca_pem" {
                return Err(PyTypeError::new_err(format!(
                    "{class}(): {name} cannot be None"
                )));
            }
            match name.as_str() {
                "key" => cfg.key = value.extract()?,
                "nsp" => opts.nsp = value.extract()?,
                "tls_ca_pem" => cfg.tls_ca_pem = pem(&value)?,
                "connect_timeout" => cfg.connect_timeout = duration(&name, &value)?,
                "response_timeout" => cfg.response_timeout = duration(&name, &value)?,
                "reconnect_min_delay" => cfg.reconnect_min_delay = duration(&name, &value)?,
                "reconnect_max_delay" => cfg.reconnect_max_delay = duration(&name, &value)?,
                "reconnect_attempts" => cfg.reconnect_attempts = count(&name, &value)?,
                "queue_capacity" => cfg.queue_capacity = count(&name, &value)?,
                "queue_max_bytes" => cfg.queue_max_bytes = count(&name, &value)?,
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
        Ok(opts)
    }
}

/// Seconds as an `int`/`float`, or a `datetime.timedelta`.
fn duration(name: &str, value: &Bound<'_, PyAny>) -> PyResult<Duration> {
    let secs: f64 = if value.is_instance_of::<PyDelta>() {
        value.call_method0("total_seconds")?.extract()?
    } else {
        value.extract().map_err(|_| {
            PyTypeError::new_err(format!(
                "{name} must be seconds (int or float) or a timedelta"
            ))
        })?
    };
    Duration::try_from_secs_f64(secs)
        .map_err(|_| invalid(format!("{name} must be a finite, non-negative duration")))
}

fn count(name: &str, value: &Bound<'_, PyAny>) -> PyResult<usize> {
    let n: i64 = value
        .extract()
        .map_err(|_| PyTypeError::new_err(format!("{name} must be an int")))?;
    usize::try_from(n).map_err(|_| invalid(format!("{name} must not be negative")))
}

fn policy(value: &Bound<'_, PyAny>) -> PyResult<QueueFullPolicy> {
    match value.extract::<String>()?.as_str() {
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
    } else if let Ok(s) = value.cast::<PyString>() {
        Ok(Some(s.to_cow()?.as_bytes().to_vec()))
    } else if let Ok(b) = value.cast::<PyBytes>() {
        Ok(Some(b.as_bytes().to_vec()))
    } else {
        Err(PyTypeError::new_err("tls_ca_pem must be str or bytes"))
    }
}
