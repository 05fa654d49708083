//! The msgpack side: what rmpv must decode from an encoded value, and a comparison that
//! treats doubles bit for bit (NaN included).

use rmpv::Value as Mp;
use socketio_emitter::{Room, Value};

use crate::Mismatch;
use crate::generate::Operation;
use crate::rules::{self, Number};

/// The msgpack value `v` must decode to: integral doubles as integers, maps in JavaScript
/// key order, binary as `bin`, dates as timestamp extensions.
pub fn expected(v: &Value) -> Mp {
    match v {
        Value::Nil => Mp::Nil,
        Value::Bool(b) => Mp::Boolean(*b),
        Value::Int(i) => Mp::from(*i),
        Value::UInt(u) => Mp::from(*u),
        Value::Float(f) => match rules::msgpack_number(*f) {
            Number::Unsigned(u) => Mp::from(u),
            Number::Signed(i) => Mp::from(i),
            Number::Float(f) => Mp::F64(f),
        },
        Value::Str(s) => Mp::from(s.as_str()),
        Value::Bytes(b) => Mp::Binary(b.clone()),
        Value::Array(items) => Mp::Array(items.iter().map(expected).collect()),
        Value::Map(map) => Mp::Map(
            rules::js_order(map)
                .into_iter()
                .map(|(k, v)| (Mp::from(k), expected(v)))
                .collect(),
        ),
        Value::Date(ms) => Mp::Ext(-1, rules::timestamp_ext(*ms)),
    }
}

fn room(r: &Room) -> Mp {
    match r {
        Room::Name(s) => Mp::from(s.as_str()),
        Room::Number(n) => Mp::from(*n),
    }
}

/// The whole `emit` message: `[uid, {type, data, nsp}, {rooms, flags, except}]`.
pub fn expected_broadcast(op: &Operation, event: &str, args: &[Value]) -> Mp {
    let mut data = vec![Mp::from(event)];
    data.extend(args.iter().map(expected));
    let rooms = Operation::unique(&op.rooms).iter().map(room).collect();
    let except = Operation::unique(&op.except).iter().map(room).collect();
    let flags = op
        .effective_flags()
        .into_iter()
        .map(|(f, on)| (Mp::from(f.name()), Mp::Boolean(on)))
        .collect();
    Mp::Array(vec![
        Mp::from("emitter"),
        Mp::Map(vec![
            (Mp::from("type"), Mp::from(2)),
            (Mp::from("data"), Mp::Array(data)),
            (Mp::from("nsp"), Mp::from(op.nsp.as_str())),
        ]),
        Mp::Map(vec![
            (Mp::from("rooms"), Mp::Array(rooms)),
            (Mp::from("flags"), Mp::Map(flags)),
            (Mp::from("except"), Mp::Array(except)),
        ]),
    ])
}

/// Structural equality; doubles compare by their bits. The error starts with the path
/// below this value (built only on failure), e.g. `[1][key 0]: got …`.
pub fn compare(got: &Mp, want: &Mp) -> Result<(), Mismatch> {
    let fail = || Err(format!(": got {got:?}, expected {want:?}"));
    match (got, want) {
        (Mp::F64(a), Mp::F64(b)) if a.to_bits() != b.to_bits() => fail(),
        (Mp::F64(_), Mp::F64(_)) => Ok(()),
        (Mp::Array(a), Mp::Array(b)) => {
            if a.len() != b.len() {
                return fail();
            }
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                compare(x, y).map_err(|e| format!("[{i}]{e}"))?;
            }
            Ok(())
        }
        (Mp::Map(a), Mp::Map(b)) => {
            if a.len() != b.len() {
                return fail();
            }
            for (i, ((ka, va), (kb, vb))) in a.iter().zip(b).enumerate() {
                compare(ka, kb).map_err(|e| format!("{{key {i}}}{e}"))?;
                compare(va, vb).map_err(|e| format!("[{kb}]{e}"))?;
            }
            Ok(())
        }
        (Mp::Array(_) | Mp::Map(_) | Mp::F64(_), _)
        | (_, Mp::Array(_) | Mp::Map(_) | Mp::F64(_)) => fail(),
        (a, b) if a == b => Ok(()),
        _ => fail(),
    }
}

/// Decodes `payload` with rmpv and checks it against `want`, then checks that the bytes
/// are the canonical (smallest-form) encoding of `want`, which is what notepack writes.
pub fn check_payload(payload: &[u8], want: &Mp) -> Result<(), Mismatch> {
    let mut rd = payload;
    // rmpv spends two units of its depth budget per container; ours nest up to 512 levels.
    let got = rmpv::decode::read_value_with_max_depth(&mut rd, 4 * 1024)
        .map_err(|e| format!("rmpv cannot decode the payload: {e}"))?;
    if !rd.is_empty() {
        return Err(format!("{} bytes left after the message", rd.len()));
    }
    compare(&got, want).map_err(|e| format!("payload{e}"))?;
    let mut canonical = Vec::with_capacity(payload.len());
    rmpv::encode::write_value(&mut canonical, want).map_err(|e| format!("rmpv: {e}"))?;
    if canonical != payload {
        let at = canonical
            .iter()
            .zip(payload)
            .position(|(a, b)| a != b)
            .unwrap_or(canonical.len().min(payload.len()));
        return Err(format!(
            "not the smallest-form encoding: first difference at byte {at} (got {:02x?}, expected {:02x?})",
            &payload[at..payload.len().min(at + 12)],
            &canonical[at..canonical.len().min(at + 12)],
        ));
    }
    Ok(())
}
