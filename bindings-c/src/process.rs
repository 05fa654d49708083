//! Process awareness: an emitter belongs to the process that connected it (its I/O thread
//! does not survive `fork()`), and persistent connections are shared per process.

use std::sync::Mutex;

use socketio_emitter::blocking::Emitter;

use crate::error::Outcome;
use crate::options::sioe_options;

/// One persistent connection: who opened it, for which URL and options.
struct Entry {
    pid: u32,
    url: String,
    opts: sioe_options,
    emitter: Emitter,
}

static PERSISTENT: Mutex<Vec<Entry>> = Mutex::new(Vec::new());

/// Emitters inherited through `fork()` and released in the child: their I/O thread does not
/// exist here, so tearing their runtime down could hang. They are kept, unused, until the
/// process ends (reachable, so leak checkers do not report them).
static ORPHANS: Mutex<Vec<Emitter>> = Mutex::new(Vec::new());

fn orphan(emitter: Emitter) {
    ORPHANS
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(emitter);
}

/// An emitter tied to the process that created it.
#[derive(Debug, Clone)]
pub(crate) struct Owned {
    pub pid: u32,
    pub emitter: Emitter,
}

impl Owned {
    pub(crate) fn new(emitter: Emitter) -> Owned {
        Owned {
            pid: std::process::id(),
            emitter,
        }
    }

    pub(crate) fn in_this_process(&self) -> bool {
        self.pid == std::process::id()
    }
}

impl Drop for Owned {
    fn drop(&mut self) {
        if !self.in_this_process() {
            orphan(self.emitter.clone());
        }
    }
}

/// The shared connection for (url, opts) in this process, opened by `open` when missing
/// or closed.
pub(crate) fn persistent(
    url: &str,
    opts: &sioe_options,
    open: impl FnOnce() -> Outcome<Emitter>,
) -> Outcome<Emitter> {
    let pid = std::process::id();
    let mut table = PERSISTENT.lock().unwrap_or_else(|p| p.into_inner());
    // Entries inherited through fork() are unusable here and must not be dropped.
    for stale in table.extract_if(.., |e| e.pid != pid) {
        orphan(stale.emitter.clone());
    }
    table.retain(|e| !e.emitter.is_closed());
    if let Some(e) = table.iter().find(|e| e.url == url && e.opts == *opts) {
        return Ok(e.emitter.clone());
    }
    let emitter = open()?;
    table.push(Entry {
        pid,
        url: url.to_owned(),
        opts: opts.clone(),
        emitter: emitter.clone(),
    });
    Ok(emitter)
}
