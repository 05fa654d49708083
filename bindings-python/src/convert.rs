//! Python values to the core's [`Value`], converted once while the GIL is held.
//!
//! Rules (documented in README.md, "Values"):
//! - `None`, `bool`, `int` (64-bit signed or unsigned), `float`, `str`, `dict` with `str`
//!   keys, `list`, `tuple`, `bytes`/`bytearray`/`memoryview` (binary at any depth);
//! - `datetime` with a `tzinfo`: the exact instant, to the millisecond (JS `Date`); a naive
//!   `datetime` is refused, since nothing says which zone it is in;
//! - anything else goes through the `default=` hook (like `json.dumps`), whose result is
//!   converted in turn; without a hook it is an error naming the path to the value.
//!
//! Errors are `ENCODE` errors with a path such as `args[1]['user']['tags']`. Cycles are
//! detected; nesting deeper than the core's limit is refused before any recursion trouble.
//! Conversion stops as soon as what it built certainly exceeds `max_payload_bytes` (the
//! running size is a lower bound of any encoding), so a huge argument is refused without
//! being copied. Dicts are converted from a snapshot: code that runs meanwhile (a
//! `default=` hook, a `tzinfo`) may change the original without disturbing the iteration.

use std::borrow::Cow;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDateTime, PyDict, PyFloat, PyFrozenSet, PyInt, PyList,
    PyMemoryView, PySet, PyString, PyTuple,
};
use socketio_emitter::encode::MAX_DEPTH;
use socketio_emitter::{Error, Map, Room, Value};

use crate::errors::{invalid, to_py_err};

enum Segment {
    Index(usize),
    Key(String),
}

/// A conversion failure; the path is collected while unwinding, innermost segment first.
struct Fail {
    reason: String,
    cause: Option<PyErr>,
    path: Vec<Segment>,
}

impl Fail {
    fn new(reason: impl Into<String>) -> Fail {
        Fail {
            reason: reason.into(),
            cause: None,
            path: Vec::new(),
        }
    }

    fn caused(reason: impl Into<String>, cause: PyErr) -> Fail {
        Fail {
            cause: Some(cause),
            ..Fail::new(reason)
        }
    }

    fn at(mut self, seg: Segment) -> Fail {
        self.path.push(seg);
        self
    }

    fn into_py_err(self, py: Python<'_>, root: &str) -> PyErr {
        let mut path = root.to_owned();
        for seg in self.path.iter().rev() {
            match seg {
                Segment::Index(i) => path.push_str(&format!("[{i}]")),
                Segment::Key(k) => {
                    let quoted = k.replace('\\', "\\\\").replace('\'', "\\'");
                    path.push_str(&format!("['{quoted}']"));
                }
            }
        }
        let err = to_py_err(Error::Encode {
            path,
            reason: self.reason,
        });
        if let Some(cause) = self.cause {
            err.set_cause(py, Some(cause));
        }
        err
    }
}

/// Converts one value tree, with an optional `default` hook for unsupported types.
pub(crate) struct Converter<'a, 'py> {
    default: Option<&'a Bound<'py, PyAny>>,
    /// Containers on the path being converted (object addresses), to detect cycles.
    active: Vec<usize>,
    /// `max_payload_bytes`: conversion stops once `size` passes it.
    limit: usize,
    /// A lower bound of the encoded size of what was converted so far (in any encoding:
    /// each value takes at least one byte, a string or binary at least its length).
    size: usize,
}

impl<'a, 'py> Converter<'a, 'py> {
    pub(crate) fn new(default: Option<&'a Bound<'py, PyAny>>, limit: usize) -> Self {
        Converter {
            default,
            active: Vec::new(),
            limit,
            size: 0,
        }
    }

    /// Counts `bytes` more of output, failing once the total certainly exceeds the limit.
    fn grow(&mut self, bytes: usize) -> Result<(), Fail> {
        self.size = self.size.saturating_add(bytes);
        if self.size > self.limit {
            return Err(Fail::new(format!(
                "the arguments exceed max_payload_bytes ({} bytes); conversion stopped here",
                self.limit
            )));
        }
        Ok(())
    }

    /// Converts event arguments; errors name them `args[i]…`.
    pub(crate) fn args(&mut self, args: &Bound<'py, PyTuple>) -> PyResult<Vec<Value>> {
        let mut out = Vec::with_capacity(args.len());
        for (i, arg) in args.iter().enumerate() {
            let v = self
                .value(&arg, 0)
                .map_err(|f| f.at(Segment::Index(i)).into_py_err(args.py(), "args"))?;
            out.push(v);
        }
        Ok(out)
    }

    fn value(&mut self, ob: &Bound<'py, PyAny>, depth: usize) -> Result<Value, Fail> {
        if depth > MAX_DEPTH {
            return Err(too_deep());
        }
        // Every value takes at least one byte; strings and binaries add their length below.
        self.grow(1)?;
        if ob.is_none() {
            Ok(Value::Nil)
        } else if let Ok(b) = ob.cast::<PyBool>() {
            Ok(Value::Bool(b.is_true()))
        } else if ob.is_instance_of::<PyInt>() {
            int(ob)
        } else if let Ok(f) = ob.cast::<PyFloat>() {
            Ok(Value::Float(f.value()))
        } else if let Ok(s) = ob.cast::<PyString>() {
            self.text(s).map(Value::Str)
        } else if let Ok(d) = ob.cast::<PyDict>() {
            self.nested(ob, depth, |c| c.dict(d, depth))
        } else if let Ok(l) = ob.cast::<PyList>() {
            self.nested(ob, depth, |c| c.seq(l.iter(), l.len(), depth))
        } else if let Ok(t) = ob.cast::<PyTuple>() {
            self.nested(ob, depth, |c| c.seq(t.iter(), t.len(), depth))
        } else if let Ok(b) = ob.cast::<PyBytes>() {
            self.grow(b.as_bytes().len())?;
            Ok(Value::Bytes(b.as_bytes().to_vec()))
        } else if let Ok(b) = ob.cast::<PyByteArray>() {
            self.grow(b.len())?;
            Ok(Value::Bytes(b.to_vec()))
        } else if ob.is_instance_of::<PyMemoryView>() {
            let nbytes: usize = ob
                .getattr("nbytes")
                .and_then(|n| n.extract())
                .map_err(|e| Fail::caused("unreadable memoryview", e))?;
            self.grow(nbytes)?;
            let copy = ob
                .call_method0("tobytes")
                .map_err(|e| Fail::caused("unreadable memoryview", e))?;
            let bytes = copy
                .cast::<PyBytes>()
                .map_err(|_| Fail::new("memoryview.tobytes() did not return bytes"))?;
            Ok(Value::Bytes(bytes.as_bytes().to_vec()))
        } else if ob.is_instance_of::<PyDateTime>() {
            datetime(ob)
        } else {
            self.fallback(ob, depth)
        }
    }

    /// Converts a container, refusing it if it is already being converted (a cycle), or if
    /// it sits at the core's depth limit (its encoders refuse containers from there on).
    fn nested(
        &mut self,
        ob: &Bound<'py, PyAny>,
        depth: usize,
        f: impl FnOnce(&mut Self) -> Result<Value, Fail>,
    ) -> Result<Value, Fail> {
        if depth >= MAX_DEPTH {
            return Err(too_deep());
        }
        let id = ob.as_ptr() as usize;
        if self.active.contains(&id) {
            return Err(Fail::new(format!(
                "{} contains itself (a cycle)",
                type_name(ob)
            )));
        }
        self.active.push(id);
        let result = f(self);
        self.active.pop();
        result
    }

    fn seq(
        &mut self,
        items: impl Iterator<Item = Bound<'py, PyAny>>,
        len: usize,
        depth: usize,
    ) -> Result<Value, Fail> {
        let mut out = Vec::with_capacity(len);
        for (i, item) in items.enumerate() {
            out.push(
                self.value(&item, depth + 1)
                    .map_err(|f| f.at(Segment::Index(i)))?,
            );
        }
        Ok(Value::Array(out))
    }

    fn dict(&mut self, d: &Bound<'py, PyDict>, depth: usize) -> Result<Value, Fail> {
        // A snapshot: pyo3's iterator panics if the dict changes under it, and Python code
        // runs during conversion (`default=`, `tzinfo.utcoffset`, ...). The copy shares the
        // values, so it costs one table, and its keys and values stay alive while we work.
        let d = d
            .copy()
            .map_err(|e| Fail::caused("cannot copy the dict", e))?;
        let mut map = Map::with_capacity(d.len());
        for (k, v) in d.iter() {
            let Ok(key) = k.cast::<PyString>() else {
                let shown = k.repr().map(|r| r.to_string()).unwrap_or_default();
                return Err(Fail::new(format!(
                    "dict keys must be str, got {} key {}",
                    type_name(&k),
                    shorten(&shown)
                )));
            };
            let key = self.text(key)?;
            let value = self
                .value(&v, depth + 1)
                .map_err(|f| f.at(Segment::Key(key.clone())))?;
            map.insert(key, value);
        }
        Ok(Value::Map(map))
    }

    /// Unsupported types: the `default` hook, or an error.
    fn fallback(&mut self, ob: &Bound<'py, PyAny>, depth: usize) -> Result<Value, Fail> {
        let what = type_name(ob);
        let Some(hook) = self.default else {
            let hint = match what.as_str() {
                "date" | "time" => " (pass a timezone-aware datetime, or use default=)",
                _ => " (use default= to convert it)",
            };
            return Err(Fail::new(format!("{what} is not supported{hint}")));
        };
        let replaced = hook
            .call1((ob,))
            .map_err(|e| Fail::caused(format!("default() failed on a {what}"), e))?;
        // The replacement is sent instead of `ob`, whose byte was already counted.
        self.size = self.size.saturating_sub(1);
        // A hook that keeps returning unsupported values ends at the depth limit.
        self.value(&replaced, depth + 1)
    }
}

pub(crate) fn type_name(ob: &Bound<'_, PyAny>) -> String {
    ob.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".into())
}

fn shorten(s: &str) -> String {
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s.to_owned()
    }
}

fn too_deep() -> Fail {
    Fail::new(format!("nested deeper than {MAX_DEPTH} levels"))
}

impl Converter<'_, '_> {
    /// A `str` value or key: counted before it is copied (its length in code points is a
    /// lower bound of its UTF-8 size).
    fn text(&mut self, s: &Bound<'_, PyString>) -> Result<String, Fail> {
        let chars = s.len().map_err(|e| Fail::caused("unreadable str", e))?;
        self.grow(chars)?;
        s.to_cow().map(Cow::into_owned).map_err(|e| {
            let problem = unicode_problem(s, &e);
            Fail::caused(format!("str {problem}"), e)
        })
    }
}

/// Says why `s` cannot be UTF-8 (`to_cow` failed with `err`): which lone surrogate, where.
/// Names no other part of the string (it may be a URL with a password).
fn unicode_problem(s: &Bound<'_, PyString>, err: &PyErr) -> String {
    let py = s.py();
    let found = || -> PyResult<(usize, u32)> {
        let start: usize = err.value(py).getattr("start")?.extract()?;
        let ch = s.get_item(start)?;
        let code: u32 = py
            .import("builtins")?
            .getattr("ord")?
            .call1((ch,))?
            .extract()?;
        Ok((start, code))
    };
    match found() {
        Ok((at, code)) => format!(
            "is not valid Unicode: lone surrogate U+{code:04X} at index {at} (it cannot be UTF-8)"
        ),
        Err(_) => "is not valid Unicode: it holds a lone surrogate (it cannot be UTF-8)".into(),
    }
}

/// A `str` argument such as an event name, a namespace or a URL: a non-`str` is a plain
/// `TypeError`, a `str` that cannot be UTF-8 is `INVALID_ARGUMENT` naming `what`.
pub(crate) fn text_arg(what: &str, ob: &Bound<'_, PyAny>) -> PyResult<String> {
    let s = ob.cast::<PyString>().map_err(|_| {
        PyTypeError::new_err(format!("{what} must be a str, got {}", type_name(ob)))
    })?;
    s.to_cow()
        .map(Cow::into_owned)
        .map_err(|e| invalid(format!("{what} {}", unicode_problem(s, &e))))
}

fn int(ob: &Bound<'_, PyAny>) -> Result<Value, Fail> {
    if let Ok(i) = ob.extract::<i64>() {
        return Ok(Value::Int(i));
    }
    if let Ok(u) = ob.extract::<u64>() {
        return Ok(Value::UInt(u));
    }
    let shown = ob.str().map(|s| s.to_string()).unwrap_or_default();
    Err(Fail::new(format!(
        "integer {} is outside the 64-bit range",
        shorten(&shown)
    )))
}

static EPOCH: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// An aware `datetime` as epoch milliseconds (floored, like `Date`'s precision).
fn datetime(ob: &Bound<'_, PyAny>) -> Result<Value, Fail> {
    let py = ob.py();
    let offset = ob
        .call_method0("utcoffset")
        .map_err(|e| Fail::caused("datetime.utcoffset() failed", e))?;
    if offset.is_none() {
        return Err(Fail::new(
            "naive datetime: attach a tzinfo (e.g. datetime.timezone.utc) so the instant is unambiguous",
        ));
    }
    let epoch = EPOCH
        .get_or_try_init(py, || -> PyResult<Py<PyAny>> {
            let dt = py.import("datetime")?;
            let utc = dt.getattr("timezone")?.getattr("utc")?;
            let epoch = dt
                .getattr("datetime")?
                .call1((1970, 1, 1, 0, 0, 0, 0, utc))?;
            Ok(epoch.unbind())
        })
        .map_err(|e| Fail::caused("cannot import datetime", e))?;
    let parts = || -> PyResult<(i64, i64, i64)> {
        let delta = ob.call_method1("__sub__", (epoch.bind(py),))?;
        Ok((
            delta.getattr("days")?.extract()?,
            delta.getattr("seconds")?.extract()?,
            delta.getattr("microseconds")?.extract()?,
        ))
    };
    let (days, secs, micros) = parts().map_err(|e| Fail::caused("cannot read datetime", e))?;
    Ok(Value::Date(days * 86_400_000 + secs * 1000 + micros / 1000))
}

/// Rooms as given to `to`, `in_`, `except_`, `sockets_join`, `sockets_leave`: each item a
/// `str` or `int` room, or a list/tuple/set of them.
pub(crate) fn rooms(items: &Bound<'_, PyTuple>) -> PyResult<Vec<Room>> {
    let mut out = Vec::new();
    for item in items.iter() {
        if item.is_instance_of::<PyList>()
            || item.is_instance_of::<PyTuple>()
            || item.is_instance_of::<PySet>()
            || item.is_instance_of::<PyFrozenSet>()
        {
            for inner in item.try_iter()? {
                out.push(room(&inner?)?);
            }
        } else {
            out.push(room(&item)?);
        }
    }
    Ok(out)
}

/// One room: `"7"` and `7` are different rooms, as in Socket.IO.
pub(crate) fn room(ob: &Bound<'_, PyAny>) -> PyResult<Room> {
    if ob.is_instance_of::<PyString>() {
        return Ok(Room::Name(text_arg("room", ob)?));
    }
    if ob.is_instance_of::<PyInt>() && !ob.is_instance_of::<PyBool>() {
        return match ob.extract::<i64>() {
            Ok(n) => Ok(Room::Number(n)),
            Err(_) => Err(invalid(format!(
                "room {} is outside the 64-bit range",
                shorten(&ob.str()?.to_string())
            ))),
        };
    }
    Err(PyTypeError::new_err(format!(
        "a room must be a str or an int (or a list, tuple or set of them), got {}",
        type_name(ob)
    )))
}
