//! Pure encoding: values to bytes, with the exact rules of the official Node packages.
//! No I/O happens here, so golden vectors test it without Redis.

mod js;
pub mod json;
pub mod msgpack;

use crate::error::Error;

/// How deep values may nest before encoding refuses them (a guard against runaway
/// recursion, far beyond any real event payload).
pub const MAX_DEPTH: usize = 512;

/// A failure deep inside a value; the path is collected while unwinding so that the
/// successful path pays nothing for it.
#[derive(Debug)]
pub(crate) struct Fail {
    reason: String,
    /// Innermost segment first.
    path: Vec<Segment>,
}

#[derive(Debug)]
enum Segment {
    Index(usize),
    Key(String),
}

impl Fail {
    pub(crate) fn new(reason: impl Into<String>) -> Fail {
        Fail {
            reason: reason.into(),
            path: Vec::new(),
        }
    }

    pub(crate) fn at_index(mut self, i: usize) -> Fail {
        self.path.push(Segment::Index(i));
        self
    }

    pub(crate) fn at_key(mut self, k: &str) -> Fail {
        self.path.push(Segment::Key(k.to_owned()));
        self
    }

    /// The public error, with a path such as `args[1]['user']['tags']`.
    pub(crate) fn into_error(self, root: &str) -> Error {
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
        Error::encode(path, self.reason)
    }
}

pub(crate) fn too_deep() -> Fail {
    Fail::new(format!("nested deeper than {MAX_DEPTH} levels"))
}
