//! The native half of `Emitter`: one object per connection (or an offline encoder). The
//! JavaScript layer (`emitter.js`) keeps the immutable target (namespace, rooms, exclusions,
//! flags) and passes it with each call; everything that can be refused is checked here,
//! synchronously, before a promise exists.

use std::ptr;
use std::sync::Arc;
use std::time::Duration;

use napi::bindgen_prelude::{Buffer, Object};
use napi::{Env, JsValue, Status, Unknown, sys};
use napi_derive::napi;
use socketio_emitter::adapter::{Output, RESERVED_EVENTS, RESERVED_SERVER_SIDE_EVENTS, classic};
use socketio_emitter::{EmitterConfig, Error, Flag, Room, Target, Value};

use crate::convert::Walker;
use crate::dispatch::{Job, Link, Op, Reply};
use crate::errors;
use crate::settle::{self, Settler};

/// Connection options, already checked and normalised by `emitter.js`; durations are in
/// milliseconds.
#[napi(object)]
#[derive(Debug, Default)]
pub struct NativeOptions {
    pub key: Option<String>,
    pub tls_ca_pem: Option<String>,
    pub connect_timeout_ms: Option<f64>,
    pub response_timeout_ms: Option<f64>,
    pub reconnect_min_delay_ms: Option<f64>,
    pub reconnect_max_delay_ms: Option<f64>,
    pub reconnect_attempts: Option<u32>,
    pub require_receivers: Option<bool>,
}

/// What an operation would publish: the channel and the exact payload bytes.
#[napi(object)]
pub struct Encoded {
    pub channel: String,
    pub payload: Buffer,
}

impl std::fmt::Debug for Encoded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encoded")
            .field("channel", &self.channel)
            .field("payload_len", &self.payload.len())
            .finish()
    }
}

impl From<Output> for Encoded {
    fn from(out: Output) -> Encoded {
        Encoded {
            channel: out.channel,
            payload: out.payload.into(),
        }
    }
}

/// One Redis connection (or none, for an offline encoder) and its channel prefix.
#[napi]
#[derive(Debug)]
pub struct NativeEmitter {
    /// The connection task and the settler of its promises; `None` offline.
    link: Option<(Link, Arc<Settler>)>,
    key: String,
}

fn ms(value: Option<f64>, default: Duration) -> Duration {
    match value {
        Some(v) if v.is_finite() && v > 0.0 => Duration::from_secs_f64(v / 1000.0),
        _ => default,
    }
}

#[napi]
impl NativeEmitter {
    /// Starts the connection task; the connection itself is opened by the first operation.
    #[napi(constructor)]
    pub fn new(env: &Env, url: String, options: NativeOptions) -> napi::Result<NativeEmitter> {
        let mut config = EmitterConfig::new(url);
        if let Some(key) = options.key {
            config = config.with_key(key);
        }
        if let Some(pem) = options.tls_ca_pem {
            config = config.with_tls_ca_pem(pem.into_bytes());
        }
        config.connect_timeout = ms(options.connect_timeout_ms, config.connect_timeout);
        config.response_timeout = ms(options.response_timeout_ms, config.response_timeout);
        config.reconnect_min_delay = ms(options.reconnect_min_delay_ms, config.reconnect_min_delay);
        config.reconnect_max_delay = ms(options.reconnect_max_delay_ms, config.reconnect_max_delay);
        if let Some(attempts) = options.reconnect_attempts {
            config.reconnect_attempts = attempts as usize;
        }
        if let Some(require) = options.require_receivers {
            config = config.with_require_receivers(require);
        }
        let key = config.key.clone();
        let settler = Settler::new(env.raw())?;
        Ok(NativeEmitter {
            link: Some((Link::start(config), settler)),
            key,
        })
    }

    /// An emitter that only encodes; every publish fails with `CLOSED`.
    #[napi(factory)]
    pub fn offline(key: String) -> NativeEmitter {
        NativeEmitter { link: None, key }
    }

    #[napi(getter)]
    pub fn key(&self) -> String {
        self.key.clone()
    }

    /// Resolves once connected (connecting now if needed).
    #[napi(ts_return_type = "Promise<number>")]
    pub fn ready<'env>(&self, env: &'env Env) -> napi::Result<Object<'env>> {
        self.submit(env, Job::Ready, Err(Error::Closed))
    }

    /// Finishes what is in flight, then closes; later operations fail with `CLOSED`.
    #[napi(ts_return_type = "Promise<number>")]
    pub fn close<'env>(&self, env: &'env Env) -> napi::Result<Object<'env>> {
        self.submit(env, Job::Close, Ok(0))
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
        let (target, args) = emit_request(env, &nsp, rooms, except, &flags, &event, args)?;
        self.op(env, target, Op::Emit(event, args))
    }

    #[napi(ts_return_type = "Promise<number>")]
    pub fn server_side_emit<'env>(
        &self,
        env: &'env Env,
        nsp: String,
        event: String,
        args: Unknown,
    ) -> napi::Result<Object<'env>> {
        let args = server_side_request(env, &event, args)?;
        self.op(env, Target::new(&nsp), Op::ServerSideEmit(event, args))
    }

    #[napi(ts_return_type = "Promise<number>")]
    pub fn sockets_join<'env>(
        &self,
        env: &'env Env,
        nsp: String,
        rooms: Unknown,
        except: Unknown,
        join: Unknown,
    ) -> napi::Result<Object<'env>> {
        let (target, join) = rooms_request(env, &nsp, rooms, except, join)?;
        self.op(env, target, Op::Join(join))
    }

    #[napi(ts_return_type = "Promise<number>")]
    pub fn sockets_leave<'env>(
        &self,
        env: &'env Env,
        nsp: String,
        rooms: Unknown,
        except: Unknown,
        leave: Unknown,
    ) -> napi::Result<Object<'env>> {
        let (target, leave) = rooms_request(env, &nsp, rooms, except, leave)?;
        self.op(env, target, Op::Leave(leave))
    }

    #[napi(ts_return_type = "Promise<number>")]
    pub fn disconnect_sockets<'env>(
        &self,
        env: &'env Env,
        nsp: String,
        rooms: Unknown,
        except: Unknown,
        close: bool,
    ) -> napi::Result<Object<'env>> {
        let target = target(env, &nsp, rooms, except, "")?;
        self.op(env, target, Op::Disconnect(close))
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
        let (target, args) = emit_request(env, &nsp, rooms, except, &flags, &event, args)?;
        let out = classic::broadcast(&self.key, &target, &event, &args);
        out.map(Encoded::from).map_err(|e| errors::to_napi(env, &e))
    }

    #[napi]
    pub fn encode_server_side_emit(
        &self,
        env: &Env,
        nsp: String,
        event: String,
        args: Unknown,
    ) -> napi::Result<Encoded> {
        let args = server_side_request(env, &event, args)?;
        let out = classic::server_side_emit(&self.key, &Target::new(&nsp), &event, &args);
        out.map(Encoded::from).map_err(|e| errors::to_napi(env, &e))
    }

    #[napi]
    pub fn encode_sockets_join(
        &self,
        env: &Env,
        nsp: String,
        rooms: Unknown,
        except: Unknown,
        join: Unknown,
    ) -> napi::Result<Encoded> {
        let (target, join) = rooms_request(env, &nsp, rooms, except, join)?;
        Ok(classic::sockets_join(&self.key, &target, &join).into())
    }

    #[napi]
    pub fn encode_sockets_leave(
        &self,
        env: &Env,
        nsp: String,
        rooms: Unknown,
        except: Unknown,
        leave: Unknown,
    ) -> napi::Result<Encoded> {
        let (target, leave) = rooms_request(env, &nsp, rooms, except, leave)?;
        Ok(classic::sockets_leave(&self.key, &target, &leave).into())
    }

    #[napi]
    pub fn encode_disconnect_sockets(
        &self,
        env: &Env,
        nsp: String,
        rooms: Unknown,
        except: Unknown,
        close: bool,
    ) -> napi::Result<Encoded> {
        let target = target(env, &nsp, rooms, except, "")?;
        Ok(classic::disconnect_sockets(&self.key, &target, close).into())
    }
}

impl NativeEmitter {
    fn op<'env>(&self, env: &'env Env, target: Target, op: Op) -> napi::Result<Object<'env>> {
        self.submit(
            env,
            |reply| Job::Op { target, op, reply },
            Err(Error::Closed),
        )
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
            None => settle::settle(env.raw(), deferred, offline),
        }
        Ok(Object::from_raw(env.raw(), promise))
    }
}

fn emit_request(
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
    Ok((target, values(env, args)?))
}

/// The target and the rooms of `sockets_join`/`sockets_leave`.
fn rooms_request(
    env: &Env,
    nsp: &str,
    rooms: Unknown,
    except: Unknown,
    list: Unknown,
) -> napi::Result<(Target, Vec<Room>)> {
    let target = target(env, nsp, rooms, except, "")?;
    Ok((target, rooms_of(env, list)?))
}

fn server_side_request(env: &Env, event: &str, args: Unknown) -> napi::Result<Vec<Value>> {
    if RESERVED_SERVER_SIDE_EVENTS.contains(&event) {
        return Err(errors::to_napi(
            env,
            &Error::ReservedEvent(event.to_owned()),
        ));
    }
    values(env, args)
}

fn values(env: &Env, args: Unknown) -> napi::Result<Vec<Value>> {
    Walker::new(env.raw())
        .args(args.raw())
        .map_err(|fail| match fail.into_core("args") {
            Ok(core) => errors::to_napi(env, &core),
            Err(js) => js,
        })
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
