//! Asking the cluster: the core's answers handed to Python as the frozen result classes of
//! `socketio_emitter._ask`, built from the answers' JSON form (one conversion path for the
//! blocking and the asyncio emitter).

use std::time::Duration;

use pyo3::prelude::*;

/// How long a call waits for the servers' answers when the caller does not say: like a
/// Socket.IO server's own `requestsTimeout`.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// The `timeout` argument: seconds (int, float or timedelta), 5 when `None`.
pub(crate) fn timeout(value: Option<&Bound<'_, PyAny>>) -> PyResult<Duration> {
    Ok(crate::common::timeout(value)?.unwrap_or(DEFAULT_TIMEOUT))
}

/// One answer, and the name of the class of `socketio_emitter._ask` that holds it.
pub(crate) struct Answer {
    class: &'static str,
    /// Its JSON text (`to_json` of the core result).
    json: String,
}

impl Answer {
    pub(crate) fn sockets(found: socketio_emitter::ask::Fetched) -> Answer {
        Answer {
            class: "FetchedSockets",
            json: found.to_json().to_string(),
        }
    }

    pub(crate) fn rooms(rooms: socketio_emitter::ask::Rooms) -> Answer {
        Answer {
            class: "AllRooms",
            json: rooms.to_json().to_string(),
        }
    }

    pub(crate) fn server_acks(acks: socketio_emitter::ask::Acks) -> Answer {
        Answer {
            class: "ServerAcks",
            json: acks.to_json().to_string(),
        }
    }

    pub(crate) fn client_acks(acks: socketio_emitter::ask::BroadcastAcks) -> Answer {
        Answer {
            class: "ClientAcks",
            json: acks.to_json().to_string(),
        }
    }
}

impl<'py> IntoPyObject<'py> for Answer {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        // json.loads gives exactly Python's natural values (dict, list, str, int, float,
        // bool, None) and is fast; the answers are small next to a round trip to Redis.
        let data = py.import("json")?.call_method1("loads", (self.json,))?;
        py.import("socketio_emitter._ask")?
            .getattr(self.class)?
            .call_method1("_from_json", (data,))
    }
}
