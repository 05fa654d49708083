//! The golden vectors (tests/vectors/vectors.json) through the C API: each case is turned
//! into what a C caller passes (JSON text with `{"$bin": i}` placeholders, buffers, target
//! calls) and `sioe_emitter_encode_*` must give the official emitter's channel and bytes.
//! Cases the C API cannot express (NaN and infinities in JSON, dates, constructor
//! namespaces, the room operations without an `encode_` function) are skipped.

use std::ffi::CStr;
use std::ptr::null_mut;

use serde_json::{Value as J, json};

use crate::*;

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/vectors.json");

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

/// Tagged JSON → C-call JSON, collecting binary parts; `None` when not expressible.
fn plain(v: &J, parts: &mut Vec<Vec<u8>>) -> Option<J> {
    Some(match v {
        J::Object(o) if o.len() == 1 && o.keys().all(|k| k.starts_with('$')) => {
            let (tag, v) = o.iter().next()?;
            match tag.as_str() {
                "$bytes" => {
                    parts.push(unhex(v.as_str()?));
                    json!({"$bin": parts.len() - 1})
                }
                "$float" => match v {
                    J::String(s) if s == "-0" => json!(-0.0),
                    J::Number(n) => J::from(n.as_f64()?),
                    _ => return None,
                },
                "$str" => J::String(v[0].as_str()?.repeat(v[1].as_u64()? as usize)),
                "$array" => J::Array(vec![plain(&v[0], parts)?; v[1].as_u64()? as usize]),
                "$map_range" => J::Object(
                    (0..v.as_i64()?)
                        .map(|i| (format!("k{i}"), json!(i)))
                        .collect(),
                ),
                "$map" => {
                    let mut m = serde_json::Map::new();
                    for p in v.as_array()? {
                        m.insert(p[0].as_str()?.to_owned(), plain(&p[1], parts)?);
                    }
                    J::Object(m)
                }
                _ => return None,
            }
        }
        J::Object(o) => {
            let mut m = serde_json::Map::new();
            for (k, v) in o {
                m.insert(k.clone(), plain(v, parts)?);
            }
            J::Object(m)
        }
        J::Array(a) => J::Array(a.iter().map(|x| plain(x, parts)).collect::<Option<_>>()?),
        other => other.clone(),
    })
}

/// Applies one target call, freeing the previous handle.
unsafe fn apply(em: *mut sioe_emitter, op: &J) -> Option<*mut sioe_emitter> {
    let mut out = null_mut();
    let arg = op.get(1);
    let rooms = |a: &J| a.as_array().cloned().unwrap_or_else(|| vec![a.clone()]);
    let status = unsafe {
        match op[0].as_str()? {
            "of" => {
                let nsp = arg?.as_str()?;
                sioe_emitter_of(em, nsp.as_ptr().cast(), nsp.len(), &mut out, null_mut())
            }
            name @ ("to" | "in" | "except") => {
                let mut cur = em;
                for room in rooms(arg?) {
                    let mut next = null_mut();
                    let except = name == "except";
                    let st = match (&room, except) {
                        (J::String(s), false) => {
                            sioe_emitter_to(cur, s.as_ptr().cast(), s.len(), &mut next, null_mut())
                        }
                        (J::String(s), true) => sioe_emitter_except(
                            cur,
                            s.as_ptr().cast(),
                            s.len(),
                            &mut next,
                            null_mut(),
                        ),
                        (J::Number(n), false) => {
                            sioe_emitter_to_id(cur, n.as_i64()?, &mut next, null_mut())
                        }
                        (J::Number(n), true) => {
                            sioe_emitter_except_id(cur, n.as_i64()?, &mut next, null_mut())
                        }
                        _ => return None,
                    };
                    assert_eq!(st, sioe_status::Ok);
                    if cur != em {
                        sioe_emitter_free(cur);
                    }
                    cur = next;
                }
                out = cur;
                sioe_status::Ok
            }
            "volatile" => sioe_emitter_volatile(em, &mut out, null_mut()),
            "compress" => sioe_emitter_compress(em, arg?.as_bool()?, &mut out, null_mut()),
            _ => return None,
        }
    };
    assert_eq!(status, sioe_status::Ok);
    if out != em {
        unsafe { sioe_emitter_free(em) };
    }
    Some(out)
}

/// `Some(Ok((channel, payload)))`, `Some(Err(message))`, or `None` when skipped.
fn run(case: &J) -> Option<Result<(String, Vec<u8>), String>> {
    let call = case["call"].as_str()?;
    if case.get("nsp").is_some() || !matches!(call, "emit" | "serverSideEmit") {
        return None;
    }
    let mut parts = Vec::new();
    let all = plain(&case["args"], &mut parts)?;
    let event = all[0].as_str()?.to_owned();
    let args = J::Array(all.as_array()?[1..].to_vec()).to_string();
    let key = case.get("key").and_then(J::as_str).unwrap_or("socket.io");
    // SAFETY: every pointer below is live for the call it is passed to.
    unsafe {
        let bufs = sioe_buffers_new();
        for p in &parts {
            sioe_buffers_add(bufs, p.as_ptr().cast(), p.len(), null_mut(), null_mut());
        }
        let mut em = null_mut();
        sioe_offline(key.as_ptr().cast(), key.len(), &mut em, null_mut());
        for op in case["ops"].as_array()? {
            em = apply(em, op)?;
        }
        let encode = if call == "emit" {
            sioe_emitter_encode_emit
        } else {
            sioe_emitter_encode_server_side_emit
        };
        let (mut out, mut err) = (null_mut(), null_mut());
        let e = event.as_bytes();
        let a = args.as_bytes();
        let st = encode(
            em,
            e.as_ptr().cast(),
            e.len(),
            a.as_ptr().cast(),
            a.len(),
            bufs,
            &mut out,
            &mut err,
        );
        sioe_emitter_free(em);
        sioe_buffers_free(bufs);
        if st != sioe_status::Ok {
            let msg = CStr::from_ptr(sioe_error_message(err))
                .to_string_lossy()
                .into_owned();
            sioe_error_free(err);
            return Some(Err(msg));
        }
        let (mut clen, mut plen) = (0, 0);
        let channel = CStr::from_ptr(sioe_output_channel(out, &mut clen))
            .to_str()
            .ok()?
            .to_owned();
        assert_eq!(clen, channel.len());
        let payload =
            std::slice::from_raw_parts(sioe_output_payload(out, &mut plen), plen).to_vec();
        sioe_output_free(out);
        Some(Ok((channel, payload)))
    }
}

#[test]
fn golden_vectors_through_the_c_api() {
    let doc: J = serde_json::from_str(&std::fs::read_to_string(VECTORS).expect("vectors.json"))
        .expect("json");
    let refused = socketio_emitter::adapter::RESERVED_SERVER_SIDE_EVENTS;
    let (mut checked, mut failures) = (0, Vec::new());
    for case in doc["cases"].as_array().expect("cases") {
        if case.get("only").is_some() {
            continue;
        }
        let Some(result) = run(case) else { continue };
        let name = case["name"].as_str().unwrap_or("?");
        checked += 1;
        let refused_event = case["call"] == "serverSideEmit"
            && case["args"][0]
                .as_str()
                .is_some_and(|e| refused.contains(&e));
        match (result, case.get("throws")) {
            (Err(_), _) if refused_event => {}
            (Err(msg), Some(want)) if want == &J::String(msg.clone()) => {}
            (Ok((channel, payload)), None) if !refused_event => {
                let want = &case["publishes"][0];
                if want["channel"] != channel.as_str()
                    || unhex(want["payload_hex"].as_str().unwrap_or("")) != payload
                {
                    failures.push(name.to_owned());
                }
            }
            (got, _) => failures.push(format!("{name}: {got:?}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} differ: {failures:?}",
        failures.len()
    );
    assert!(checked >= 100, "only {checked} vectors checked");
}
