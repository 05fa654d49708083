//! JavaScript values to the core's [`Value`], with notepack.io 3.0.1's rules (the encoder of
//! `@socket.io/redis-emitter` 5.1.0), checked in the same order notepack checks them:
//!
//! - `undefined` is nil; inside an object, keys whose value is `undefined` or a function
//!   are left out (and not counted);
//! - numbers stay doubles here (the core writes integral ones as integers);
//! - arrays, then `Date` (msgpack timestamp), then `Buffer`/`ArrayBuffer`/views: binary
//!   exactly as `Buffer.from(value)` gives it (other typed arrays element by element,
//!   truncated to a byte);
//! - then `toJSON()`, whose result is converted in turn; then own enumerable string keys in
//!   `Object.keys` order (so `Map` and `Set` are empty maps);
//! - functions (outside objects), symbols and BigInts are refused with notepack's
//!   `Could not encode`, unless they have a `toJSON`.
//!
//! It walks the value with raw N-API calls: one walk, no intermediate copies.
//!
//! Two guards keep hostile values cheap to refuse: nesting deeper than the core's limit, and
//! a byte budget (`max_payload_bytes`). The budget is charged with a lower bound of what each
//! value takes once encoded, *before* anything is allocated for it: an array's length (a
//! sparse array can claim 2^32 − 1 elements), a string's UTF-8 length, a binary's size. So
//! what passes can still be refused by the core's exact check after encoding, but nothing
//! the walker refuses would have fitted.

use std::ffi::{c_char, c_void};
use std::ptr;

use napi::{Status, sys};
use socketio_emitter::encode::MAX_DEPTH;
use socketio_emitter::{Map, Room, Value};

use crate::errors::COULD_NOT_ENCODE;

/// Why a conversion stopped.
pub(crate) enum Fail {
    /// A JavaScript exception (a throwing getter or `toJSON`) or an N-API failure: passed on.
    Js(napi::Error),
    /// A value we refuse; the path is collected while unwinding, innermost segment first.
    Refused { reason: String, path: Vec<Segment> },
}

pub(crate) enum Segment {
    Index(usize),
    Key(String),
}

impl Fail {
    fn refused(reason: impl Into<String>) -> Fail {
        Fail::Refused {
            reason: reason.into(),
            path: Vec::new(),
        }
    }

    fn at(mut self, segment: Segment) -> Fail {
        if let Fail::Refused { path, .. } = &mut self {
            path.push(segment);
        }
        self
    }

    /// The core's error for a refusal (`args[1]['user']: reason`), or the JavaScript error.
    pub(crate) fn into_core(self, root: &str) -> Result<socketio_emitter::Error, napi::Error> {
        match self {
            Fail::Js(e) => Err(e),
            Fail::Refused { reason, path } => {
                let mut text = root.to_owned();
                // Outermost first; a runaway path (a cycle) keeps its two ends.
                let len = path.len();
                for (i, segment) in path.iter().rev().enumerate() {
                    if len > LONG_PATH && i == SHOWN_HEAD {
                        text.push_str(&format!("…({} more)…", len - SHOWN_HEAD - SHOWN_TAIL));
                    }
                    if len > LONG_PATH && (SHOWN_HEAD..len - SHOWN_TAIL).contains(&i) {
                        continue;
                    }
                    match segment {
                        Segment::Index(i) => text.push_str(&format!("[{i}]")),
                        Segment::Key(k) => {
                            let quoted = k.replace('\\', "\\\\").replace('\'', "\\'");
                            text.push_str(&format!("['{quoted}']"));
                        }
                    }
                }
                Ok(socketio_emitter::Error::Encode { path: text, reason })
            }
        }
    }
}

impl From<napi::Error> for Fail {
    fn from(e: napi::Error) -> Fail {
        Fail::Js(e)
    }
}

/// Strings up to about this many UTF-8 bytes are read in one call, without a length query.
const SMALL_STRING: usize = 256;

/// Paths longer than this many segments are shortened to their first and last ones.
const LONG_PATH: usize = 16;
const SHOWN_HEAD: usize = 8;
const SHOWN_TAIL: usize = 4;

type Result<T, E = Fail> = std::result::Result<T, E>;

fn check(status: sys::napi_status) -> napi::Result<()> {
    if status == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(napi::Error::new(Status::from(status), "N-API call failed"))
    }
}

/// Which encoding the byte budget estimates: the least each kind of value takes there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    /// `emit`: notepack msgpack.
    Msgpack,
    /// `serverSideEmit`: JSON text.
    Json,
}

impl Encoding {
    /// `null` / `undefined`, and booleans.
    fn atom(self) -> usize {
        match self {
            Encoding::Msgpack => 1,
            Encoding::Json => 4, // null, true
        }
    }

    fn number(self, n: f64) -> usize {
        match self {
            // A float64 takes 9 bytes; an integer at least 1.
            Encoding::Msgpack if !n.is_finite() || n.fract() != 0.0 => 9,
            _ => 1,
        }
    }

    /// A string or a binary of `len` bytes (header or quotes included).
    fn bytes(self, len: usize) -> usize {
        len.saturating_add(match self {
            Encoding::Msgpack => 1,
            Encoding::Json => 2,
        })
    }

    /// An array or map header; each element then costs at least `ITEM` more.
    const CONTAINER: usize = 1;
    const ITEM: usize = 1;
}

/// Walks JavaScript values within one native call (the handles live as long as it does).
pub(crate) struct Walker {
    env: sys::napi_env,
    /// `Buffer` and `Buffer.from`, looked up on first use.
    buffer_from: Option<(sys::napi_value, sys::napi_value)>,
    encoding: Encoding,
    /// `max_payload_bytes`, and what is left of it.
    limit: usize,
    left: usize,
}

/// Vectors are reserved up to this many elements: a longer array grows as it is read, so a
/// length that lies (a sparse array) costs nothing before its elements are.
const RESERVE: usize = 1024;

impl Walker {
    /// A walker for rooms (no byte budget: rooms are checked in JavaScript).
    pub(crate) fn new(env: sys::napi_env) -> Walker {
        Walker::with_budget(env, Encoding::Msgpack, usize::MAX)
    }

    /// A walker that refuses values that would take more than `limit` bytes encoded.
    pub(crate) fn with_budget(env: sys::napi_env, encoding: Encoding, limit: usize) -> Walker {
        Walker {
            env,
            buffer_from: None,
            encoding,
            limit,
            left: limit,
        }
    }

    /// Takes `bytes` from the budget, or refuses the value.
    fn charge(&mut self, bytes: usize) -> Result<()> {
        match self.left.checked_sub(bytes) {
            Some(left) => {
                self.left = left;
                Ok(())
            }
            None => Err(self.over_budget()),
        }
    }

    fn over_budget(&self) -> Fail {
        Fail::refused(format!(
            "the arguments take more than max_payload_bytes ({} bytes) once encoded",
            self.limit
        ))
    }

    /// Refuses `count` elements of at least `each` bytes when they cannot fit, before
    /// anything is read or allocated for them.
    fn precheck(&self, count: usize, each: usize) -> Result<()> {
        if count.saturating_mul(each) > self.left {
            return Err(Fail::refused(format!(
                "{count} elements take more than max_payload_bytes ({} bytes) once encoded",
                self.limit
            )));
        }
        Ok(())
    }

    /// The elements of a JavaScript array of event arguments. Depth counts from each
    /// argument, as in the core, so the limit named in the message is the caller's.
    pub(crate) fn args(&mut self, array: sys::napi_value) -> Result<Vec<Value>> {
        let len = self.array_len(array)?;
        self.precheck(len as usize, Encoding::ITEM)?;
        let mut out = Vec::with_capacity((len as usize).min(RESERVE));
        for i in 0..len {
            let item = self.element(array, i)?;
            out.push(
                self.value(item, 0)
                    .map_err(|e| e.at(Segment::Index(i as usize)))?,
            );
        }
        Ok(out)
    }

    /// One value; `depth` counts the containers above it.
    pub(crate) fn value(&mut self, v: sys::napi_value, depth: usize) -> Result<Value> {
        match self.type_of(v)? {
            sys::ValueType::napi_undefined | sys::ValueType::napi_null => {
                self.charge(self.encoding.atom())?;
                Ok(Value::Nil)
            }
            sys::ValueType::napi_boolean => {
                self.charge(self.encoding.atom())?;
                let mut b = false;
                check(unsafe { sys::napi_get_value_bool(self.env, v, &mut b) })?;
                Ok(Value::Bool(b))
            }
            sys::ValueType::napi_number => {
                let n = self.number(v)?;
                self.charge(self.encoding.number(n))?;
                Ok(Value::Float(n))
            }
            sys::ValueType::napi_string => Ok(Value::Str(self.budgeted_string(v)?)),
            sys::ValueType::napi_object => self.object(v, depth),
            // notepack's `default:` branch: functions, symbols and BigInts are encoded only
            // through a `toJSON` method.
            sys::ValueType::napi_function
            | sys::ValueType::napi_symbol
            | sys::ValueType::napi_bigint => match self.call_to_json(v, true)? {
                Some(replaced) => self.nested(replaced, depth),
                None => Err(Fail::refused(COULD_NOT_ENCODE)),
            },
            // Native externals look like empty objects to JavaScript code.
            _ => Ok(Value::Map(Map::new())),
        }
    }

    fn nested(&mut self, v: sys::napi_value, depth: usize) -> Result<Value> {
        if depth >= MAX_DEPTH {
            return Err(Fail::refused(format!(
                "nested deeper than {MAX_DEPTH} levels (a cycle?)"
            )));
        }
        self.value(v, depth + 1)
    }

    fn object(&mut self, v: sys::napi_value, depth: usize) -> Result<Value> {
        if self.is(v, sys::napi_is_array)? {
            if depth >= MAX_DEPTH {
                return Err(Fail::refused(format!(
                    "nested deeper than {MAX_DEPTH} levels (a cycle?)"
                )));
            }
            let len = self.array_len(v)?;
            self.charge(Encoding::CONTAINER)?;
            self.precheck(len as usize, Encoding::ITEM)?;
            let mut items = Vec::with_capacity((len as usize).min(RESERVE));
            for i in 0..len {
                let item = self.element(v, i)?;
                items.push(
                    self.value(item, depth + 1)
                        .map_err(|e| e.at(Segment::Index(i as usize)))?,
                );
            }
            return Ok(Value::Array(items));
        }
        if self.is(v, sys::napi_is_date)? {
            let mut ms = 0.0;
            check(unsafe { sys::napi_get_date_value(self.env, v, &mut ms) })?;
            if !ms.is_finite() {
                // notepack writes an Invalid Date as the epoch (timestamp 96, all zeros).
                return Err(Fail::refused("an Invalid Date cannot be sent"));
            }
            self.charge(6)?; // the shortest msgpack timestamp
            return Ok(Value::Date(ms as i64));
        }
        if self.is(v, sys::napi_is_typedarray)? {
            return Ok(Value::Bytes(self.typed_array(v)?));
        }
        if self.is(v, sys::napi_is_arraybuffer)? {
            let mut data = ptr::null_mut();
            let mut len = 0usize;
            check(unsafe { sys::napi_get_arraybuffer_info(self.env, v, &mut data, &mut len) })?;
            self.charge(self.encoding.bytes(len))?;
            return Ok(Value::Bytes(copy_bytes(data, len)));
        }
        if self.is(v, sys::napi_is_dataview)? {
            let converted = self.buffer_from(v)?;
            return Ok(Value::Bytes(self.typed_array(converted)?));
        }
        if let Some(replaced) = self.call_to_json(v, false)? {
            return self.nested(replaced, depth);
        }
        if depth >= MAX_DEPTH {
            return Err(Fail::refused(format!(
                "nested deeper than {MAX_DEPTH} levels (a cycle?)"
            )));
        }
        self.map(v, depth)
    }

    /// Own enumerable string keys in `Object.keys` order, skipping `undefined` and function
    /// values like notepack does.
    fn map(&mut self, v: sys::napi_value, depth: usize) -> Result<Value> {
        let mut keys = ptr::null_mut();
        check(unsafe {
            sys::napi_get_all_property_names(
                self.env,
                v,
                sys::KeyCollectionMode::own_only,
                sys::KeyFilter::enumerable | sys::KeyFilter::skip_symbols,
                sys::KeyConversion::numbers_to_strings,
                &mut keys,
            )
        })?;
        let len = self.array_len(keys)?;
        self.charge(Encoding::CONTAINER)?;
        let mut map = Map::with_capacity((len as usize).min(RESERVE));
        for i in 0..len {
            let key = self.element(keys, i)?;
            let mut item = ptr::null_mut();
            check(unsafe { sys::napi_get_property(self.env, v, key, &mut item) })?;
            let kind = self.type_of(item)?;
            if kind == sys::ValueType::napi_undefined || kind == sys::ValueType::napi_function {
                continue;
            }
            let key = self.budgeted_string(key)?;
            if self.encoding == Encoding::Json {
                self.charge(2)?; // the colon and the comma or brace
            }
            let value = match self.value(item, depth + 1) {
                Ok(value) => value,
                Err(e) => return Err(e.at(Segment::Key(key))),
            };
            map.insert(key, value);
        }
        Ok(Value::Map(map))
    }

    /// The bytes `Buffer.from(view)` would hold.
    fn typed_array(&mut self, v: sys::napi_value) -> Result<Vec<u8>> {
        let mut kind = 0;
        let mut len = 0usize;
        let mut data = ptr::null_mut();
        let mut buffer = ptr::null_mut();
        let mut offset = 0usize;
        check(unsafe {
            sys::napi_get_typedarray_info(
                self.env,
                v,
                &mut kind,
                &mut len,
                &mut data,
                &mut buffer,
                &mut offset,
            )
        })?;
        // `len` counts elements; `Buffer.from` makes one byte of each.
        self.charge(self.encoding.bytes(len))?;
        match kind {
            sys::TypedarrayType::uint8_array | sys::TypedarrayType::uint8_clamped_array => {
                Ok(copy_bytes(data, len))
            }
            // Element by element, each truncated to a byte (or a TypeError for BigInt
            // arrays): exactly what Buffer.from does, so let it do it.
            _ => {
                let converted = self.buffer_from(v)?;
                // Charged above already: give it back, the bytes are charged once.
                self.left = self.left.saturating_add(self.encoding.bytes(len));
                self.typed_array(converted)
            }
        }
    }

    fn buffer_from(&mut self, v: sys::napi_value) -> Result<sys::napi_value> {
        let (buffer, from) = match self.buffer_from {
            Some(pair) => pair,
            None => {
                let mut global = ptr::null_mut();
                check(unsafe { sys::napi_get_global(self.env, &mut global) })?;
                let buffer = self.named(global, c"Buffer")?;
                let from = self.named(buffer, c"from")?;
                self.buffer_from = Some((buffer, from));
                (buffer, from)
            }
        };
        let mut out = ptr::null_mut();
        let args = [v];
        self.call(unsafe {
            sys::napi_call_function(self.env, buffer, from, 1, args.as_ptr(), &mut out)
        })?;
        Ok(out)
    }

    /// `value.toJSON()` when it is a function. Primitives (symbols, BigInts) are looked up
    /// through their wrapper object but called with themselves as `this`, as JavaScript does.
    fn call_to_json(&self, v: sys::napi_value, primitive: bool) -> Result<Option<sys::napi_value>> {
        let holder = if primitive {
            let mut obj = ptr::null_mut();
            self.call(unsafe { sys::napi_coerce_to_object(self.env, v, &mut obj) })?;
            obj
        } else {
            v
        };
        let method = self.named(holder, c"toJSON")?;
        if self.type_of(method)? != sys::ValueType::napi_function {
            return Ok(None);
        }
        let mut out = ptr::null_mut();
        self.call(unsafe {
            sys::napi_call_function(self.env, v, method, 0, ptr::null(), &mut out)
        })?;
        Ok(Some(out))
    }

    /// A call that runs JavaScript: a thrown exception stays pending and is what the
    /// caller sees.
    fn call(&self, status: sys::napi_status) -> napi::Result<()> {
        if status == sys::Status::napi_pending_exception {
            return Err(napi::Error::new(
                Status::PendingException,
                "JavaScript exception",
            ));
        }
        check(status)
    }

    fn named(&self, obj: sys::napi_value, name: &std::ffi::CStr) -> napi::Result<sys::napi_value> {
        let mut out = ptr::null_mut();
        self.call(unsafe { sys::napi_get_named_property(self.env, obj, name.as_ptr(), &mut out) })?;
        Ok(out)
    }

    fn is(
        &self,
        v: sys::napi_value,
        f: unsafe fn(sys::napi_env, sys::napi_value, *mut bool) -> sys::napi_status,
    ) -> napi::Result<bool> {
        let mut out = false;
        check(unsafe { f(self.env, v, &mut out) })?;
        Ok(out)
    }

    fn type_of(&self, v: sys::napi_value) -> napi::Result<sys::napi_valuetype> {
        let mut t = 0;
        check(unsafe { sys::napi_typeof(self.env, v, &mut t) })?;
        Ok(t)
    }

    fn number(&self, v: sys::napi_value) -> napi::Result<f64> {
        let mut n = 0.0;
        check(unsafe { sys::napi_get_value_double(self.env, v, &mut n) })?;
        Ok(n)
    }

    /// [`string`](Self::string), charged to the budget before a long one is copied.
    fn budgeted_string(&mut self, v: sys::napi_value) -> Result<String> {
        let (left, encoding) = (self.left, self.encoding);
        match self.read_string(v, |len| encoding.bytes(len) <= left)? {
            Some(text) => {
                self.charge(encoding.bytes(text.len()))?;
                Ok(text)
            }
            None => Err(self.over_budget()),
        }
    }

    /// UTF-8 text of a JavaScript string (a lone surrogate becomes U+FFFD, as in
    /// `Buffer.from(string)`).
    pub(crate) fn string(&self, v: sys::napi_value) -> napi::Result<String> {
        Ok(self.read_string(v, |_| true)?.unwrap_or_default())
    }

    /// The text of a string; a long one is copied only when `fits(its UTF-8 length)`
    /// (otherwise `None`).
    fn read_string(
        &self,
        v: sys::napi_value,
        fits: impl FnOnce(usize) -> bool,
    ) -> napi::Result<Option<String>> {
        // Most strings (keys, short values) fit this buffer: one copy, no length query.
        let mut small = [0u8; SMALL_STRING];
        let mut written = 0usize;
        check(unsafe {
            sys::napi_get_value_string_utf8(
                self.env,
                v,
                small.as_mut_ptr().cast::<c_char>(),
                small.len(),
                &mut written,
            )
        })?;
        // N-API writes at most `len - 1` bytes and never splits a character, so with room
        // left for the longest character (4 bytes) the string was not cut short.
        if written + 4 < small.len() {
            return String::from_utf8(small[..written].to_vec())
                .map(Some)
                .map_err(|_| napi::Error::new(Status::StringExpected, "bad UTF-8"));
        }
        let mut len = 0usize;
        check(unsafe {
            sys::napi_get_value_string_utf8(self.env, v, ptr::null_mut(), 0, &mut len)
        })?;
        if !fits(len) {
            return Ok(None);
        }
        let mut buf = vec![0u8; len + 1];
        check(unsafe {
            sys::napi_get_value_string_utf8(
                self.env,
                v,
                buf.as_mut_ptr().cast::<c_char>(),
                buf.len(),
                &mut written,
            )
        })?;
        buf.truncate(written);
        String::from_utf8(buf)
            .map(Some)
            .map_err(|_| napi::Error::new(Status::StringExpected, "bad UTF-8"))
    }

    fn array_len(&self, v: sys::napi_value) -> napi::Result<u32> {
        let mut len = 0u32;
        check(unsafe { sys::napi_get_array_length(self.env, v, &mut len) })?;
        Ok(len)
    }

    fn element(&self, v: sys::napi_value, i: u32) -> napi::Result<sys::napi_value> {
        let mut out = ptr::null_mut();
        self.call(unsafe { sys::napi_get_element(self.env, v, i, &mut out) })?;
        Ok(out)
    }

    /// Rooms: each a string or an integer (socket.io compares rooms by identity, so `7` and
    /// `"7"` stay different).
    pub(crate) fn rooms(&self, array: sys::napi_value) -> Result<Vec<Room>, String> {
        let len = self.array_len(array).map_err(|e| e.reason)?;
        let mut out = Vec::with_capacity((len as usize).min(RESERVE));
        for i in 0..len {
            let item = self.element(array, i).map_err(|e| e.reason)?;
            let room = match self.type_of(item).map_err(|e| e.reason)? {
                sys::ValueType::napi_string => Room::Name(self.string(item).map_err(|e| e.reason)?),
                sys::ValueType::napi_number => {
                    let n = self.number(item).map_err(|e| e.reason)?;
                    if n.fract() != 0.0 || !n.is_finite() || n.abs() > 9_007_199_254_740_991.0 {
                        return Err(format!("a numeric room must be a safe integer, got {n}"));
                    }
                    Room::Number(n as i64)
                }
                _ => return Err("a room must be a string or an integer".to_owned()),
            };
            out.push(room);
        }
        Ok(out)
    }
}

fn copy_bytes(data: *mut c_void, len: usize) -> Vec<u8> {
    if data.is_null() || len == 0 {
        return Vec::new();
    }
    // SAFETY: N-API reports `len` readable bytes at `data` for this view or buffer, valid
    // for the duration of this native call; we copy them out before returning.
    unsafe { std::slice::from_raw_parts(data.cast::<u8>(), len) }.to_vec()
}
