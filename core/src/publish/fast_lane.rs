//! The blocking callers' fast path: one plain synchronous connection, used from the calling
//! thread. A blocking call through the multiplexed connection hands the command to the I/O
//! thread and waits to be woken (measured by `make bench`: 3.2 context switches and 46 µs of
//! CPU per emit, against 1 and 14 µs for redis-benchmark's loop); this lane does one write
//! and one read on the caller's own thread instead.
//!
//! One caller uses it at a time. A caller that finds it busy, broken or not yet connected
//! gets `None` and takes the multiplexed path, so concurrent callers are still pipelined and
//! reconnection with backoff stays where it was. Each call completes before the next one of
//! the same thread starts, so a thread's operations keep their order whichever lane they use.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::connection::Health;
use super::fate::is_broken_pipe;
use super::sigpipe;

/// After the lane fails to connect, how long callers use the multiplexed path before the
/// lane tries again (keeps a down Redis from costing every call a connection attempt).
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// A connection unused this long is checked with a PING before a command is sent on it.
/// Redis may have closed it meanwhile, and a command written to a socket whose peer is gone
/// is still "written": only the missing answer tells, and then it cannot be known whether
/// Redis ran it. A failed PING says the same thing about nothing the caller sent. At most
/// one PING per this interval, so a steady stream of calls never pays for it.
const CHECK_AFTER_IDLE: Duration = Duration::from_millis(20);

enum State {
    /// Not connected; may connect now.
    Idle,
    Connected {
        conn: redis::Connection,
        pid: u32,
        /// The multiplexed connection's disconnect count when this one connected: when
        /// it moves, Redis went away meanwhile and this socket is presumed dead.
        generation: u64,
        /// When it last answered.
        last_answer: Instant,
    },
    /// Not before this instant.
    Resting(Instant),
}

pub(crate) struct FastLane {
    /// Where the multiplexed connection goes now (behind Sentinel, it follows failovers).
    server: Arc<Mutex<redis::Client>>,
    connect_timeout: Duration,
    response_timeout: Duration,
    health: Arc<Health>,
    state: Mutex<State>,
}

impl FastLane {
    pub(crate) fn new(
        server: Arc<Mutex<redis::Client>>,
        connect_timeout: Duration,
        response_timeout: Duration,
        health: Arc<Health>,
    ) -> FastLane {
        FastLane {
            server,
            connect_timeout,
            response_timeout,
            health,
            state: Mutex::new(State::Idle),
        }
    }

    /// Runs `cmd` on the lane; `None` when the lane is busy or unavailable, or when the
    /// command certainly did not reach Redis (then the caller sends it the other way,
    /// within the same `deadline`).
    pub(crate) fn try_query<T>(
        &self,
        run: impl FnOnce(&mut redis::Connection) -> redis::RedisResult<T>,
        deadline: Instant,
    ) -> Option<redis::RedisResult<T>> {
        let mut state = self.state.try_lock().ok()?;
        let pid = std::process::id();
        if let State::Connected { pid: owner, .. } = &*state
            && *owner != pid
        {
            // A forked child must not touch its parent's socket: leave it, unclosed.
            if let State::Connected { conn, .. } = std::mem::replace(&mut *state, State::Idle) {
                std::mem::forget(conn);
            }
        }
        let generation = self.health.disconnects.load(Ordering::Acquire);
        if let State::Connected {
            generation: seen, ..
        } = &*state
            && *seen != generation
        {
            *state = State::Idle;
        }
        if let State::Resting(until) = *state {
            if Instant::now() < until {
                return None;
            }
            *state = State::Idle;
        }
        let remaining = deadline.checked_duration_since(Instant::now())?;
        if matches!(*state, State::Idle) {
            match self.connect(remaining) {
                Ok(conn) => {
                    *state = State::Connected {
                        conn,
                        pid,
                        generation,
                        last_answer: Instant::now(),
                    }
                }
                Err(_) => {
                    *state = State::Resting(Instant::now() + RETRY_AFTER);
                    return None;
                }
            }
        }
        let State::Connected {
            conn, last_answer, ..
        } = &mut *state
        else {
            return None;
        };
        let remaining = deadline.checked_duration_since(Instant::now())?;
        if remaining < self.response_timeout {
            // The caller's budget is shorter than a full response timeout: honour it.
            let bound = remaining.max(Duration::from_millis(1));
            let _ = conn.set_read_timeout(Some(bound));
            let _ = conn.set_write_timeout(Some(bound));
        }
        if last_answer.elapsed() >= CHECK_AFTER_IDLE {
            let ping = sigpipe::uninterrupted(|| redis::cmd("PING").query::<redis::Value>(conn));
            if ping.is_err() {
                // Gone while idle: nothing of the caller's was sent; the multiplexed path
                // reconnects (or reports Redis unreachable) within the same deadline.
                *state = State::Idle;
                return None;
            }
            *last_answer = Instant::now();
        }
        // A socket write to a dead peer would raise SIGPIPE in hosts that keep its default,
        // and a host's signal handler must not interrupt the read of the reply.
        let result = sigpipe::uninterrupted(|| run(conn));
        if remaining < self.response_timeout {
            let _ = conn.set_read_timeout(Some(self.response_timeout));
            let _ = conn.set_write_timeout(Some(self.response_timeout));
        }
        if let Err(e) = &result
            && (e.is_unrecoverable_error() || e.is_io_error() || e.is_timeout())
        {
            // The connection is gone; the next call reconnects.
            *state = State::Idle;
            if is_broken_pipe(e) {
                // A failed write means the whole command never reached Redis (each call
                // is answered before the next): the caller may send it the other way.
                return None;
            }
        }
        if result.is_ok()
            && let State::Connected { last_answer, .. } = &mut *state
        {
            *last_answer = Instant::now();
        }
        Some(result)
    }

    fn connect(&self, remaining: Duration) -> redis::RedisResult<redis::Connection> {
        let client = self
            .server
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let conn = client.get_connection_with_timeout(self.connect_timeout.min(remaining))?;
        conn.set_read_timeout(Some(self.response_timeout))?;
        conn.set_write_timeout(Some(self.response_timeout))?;
        Ok(conn)
    }
}
