//! Event arguments from the command line: JSON values, binary from files.

use std::io::Read;
use std::path::Path;

use socketio_emitter::{Error, Value};

use crate::cli::Payload;

/// The arguments in order: each ARG, then each `--bin-file`.
pub fn arguments(args: &[String], payload: &Payload) -> Result<Vec<Value>, Error> {
    let mut values = Vec::with_capacity(args.len() + payload.bin_files.len());
    for (i, arg) in args.iter().enumerate() {
        values.push(if payload.string {
            Value::Str(arg.clone())
        } else {
            argument(i, arg)?
        });
    }
    for path in &payload.bin_files {
        values.push(Value::Bytes(read_file(path)?));
    }
    Ok(values)
}

fn argument(i: usize, arg: &str) -> Result<Value, Error> {
    // No JSON text starts with `@`, so `@PATH` is unambiguous.
    if let Some(path) = arg.strip_prefix('@') {
        return if path == "-" {
            let mut data = Vec::new();
            std::io::stdin().read_to_end(&mut data).map_err(|e| {
                Error::InvalidArgument(format!("argument {}: cannot read stdin: {e}", i + 1))
            })?;
            Ok(Value::Bytes(data))
        } else {
            Ok(Value::Bytes(read_file(Path::new(path))?))
        };
    }
    serde_json::from_str::<serde_json::Value>(arg)
        .map(Value::from)
        .map_err(|e| {
            Error::InvalidArgument(format!(
                "argument {} is not a JSON value ({e}): {arg:?}. Quote a string as JSON \
                 ('\"{arg}\"'), pass -s/--string to take every argument as a string, or \
                 @PATH for the bytes of a file",
                i + 1
            ))
        })
}

fn read_file(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path)
        .map_err(|e| Error::InvalidArgument(format!("cannot read {}: {e}", path.display())))
}
