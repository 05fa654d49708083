//! The native half of `Emitter`: one object per connection (or an offline encoder). The
//! JavaScript layer (`emitter.js`) keeps the immutable target (namespace, rooms, exclusions,
//! flags) and passes it with each call; everything that can be refused is checked here,
//! synchronously, before a promise exists.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use napi::bindgen_prelude::{Buffer, Object};
use napi::{Env, JsValue, Status, Unknown, sys};
use napi_derive::napi;
use socketio_emitter::adapter::{Flavour, Output, RESERVED_EVENTS, RESERVED_SERVER_SIDE_EVENTS};
use socketio_emitter::{
    AdapterKind, EmitterConfig, Error, Flag, Room, Target, Topology, Value,
    duration_from_millis_f64, redact_url,
};

use crate::convert::{Encoding, Walker};
use crate::dispatch::{Ask, Job, Link, Op, Reply};
use crate::errors;
use crate::settle::{self, Settler};

/// Connection options, already type-checked by `options.js` (numbers are numbers); their
/// ranges are checked here, with the core's rules. Durations are in milliseconds.
#[napi(object)]
#[derive(Default)]
pub struct NativeOptions {
    pub key: Option<String>,
    /// `classic`, `sharded` or `streams`, parsed by the core (its error names the accepted
    /// values).
    pub adapter: Option<String>,
    /// `static`, `dynamic` or `dynamic-private`, parsed by the core.
    pub subscription_mode: Option<String>,
    /// A Redis Cluster's seed nodes (`redis://` or `rediss://` URLs); `url` is then the
    /// default one.
    pub cluster_nodes: Option<Vec<String>>,
    /// The name the sentinels monitor the master under (with `sentinel_nodes`).
    pub sentinel_master: Option<String>,
    /// The sentinels' URLs (with `sentinel_master`).
    pub sentinel_nodes: Option<Vec<String>>,
    pub tls_ca_pem: Option<String>,
    pub connect_timeout_ms: Option<f64>,
    pub response_timeout_ms: Option<f64>,
    pub reconnect_min_delay_ms: Option<f64>,
    pub reconnect_max_delay_ms: Option<f64>,
    pub reconnect_attempts: Option<f64>,
    pub require_receivers: Option<bool>,
    pub max_payload_bytes: Option<f64>,
    /// The streams adapter's `streamName` (not empty). Default `socket.io`.
    pub stream_name: Option<String>,
    /// The streams adapter's `streamCount` (1 to 1024, 0.3 only). Default 1.
    pub stream_count: Option<f64>,
    /// The streams adapter's `maxLen` (1 to 2^40). Default 10000.
    pub max_len: Option<f64>,
    /// `0.3` or `0.2` (a full version such as `0.3.1` names its generation), parsed by the
    /// core.
    pub streams_version: Option<String>,
    /// The classic adapter's server stack (`redis-adapter-8`, `redis-adapter-7`,
    /// `socket.io-redis-6.1`, `socket.io-redis-6.0`, `socket.io-redis-5`), parsed by the core.
    pub compat: Option<String>,
}

/// Written by hand: the node URLs may hold passwords, shown redacted.
impl std::fmt::Debug for NativeOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redacted = |nodes: &Option<Vec<String>>| {
            nodes
                .as_ref()
                .map(|n| n.iter().map(|u| redact_url(u)).collect::<Vec<_>>())
        };
        f.debug_struct("NativeOptions")
            .field("key", &self.key)
            .field("adapter", &self.adapter)
            .field("subscription_mode", &self.subscription_mode)
            .field("cluster_nodes", &redacted(&self.cluster_nodes))
            .field("sentinel_master", &self.sentinel_master)
            .field("sentinel_nodes", &redacted(&self.sentinel_nodes))
            .field("tls_ca_pem", &self.tls_ca_pem.as_ref().map(|_| "set"))
            .field("connect_timeout_ms", &self.connect_timeout_ms)
            .field("response_timeout_ms", &self.response_timeout_ms)
            .field("reconnect_min_delay_ms", &self.reconnect_min_delay_ms)
            .field("reconnect_max_delay_ms", &self.reconnect_max_delay_ms)
            .field("reconnect_attempts", &self.reconnect_attempts)
            .field("require_receivers", &self.require_receivers)
            .field("max_payload_bytes", &self.max_payload_bytes)
            .field("stream_name", &self.stream_name)
            .field("stream_count", &self.stream_count)
            .field("max_len", &self.max_len)
            .field("streams_version", &self.streams_version)
            .field("compat", &self.compat)
            .finish()
    }
}

/// What an operation would send: the Redis command, its channel (the stream key for XADD),
/// the exact payload bytes (the entry's `data` field for XADD), and the whole command.
#[napi(object)]
pub struct Encoded {
    /// `PUBLISH`, `SPUBLISH` or `XADD`.
    pub command: String,
    pub channel: String,
    pub payload: Buffer,
    /// The whole Redis command, name first: `[PUBLISH, channel, payload]`, or for the streams
    /// adapter `[XADD, key, MAXLEN, ~, maxLen, *, uid, emitter, nsp, <nsp>, type, <n>, data,
    /// <payload>]`.
    pub args: Vec<Buffer>,
}

impl std::fmt::Debug for Encoded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encoded")
            .field("command", &self.command)
            .field("channel", &self.channel)
            .field("payload_len", &self.payload.len())
            .field("args", &self.args.len())
            .finish()
    }
}

impl From<Output> for Encoded {
    fn from(out: Output) -> Encoded {
        Encoded {
            command: out.command.name().to_owned(),
            args: out.args().into_iter().map(Buffer::from).collect(),
            channel: out.channel,
            payload: out.payload.into(),
        }
    }
}

/// One Redis connection (or none, for an offline encoder), its channel prefix and adapter.
#[napi]
#[derive(Debug)]
pub struct NativeEmitter {
    /// The connection task and the settler of its promises; `None` offline.
    link: Option<(Link, Arc<Settler>)>,
    key: String,
    /// The servers' adapter, for the `encode_*` methods (the connection task's core emitter
    /// has its own, from the same configuration).
    flavour: Flavour,
    /// `max_payload_bytes`: arguments are refused once they would take more.
    max_payload_bytes: usize,
}

/// Runs a native entry point; a panic (a bug of ours) becomes an `INTERNAL` error instead
/// of aborting the process.
fn guard<T>(env: &Env, body: impl FnOnce() -> napi::Result<T>) -> napi::Result<T> {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(result) => result,
        Err(payload) => Err(errors::to_napi(env, &Error::from_panic(&*payload))),
    }
}

/// A duration option in milliseconds, checked by the core's rules (never panics).
fn duration(name: &str, ms: Option<f64>, default: Duration) -> Result<Duration, Error> {
    ms.map_or(Ok(default), |ms| duration_from_millis_f64(name, ms))
}

/// JavaScript's `Number.MAX_SAFE_INTEGER`: every integer up to it is exact in a double.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// A count option: an integer in `0..=max`.
fn count(name: &str, value: f64, max: f64) -> Result<usize, Error> {
    if value.fract() != 0.0 || !(0.0..=max).contains(&value) {
        return Err(Error::InvalidArgument(format!(
            "{name} must be an integer between 0 and {max}, got {value}"
        )));
    }
    Ok(value as usize)
}

/// The configuration the options describe, checked as a whole (`EmitterConfig::validate`),
/// so that every bad value is refused by the constructor.
fn config(url: String, options: NativeOptions) -> Result<EmitterConfig, Error> {
    let mut config = EmitterConfig::new(url);
    if let Some(key) = options.key {
        config = config.with_key(key);
    }
    if let Some(adapter) = options.adapter {
        config = config.with_adapter(adapter.parse()?);
    }
    if let Some(mode) = options.subscription_mode {
        config = config.with_subscription_mode(mode.parse()?);
    }
    // The streams options: their ranges and combinations are the core's (`validate`).
    let stream_count = match options.stream_count {
        // At most u32::MAX, so the cast is exact.
        Some(n) => count("stream_count", n, u32::MAX.into())? as u32,
        None => config.stream_count,
    };
    let max_len = match options.max_len {
        Some(n) => count("max_len", n, MAX_SAFE_INTEGER)? as u64,
        None => config.max_len,
    };
    let stream_name = options
        .stream_name
        .unwrap_or_else(|| config.stream_name.clone());
    config = config.with_streams(stream_name, stream_count, max_len);
    if let Some(version) = options.streams_version {
        config = config.with_streams_version(version.parse()?);
    }
    if let Some(compat) = options.compat {
        config = config.with_compat(compat.parse()?);
    }
    config.topology = Topology::from_options(
        options.cluster_nodes,
        options.sentinel_master,
        options.sentinel_nodes,
    )?;
    if let Some(pem) = options.tls_ca_pem {
        config = config.with_tls_ca_pem(pem.into_bytes());
    }
    config.connect_timeout = duration(
        "connect_timeout",
        options.connect_timeout_ms,
        config.connect_timeout,
    )?;
    config.response_timeout = duration(
        "response_timeout",
        options.response_timeout_ms,
        config.response_timeout,
    )?;
    config.reconnect_min_delay = duration(
        "reconnect_min_delay",
        options.reconnect_min_delay_ms,
        config.reconnect_min_delay,
    )?;
    config.reconnect_max_delay = duration(
        "reconnect_max_delay",
        options.reconnect_max_delay_ms,
        config.reconnect_max_delay,
    )?;
    if let Some(attempts) = options.reconnect_attempts {
        config.reconnect_attempts = count("reconnect_attempts", attempts, u32::MAX.into())?;
    }
    if let Some(max) = options.max_payload_bytes {
        config.max_payload_bytes = count("max_payload_bytes", max, u32::MAX.into())?;
    }
    if let Some(require) = options.require_receivers {
        config = config.with_require_receivers(require);
    }
    config.validate()?;
    Ok(config)
}

/// The `timeout` of `flush()`/`close()`, in milliseconds: `None` waits as long as the
/// operations take (each is bounded by its own call budget).
fn timeout(ms: Option<f64>) -> Result<Option<Duration>, Error> {
    ms.map(|ms| duration_from_millis_f64("timeout", ms))
        .transpose()
}

#[napi]
impl NativeEmitter {
    /// Starts the connection task; the connection itself is opened by the first operation.
    /// Every option is checked here: a bad one throws `INVALID_ARGUMENT` naming it.
    #[napi(constructor)]
    pub fn new(env: &Env, url: String, options: NativeOptions) -> napi::Result<NativeEmitter> {
        guard(env, || {
            let config = config(url, options).map_err(|e| errors::to_napi(env, &e))?;
            let settler = Settler::new(env.raw())?;
            Ok(NativeEmitter {
                key: config.key.clone(),
                flavour: Flavour::from_config(&config),
                max_payload_bytes: config.max_payload_bytes,
                link: Some((Link::start(config), settler)),
            })
        })
    }

    /// An emitter that only encodes; every publish fails with `CLOSED`. It reads the
    /// options that shape the bytes (`key`, `adapter`, `subscriptionMode`,
    /// `maxPayloadBytes`, the streams options and `compat`), checked like the
    /// constructor's.
    #[napi(factory)]
    pub fn offline(env: &Env, options: NativeOptions) -> napi::Result<NativeEmitter> {
        guard(env, || {
            let config = config("redis://offline".to_owned(), options)
                .map_err(|e| errors::to_napi(env, &e))?;
            Ok(NativeEmitter {
                link: None,
                key: config.key.clone(),
                flavour: Flavour::from_config(&config),
                max_payload_bytes: config.max_payload_bytes,
            })
        })
    }

    /// The adapter the bytes are for: once connected, the connection's (with `auto`, the
    /// detected one); before, the configured one.
    fn flavour(&self) -> &Flavour {
        self.link
            .as_ref()
            .and_then(|(link, _)| link.detected())
            .unwrap_or(&self.flavour)
    }

    #[napi(getter)]
    pub fn key(&self) -> String {
        self.key.clone()
    }

    /// `classic`, `sharded` or `streams`: `emitter.js` prepares `serverSideEmit` arguments
    /// the way these servers' adapter does. With `adapter: "auto"`, `classic` until the
    /// connection has detected the servers' adapter.
    #[napi(getter)]
    pub fn adapter(&self) -> String {
        self.flavour().adapter().to_string()
    }

    /// The stream a namespace's entries go to with the streams adapter (`null` for the
    /// other adapters): `emitter.js` names the channel of a failure nobody awaited with it.
    #[napi]
    pub fn stream_key(&self, nsp: String) -> Option<String> {
        match self.flavour() {
            Flavour::Streams(s) => Some(s.stream_key(&nsp)),
            _ => None,
        }
    }

    /// `0.3` or `0.2` with the streams adapter (0.3 sends serverSideEmit over Pub/Sub
    /// instead of the stream), `null` otherwise.
    #[napi(getter)]
    pub fn streams_version(&self) -> Option<String> {
        match self.flavour() {
            Flavour::Streams(s) => Some(s.version.to_string()),
            _ => None,
        }
    }

    #[napi(getter)]
    pub fn max_payload_bytes(&self) -> f64 {
        self.max_payload_bytes as f64
    }

    /// Resolves once connected (connecting now if needed).
    #[napi(ts_return_type = "Promise<number>")]
    pub fn ready<'env>(&self, env: &'env Env) -> napi::Result<Object<'env>> {
        guard(env, || self.submit(env, Job::Ready, Err(Error::Closed)))
    }

    /// Resolves once every operation started before it has finished, or rejects with
    /// `TIMEOUT` after `timeoutMs`. (`emitter.js` counts what the operations did.)
    #[napi(ts_return_type = "Promise<number>")]
    pub fn flush<'env>(
        &self,
        env: &'env Env,
        timeout_ms: Option<f64>,
    ) -> napi::Result<Object<'env>> {
        guard(env, || {
            let timeout = timeout(timeout_ms).map_err(|e| errors::to_napi(env, &e))?;
            self.submit(
                env,
                |reply| Job::Flush { timeout, reply },
                Err(Error::Closed),
            )
        })
    }

    /// Finishes what is in flight, then closes; later operations fail with `CLOSED`. After
    /// `timeoutMs`, what is still in flight fails at once with `TIMEOUT`.
    #[napi(ts_return_type = "Promise<number>")]
    pub fn close<'env>(
        &self,
        env: &'env Env,
        timeout_ms: Option<f64>,
    ) -> napi::Result<Object<'env>> {
        guard(env, || {
            let timeout = timeout(timeout_ms).map_err(|e| errors::to_napi(env, &e))?;
            self.submit(env, |reply| Job::Close { timeout, reply }, Ok(0))
        })
    }

    #[napi(ts_return_type = "Promise<number>")]
    #[allow(clippy::too_many_arguments)]
    pub fn emit<'env>(
        &self,
        env: &'env Env,
        nsp: String,
        rooms: Unknown,
        except: Unknown,
        flags: String,
        event: String,
        args: Unknown,
    ) -> napi::Result<Object<'env>> {
        guard(env, || {
            check_sent_event(env, &event)?;
            let (target, args) =
                self.emit_request(env, &nsp, rooms, except, &flags, &event, args)?;
            self.op(env, target, Op::Emit(event, args))
        })
    }

    /// Asks the cluster (`kind`: `serverCount`, `fetchSockets`, `allRooms`,
    /// `serverSideEmitWithAck`, `emitWithAck`) for the target; resolves to the answer's JSON
    /// text, which `emitter.js` turns into objects. `event` and `args` are for the two
    /// acknowledged kinds (converted as for `emit`), `timeoutMs` for all but `serverCount`.
    #[napi(ts_return_type = "Promise<string>")]
    #[allow(clippy::too_many_arguments)]
    pub fn ask<'env>(
        &self,
        env: &'env Env,
        kind: String,
        nsp: String,
        rooms: Unknown,
        except: Unknown,
        flags: String,
        event: String,
        args: Unknown,
        timeout_ms: f64,
    ) -> napi::Result<Object<'env>> {
        guard(env, || {
            let refuse = |e: Error| errors::to_napi(env, &e);
            let wait = || {
                duration_from_millis_f64("timeout", timeout_ms).and_then(|t| match t.is_zero() {
                    true => Err(Error::InvalidArgument(
                        "timeout must be more than 0 ms".into(),
                    )),
                    false => Ok(t),
                })
            };
            let (target, ask) = match kind.as_str() {
                "serverCount" => (Target::new(&nsp), Ask::ServerCount),
                "fetchSockets" => (
                    target(env, &nsp, rooms, except, &flags)?,
                    Ask::FetchSockets(wait().map_err(refuse)?),
                ),
                "allRooms" => (Target::new(&nsp), Ask::AllRooms(wait().map_err(refuse)?)),
                "serverSideEmitWithAck" | "emitWithAck" => {
                    let t = wait().map_err(refuse)?;
                    check_sent_event(env, &event)?;
                    let (target, values) =
                        self.emit_request(env, &nsp, rooms, except, &flags, &event, args)?;
                    let ask = if kind == "emitWithAck" {
                        Ask::EmitWithAck(event, values, t)
                    } else {
                        Ask::ServerSideEmitWithAck(event, values, t)
                    };
                    (target, ask)
                }
                other => {
                    return Err(refuse(Error::Internal(format!("no question {other:?}"))));
                }
            };
            self.submit(
                env,
                |reply| Job::Ask { target, ask, reply },
                // Like every operation of an offline encoder (and in every language).
                Err(Error::Closed),
            )
        })
    }

    /// `args` are JSON values (what `JSON.parse(JSON.stringify(...))` gives).
    #[napi(ts_return_type = "Promise<number>")]
    pub fn server_side_emit<'env>(
        &self,
        env: &'env Env,
        nsp: String,
        event: String,
        args: Unknown,
    ) -> napi::Result<Object<'env>> {
        guard(env, || {
            check_sent_event(env, &event)?;
            let args = self.server_side_request(env, &event, args)?;
            self.op(env, Target::new(&nsp), Op::ServerSideEmit(event, args))
        })
    }

    #[napi(ts_return_type = "Promise<number>")]
    pub fn sockets_join<'env>(
        &self,
        env: &'env Env,
        nsp: String,
        rooms: Unknown,
        except: Unknown,
        flags: String,
        join: Unknown,
    ) -> napi::Result<Object<'env>> {
        guard(env, || {
            let (target, join) = rooms_request(env, &nsp, rooms, except, &flags, join)?;
            self.op(env, target, Op::Join(join))
        })
    }

    #[napi(ts_return_type = "Promise<number>")]
    pub fn sockets_leave<'env>(
        &self,
        env: &'env Env,
        nsp: String,
        rooms: Unknown,
        except: Unknown,
        flags: String,
        leave: Unknown,
    ) -> napi::Result<Object<'env>> {
        guard(env, || {
            let (target, leave) = rooms_request(env, &nsp, rooms, except, &flags, leave)?;
            self.op(env, target, Op::Leave(leave))
        })
    }

    #[napi(ts_return_type = "Promise<number>")]
    pub fn disconnect_sockets<'env>(
        &self,
        env: &'env Env,
        nsp: String,
        rooms: Unknown,
        except: Unknown,
        flags: String,
        close: bool,
    ) -> napi::Result<Object<'env>> {
        guard(env, || {
            let target = target(env, &nsp, rooms, except, &flags)?;
            self.op(env, target, Op::Disconnect(close))
        })
    }

    #[napi]
    #[allow(clippy::too_many_arguments)]
    pub fn encode_emit(
        &self,
        env: &Env,
        nsp: String,
        rooms: Unknown,
        except: Unknown,
        flags: String,
        event: String,
        args: Unknown,
    ) -> napi::Result<Encoded> {
        guard(env, || {
            let (target, args) =
                self.emit_request(env, &nsp, rooms, except, &flags, &event, args)?;
            let out = self.flavour().broadcast(&self.key, &target, &event, &args);
            self.encoded(env, out)
        })
    }

    #[napi]
    pub fn encode_server_side_emit(
        &self,
        env: &Env,
        nsp: String,
        event: String,
        args: Unknown,
    ) -> napi::Result<Encoded> {
        guard(env, || {
            let args = self.server_side_request(env, &event, args)?;
            let out = self
                .flavour()
                .server_side_emit(&self.key, &Target::new(&nsp), &event, &args);
            self.encoded(env, out)
        })
    }

    #[napi]
    pub fn encode_sockets_join(
        &self,
        env: &Env,
        nsp: String,
        rooms: Unknown,
        except: Unknown,
        flags: String,
        join: Unknown,
    ) -> napi::Result<Encoded> {
        guard(env, || {
            let (target, join) = rooms_request(env, &nsp, rooms, except, &flags, join)?;
            let out = self.flavour().sockets_join(&self.key, &target, &join);
            self.encoded(env, out)
        })
    }

    #[napi]
    pub fn encode_sockets_leave(
        &self,
        env: &Env,
        nsp: String,
        rooms: Unknown,
        except: Unknown,
        flags: String,
        leave: Unknown,
    ) -> napi::Result<Encoded> {
        guard(env, || {
            let (target, leave) = rooms_request(env, &nsp, rooms, except, &flags, leave)?;
            let out = self.flavour().sockets_leave(&self.key, &target, &leave);
            self.encoded(env, out)
        })
    }

    #[napi]
    pub fn encode_disconnect_sockets(
        &self,
        env: &Env,
        nsp: String,
        rooms: Unknown,
        except: Unknown,
        flags: String,
        close: bool,
    ) -> napi::Result<Encoded> {
        guard(env, || {
            let target = target(env, &nsp, rooms, except, &flags)?;
            let out = self.flavour().disconnect_sockets(&self.key, &target, close);
            self.encoded(env, out)
        })
    }
}

impl NativeEmitter {
    fn op<'env>(&self, env: &'env Env, target: Target, op: Op) -> napi::Result<Object<'env>> {
        self.check_stack(env, &target, &op)?;
        // The call's budget (connect_timeout + response_timeout) starts now.
        let started = Instant::now();
        self.submit(
            env,
            |reply| Job::Op {
                target,
                op,
                reply,
                started,
            },
            Err(Error::Closed),
        )
    }

    /// `UNSUPPORTED` now, like the other refusals, when the servers' stack cannot honour the
    /// operation for this target (only the classic adapter's older stacks refuse any). Asks
    /// the core's encoder, without the arguments: what an older stack refuses never depends
    /// on them.
    fn check_stack(&self, env: &Env, target: &Target, op: &Op) -> napi::Result<()> {
        if !matches!(self.flavour(), Flavour::Legacy(_)) {
            return Ok(());
        }
        let key = &self.key;
        let checked = match op {
            Op::Emit(event, _) => self.flavour().broadcast(key, target, event, &[]),
            Op::ServerSideEmit(event, _) => {
                self.flavour().server_side_emit(key, target, event, &[])
            }
            Op::Join(rooms) => self.flavour().sockets_join(key, target, rooms),
            Op::Leave(rooms) => self.flavour().sockets_leave(key, target, rooms),
            Op::Disconnect(close) => self.flavour().disconnect_sockets(key, target, *close),
        };
        match checked {
            Err(e @ Error::Unsupported(_)) => Err(errors::to_napi(env, &e)),
            // Anything else is the connection task's to report, as before.
            _ => Ok(()),
        }
    }

    /// A promise settled by the connection task with the job's result (or at once with
    /// `offline` when there is no connection).
    fn submit<'env>(
        &self,
        env: &'env Env,
        job: impl FnOnce(Reply) -> Job,
        offline: Result<u64, Error>,
    ) -> napi::Result<Object<'env>> {
        let mut deferred = ptr::null_mut();
        let mut promise = ptr::null_mut();
        let status = unsafe { sys::napi_create_promise(env.raw(), &mut deferred, &mut promise) };
        if status != sys::Status::napi_ok {
            return Err(napi::Error::new(
                Status::from(status),
                "creating a promise failed",
            ));
        }
        match &self.link {
            Some((link, settler)) => link.send(job(settler.reply(env.raw(), deferred))),
            None => settle::settle(env.raw(), deferred, offline.map(settle::Settled::Count)),
        }
        Ok(Object::from_raw(env.raw(), promise))
    }

    /// An encoded output, refused like the core refuses it when it is larger than
    /// `max_payload_bytes`.
    fn encoded(&self, env: &Env, out: Result<Output, Error>) -> napi::Result<Encoded> {
        let out = out.map_err(|e| errors::to_napi(env, &e))?;
        if out.payload.len() > self.max_payload_bytes {
            let err = Error::Encode {
                path: "args".into(),
                reason: format!(
                    "the payload is {} bytes, more than max_payload_bytes ({})",
                    out.payload.len(),
                    self.max_payload_bytes
                ),
            };
            return Err(errors::to_napi(env, &err));
        }
        Ok(out.into())
    }

    #[allow(clippy::too_many_arguments)]
    fn emit_request(
        &self,
        env: &Env,
        nsp: &str,
        rooms: Unknown,
        except: Unknown,
        flags: &str,
        event: &str,
        args: Unknown,
    ) -> napi::Result<(Target, Vec<Value>)> {
        if RESERVED_EVENTS.contains(&event) {
            return Err(errors::to_napi(
                env,
                &Error::ReservedEvent(event.to_owned()),
            ));
        }
        let target = target(env, nsp, rooms, except, flags)?;
        Ok((target, self.values(env, Encoding::Msgpack, args)?))
    }

    fn server_side_request(
        &self,
        env: &Env,
        event: &str,
        args: Unknown,
    ) -> napi::Result<Vec<Value>> {
        if RESERVED_SERVER_SIDE_EVENTS.contains(&event) {
            return Err(errors::to_napi(
                env,
                &Error::ReservedEvent(event.to_owned()),
            ));
        }
        // Classic servers read JSON text (`emitter.js` made the values JSON already); sharded
        // and streams servers take the values as they are and write msgpack when they hold
        // binary, so the budget counts the smaller encoding.
        let encoding = match self.flavour().adapter() {
            // A connected emitter has resolved `auto`; an offline one encodes as classic.
            AdapterKind::Classic | AdapterKind::Auto => Encoding::Json,
            AdapterKind::Sharded | AdapterKind::Streams => Encoding::Msgpack,
        };
        self.values(env, encoding, args)
    }

    fn values(&self, env: &Env, encoding: Encoding, args: Unknown) -> napi::Result<Vec<Value>> {
        Walker::with_budget(env.raw(), encoding, self.max_payload_bytes)
            .args(args.raw())
            .map_err(|fail| match fail.into_core("args") {
                Ok(core) => errors::to_napi(env, &core),
                Err(js) => js,
            })
    }
}

/// Sending an empty event name is refused; `encode_*` still encode it like the official
/// emitter (golden vector `event_name_empty`).
fn check_sent_event(env: &Env, event: &str) -> napi::Result<()> {
    if event.is_empty() {
        return Err(errors::invalid_argument(
            env,
            "the event name must not be empty",
        ));
    }
    Ok(())
}

/// The target and the rooms of `sockets_join`/`sockets_leave`. The flags are kept: the
/// sharded adapter's servers send them in these requests too (the classic encoder leaves
/// them out, as the official emitter does).
fn rooms_request(
    env: &Env,
    nsp: &str,
    rooms: Unknown,
    except: Unknown,
    flags: &str,
    list: Unknown,
) -> napi::Result<(Target, Vec<Room>)> {
    let target = target(env, nsp, rooms, except, flags)?;
    Ok((target, rooms_of(env, list)?))
}

fn rooms_of(env: &Env, rooms: Unknown) -> napi::Result<Vec<Room>> {
    Walker::new(env.raw())
        .rooms(rooms.raw())
        .map_err(|reason| errors::invalid_argument(env, reason))
}

/// `flags` lists the flags in the order they were first set: `v` volatile, `C` compress
/// on, `c` compress off.
fn target(
    env: &Env,
    nsp: &str,
    rooms: Unknown,
    except: Unknown,
    flags: &str,
) -> napi::Result<Target> {
    let mut target = Target::new(nsp)
        .to(rooms_of(env, rooms)?)
        .except(rooms_of(env, except)?);
    for flag in flags.chars() {
        target = match flag {
            'v' => target.flag(Flag::Volatile, true),
            'C' => target.flag(Flag::Compress, true),
            'c' => target.flag(Flag::Compress, false),
            other => {
                return Err(errors::invalid_argument(
                    env,
                    format!("unknown flag {other:?}"),
                ));
            }
        };
    }
    Ok(target)
}
