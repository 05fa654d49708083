//! Settles a connection's promises in batches.
//!
//! Each operation's promise is a plain `napi_create_promise`. When an operation finishes (on
//! a tokio thread), its result is pushed into the connection's [`Hub`]; only the push that
//! finds the hub empty wakes the JavaScript thread, through the one threadsafe function of
//! the connection, and that wake-up settles every result gathered by then. So a burst of
//! operations costs one wake-up of the event loop per batch, not one threadsafe function
//! (created, woken, closed) per promise.
//!
//! The threadsafe function is referenced (keeps Node's event loop alive) exactly while some
//! promise of the connection is pending, as napi-rs's per-promise threadsafe functions did.

use std::ffi::{c_char, c_void};
use std::ptr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use napi::{Status, sys};
use socketio_emitter::Error;

use crate::errors;

/// A promise's resolver. Used only on the JavaScript thread; carried through the tokio
/// threads as an opaque pointer.
struct Deferred(sys::napi_deferred);

// SAFETY: the pointer is never dereferenced off the JavaScript thread; it only travels.
unsafe impl Send for Deferred {}

struct Tsfn(sys::napi_threadsafe_function);

// SAFETY: threadsafe functions are made to be called from any thread.
unsafe impl Send for Tsfn {}

/// What a promise resolves to: a count (every operation), or JSON text that `emitter.js`
/// parses (the answers of the cluster).
pub(crate) enum Settled {
    Count(u64),
    Json(String),
}

struct Done {
    deferred: Deferred,
    result: Result<Settled, Error>,
}

struct Queue {
    done: Vec<Done>,
    /// A call of the threadsafe function is on its way and will take `done`.
    scheduled: bool,
    /// `None` once Node finalized the threadsafe function (environment teardown).
    tsfn: Option<Tsfn>,
}

/// What the threadsafe function's callback and the tokio threads share. The threadsafe
/// function owns one reference (freed by its finalizer).
struct Hub {
    queue: Mutex<Queue>,
    /// Promises created and not settled yet. Touched on the JavaScript thread only.
    pending: AtomicUsize,
}

impl Hub {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// One connection's settler: owned by the native emitter and by every pending [`Reply`].
/// When the last one goes, the threadsafe function is released (it closes once it has
/// delivered what is queued).
pub(crate) struct Settler {
    hub: Arc<Hub>,
    tsfn: sys::napi_threadsafe_function,
}

// SAFETY: see `Tsfn`; `tsfn` is used here only for ref/unref on the JavaScript thread and
// for the release, which any thread may do.
unsafe impl Send for Settler {}
unsafe impl Sync for Settler {}

impl std::fmt::Debug for Settler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settler").finish_non_exhaustive()
    }
}

fn check(status: sys::napi_status) -> napi::Result<()> {
    if status == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(napi::Error::new(Status::from(status), "N-API call failed"))
    }
}

impl Settler {
    pub(crate) fn new(env: sys::napi_env) -> napi::Result<Arc<Settler>> {
        let hub = Arc::new(Hub {
            queue: Mutex::new(Queue {
                done: Vec::new(),
                scheduled: false,
                tsfn: None,
            }),
            pending: AtomicUsize::new(0),
        });
        let name = "socketio-emitter";
        let mut js_name = ptr::null_mut();
        check(unsafe {
            sys::napi_create_string_utf8(
                env,
                name.as_ptr().cast::<c_char>(),
                name.len() as isize,
                &mut js_name,
            )
        })?;
        let context = Arc::into_raw(hub.clone()).cast_mut().cast::<c_void>();
        let mut tsfn = ptr::null_mut();
        let status = unsafe {
            sys::napi_create_threadsafe_function(
                env,
                ptr::null_mut(),
                ptr::null_mut(),
                js_name,
                0,
                1,
                context,
                Some(finalize),
                context,
                Some(deliver),
                &mut tsfn,
            )
        };
        if let Err(e) = check(status) {
            // SAFETY: the threadsafe function was not created, so its reference is ours.
            drop(unsafe { Arc::from_raw(context.cast::<Hub>()) });
            return Err(e);
        }
        hub.lock().tsfn = Some(Tsfn(tsfn));
        // Referenced only while a promise is pending.
        check(unsafe { sys::napi_unref_threadsafe_function(env, tsfn) })?;
        Ok(Arc::new(Settler { hub, tsfn }))
    }

    /// A new pending promise, settled later through `Reply::send`. JavaScript thread only.
    pub(crate) fn reply(
        self: &Arc<Settler>,
        env: sys::napi_env,
        deferred: sys::napi_deferred,
    ) -> Reply {
        if self.hub.pending.fetch_add(1, Ordering::Relaxed) == 0 {
            unsafe { sys::napi_ref_threadsafe_function(env, self.tsfn) };
        }
        Reply {
            deferred: Some(Deferred(deferred)),
            settler: self.clone(),
        }
    }

    fn push(&self, deferred: Deferred, result: Result<Settled, Error>) {
        let mut queue = self.hub.lock();
        queue.done.push(Done { deferred, result });
        if queue.scheduled {
            return;
        }
        if let Some(tsfn) = &queue.tsfn {
            // Under the lock: the finalizer (which takes it) cannot free the function now.
            let status = unsafe {
                sys::napi_call_threadsafe_function(
                    tsfn.0,
                    ptr::null_mut(),
                    sys::ThreadsafeFunctionCallMode::nonblocking,
                )
            };
            // Anything else means Node is closing it: nothing will run JavaScript again.
            queue.scheduled = status == sys::Status::napi_ok;
        }
    }
}

impl Drop for Settler {
    fn drop(&mut self) {
        let queue = self.hub.lock();
        if queue.tsfn.is_some() {
            unsafe {
                sys::napi_release_threadsafe_function(
                    self.tsfn,
                    sys::ThreadsafeFunctionReleaseMode::release,
                )
            };
        }
    }
}

/// Where one operation's result goes. Dropped unsent (a task that could not run it), it
/// settles with `CLOSED`, so no promise stays pending forever.
pub(crate) struct Reply {
    deferred: Option<Deferred>,
    settler: Arc<Settler>,
}

impl Reply {
    pub(crate) fn send(self, result: Result<u64, Error>) {
        self.settle(result.map(Settled::Count));
    }

    /// Resolves with JSON text (the answers of the cluster).
    pub(crate) fn send_json(self, result: Result<String, Error>) {
        self.settle(result.map(Settled::Json));
    }

    fn settle(mut self, result: Result<Settled, Error>) {
        if let Some(deferred) = self.deferred.take() {
            self.settler.push(deferred, result);
        }
    }
}

impl Drop for Reply {
    fn drop(&mut self) {
        if let Some(deferred) = self.deferred.take() {
            self.settler.push(deferred, Err(Error::Closed));
        }
    }
}

/// Settles one promise now. JavaScript thread only.
pub(crate) fn settle(
    env: sys::napi_env,
    deferred: sys::napi_deferred,
    result: Result<Settled, Error>,
) {
    unsafe {
        match result {
            Ok(settled) => {
                let mut value = ptr::null_mut();
                let status = match &settled {
                    Settled::Count(n) => sys::napi_create_double(env, *n as f64, &mut value),
                    Settled::Json(text) => sys::napi_create_string_utf8(
                        env,
                        text.as_ptr().cast::<c_char>(),
                        text.len() as isize,
                        &mut value,
                    ),
                };
                if status == sys::Status::napi_ok {
                    sys::napi_resolve_deferred(env, deferred, value);
                }
            }
            Err(e) => {
                sys::napi_reject_deferred(env, deferred, errors::value(env, &e));
            }
        }
    }
}

/// Results settled per handle scope: a large batch does not hold every handle at once.
const SCOPE_BATCH: usize = 256;

/// The threadsafe function's callback, on the JavaScript thread: settles everything
/// gathered so far.
unsafe extern "C" fn deliver(
    env: sys::napi_env,
    _js_callback: sys::napi_value,
    context: *mut c_void,
    _data: *mut c_void,
) {
    if env.is_null() || context.is_null() {
        return; // The function is being torn down.
    }
    // SAFETY: `context` is the hub reference the threadsafe function owns until `finalize`.
    let hub = unsafe { &*context.cast::<Hub>() };
    let (done, tsfn) = {
        let mut queue = hub.lock();
        queue.scheduled = false;
        let capacity = queue.done.capacity();
        let done = std::mem::replace(&mut queue.done, Vec::with_capacity(capacity.min(4096)));
        (done, queue.tsfn.as_ref().map(|t| t.0))
    };
    let settled = done.len();
    let mut items = done.into_iter();
    loop {
        let mut scope = ptr::null_mut();
        if unsafe { sys::napi_open_handle_scope(env, &mut scope) } != sys::Status::napi_ok {
            scope = ptr::null_mut();
        }
        let mut any = false;
        for done in items.by_ref().take(SCOPE_BATCH) {
            any = true;
            settle(env, done.deferred.0, done.result);
        }
        if !scope.is_null() {
            unsafe { sys::napi_close_handle_scope(env, scope) };
        }
        if !any {
            break;
        }
    }
    let before = hub.pending.fetch_sub(settled, Ordering::Relaxed);
    if before == settled
        && let Some(tsfn) = tsfn
    {
        unsafe { sys::napi_unref_threadsafe_function(env, tsfn) };
    }
}

/// Node is done with the threadsafe function (released, or the environment is going away).
unsafe extern "C" fn finalize(_env: sys::napi_env, data: *mut c_void, _hint: *mut c_void) {
    // SAFETY: `data` is the reference given to the threadsafe function in `Settler::new`.
    let hub = unsafe { Arc::from_raw(data.cast::<Hub>()) };
    hub.lock().tsfn = None;
}
