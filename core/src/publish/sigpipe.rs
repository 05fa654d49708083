//! Writing to a socket whose peer is gone raises SIGPIPE, whose default action kills the
//! process. Rust programs and Python/Node ignore it, but a C, PHP, Go or Java host may not,
//! and a library must never kill its host. Our own threads block the signal for good; a
//! write on the caller's thread (the fast lane) blocks it for the call and consumes what
//! the call raised.
//!
//! The fast lane's I/O also holds the host's other asynchronous signals back for the length
//! of one command ([`uninterrupted`]): a handler installed without `SA_RESTART` (Python's,
//! Go's preemption signal) would otherwise interrupt the read of Redis's reply, and the
//! call would fail although Redis ran it. Held signals are delivered as the call returns.

/// Blocks SIGPIPE on the calling thread, for good. For threads the library owns (the
/// runtime's workers): a write to a dead peer then fails with EPIPE instead of killing
/// the process.
pub fn block_on_current_thread() {
    #[cfg(unix)]
    // SAFETY: plain libc calls on a local, initialised signal set.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGPIPE);
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
    }
}

/// Runs `f` with SIGPIPE blocked on this thread; a SIGPIPE that `f` raised is consumed
/// before the caller's mask is restored.
pub(crate) fn suppressed<T>(f: impl FnOnce() -> T) -> T {
    with_blocked(false, f)
}

/// [`suppressed`], also holding back every other asynchronous signal while `f` runs (for
/// socket I/O on the caller's thread, which a signal must not interrupt).
pub(crate) fn uninterrupted<T>(f: impl FnOnce() -> T) -> T {
    with_blocked(true, f)
}

fn with_blocked<T>(all_async: bool, f: impl FnOnce() -> T) -> T {
    #[cfg(unix)]
    // SAFETY: plain libc calls on local, initialised signal sets; the previous mask is
    // restored before returning.
    unsafe {
        let mut pipe: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut pipe);
        libc::sigaddset(&mut pipe, libc::SIGPIPE);
        let mut held: libc::sigset_t = std::mem::zeroed();
        if all_async {
            libc::sigfillset(&mut held);
            // Faults raised by the code itself must stay deliverable.
            for sync in [
                libc::SIGSEGV,
                libc::SIGBUS,
                libc::SIGFPE,
                libc::SIGILL,
                libc::SIGTRAP,
                libc::SIGSYS,
                libc::SIGABRT,
            ] {
                libc::sigdelset(&mut held, sync);
            }
        } else {
            held = pipe;
        }
        let mut old: libc::sigset_t = std::mem::zeroed();
        if libc::pthread_sigmask(libc::SIG_BLOCK, &held, &mut old) != 0 {
            return f();
        }
        let out = f();
        // A SIGPIPE the host had not blocked was raised by our write: consume it.
        if libc::sigismember(&old, libc::SIGPIPE) == 0 {
            let mut pending: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut pending);
            if libc::sigpending(&mut pending) == 0
                && libc::sigismember(&pending, libc::SIGPIPE) == 1
            {
                let now = libc::timespec {
                    tv_sec: 0,
                    tv_nsec: 0,
                };
                libc::sigtimedwait(&pipe, std::ptr::null_mut(), &now);
            }
        }
        libc::pthread_sigmask(libc::SIG_SETMASK, &old, std::ptr::null_mut());
        out
    }
    #[cfg(not(unix))]
    {
        let _ = all_async;
        f()
    }
}
