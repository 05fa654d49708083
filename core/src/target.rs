//! Who receives an operation: namespace, rooms, excluded rooms and flags. Immutable: every
//! modifier returns a new value, so a half-built target can be shared and reused.

use std::sync::Arc;

use indexmap::IndexSet;

use crate::value::Room;

/// A broadcast flag, in the order the caller set it (the official emitter's map order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    Volatile,
    Compress,
}

impl Flag {
    pub fn name(self) -> &'static str {
        match self {
            Flag::Volatile => "volatile",
            Flag::Compress => "compress",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    nsp: Arc<str>,
    rooms: Arc<IndexSet<Room>>,
    except: Arc<IndexSet<Room>>,
    /// Set flags in first-set order; setting one again keeps its position (JS object semantics).
    flags: Vec<(Flag, bool)>,
}

impl Default for Target {
    fn default() -> Self {
        Target::new("/")
    }
}

impl Target {
    /// A target for every socket of `nsp`, used exactly as given (like the official
    /// `Emitter` constructor).
    pub fn new(nsp: &str) -> Target {
        Target {
            nsp: nsp.into(),
            rooms: Arc::default(),
            except: Arc::default(),
            flags: Vec::new(),
        }
    }

    /// The official `of()`: a leading `/` is added when missing. Rooms, exclusions and flags
    /// start empty again.
    pub fn of(&self, nsp: &str) -> Target {
        Target::new(&normalize_namespace(nsp))
    }

    pub fn to(&self, rooms: impl IntoIterator<Item = Room>) -> Target {
        let mut set = (*self.rooms).clone();
        set.extend(rooms);
        Target {
            rooms: Arc::new(set),
            ..self.clone()
        }
    }

    pub fn except(&self, rooms: impl IntoIterator<Item = Room>) -> Target {
        let mut set = (*self.except).clone();
        set.extend(rooms);
        Target {
            except: Arc::new(set),
            ..self.clone()
        }
    }

    pub fn flag(&self, flag: Flag, value: bool) -> Target {
        let mut flags = self.flags.clone();
        match flags.iter_mut().find(|(f, _)| *f == flag) {
            Some(slot) => slot.1 = value,
            None => flags.push((flag, value)),
        }
        Target {
            flags,
            ..self.clone()
        }
    }

    pub fn namespace(&self) -> &str {
        &self.nsp
    }

    pub fn rooms(&self) -> &IndexSet<Room> {
        &self.rooms
    }

    pub fn excepted(&self) -> &IndexSet<Room> {
        &self.except
    }

    pub fn flags(&self) -> &[(Flag, bool)] {
        &self.flags
    }
}

/// Adds the leading `/` Socket.IO namespaces always have.
pub fn normalize_namespace(nsp: &str) -> String {
    if nsp.starts_with('/') {
        nsp.to_owned()
    } else {
        format!("/{nsp}")
    }
}
