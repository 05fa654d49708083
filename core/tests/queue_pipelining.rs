//! The queue keeps more than one pipeline in flight: emits spanning many batches must still
//! reach the clients exactly once each, in the order they were queued.

use std::sync::OnceLock;

use interop_harness::{Harness, Json, json};
use socketio_emitter::args;
use socketio_emitter::blocking::Emitter;

/// Several times the queue's batch size (512), so that batches overlap.
const COUNT: i64 = 5000;

fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| Harness::start(&["--servers", "1"]))
}

fn arrived_in_order(client: &str) {
    let h = harness();
    h.flush();
    let got: Vec<Json> = h
        .events(client)
        .into_iter()
        .map(|(_, a)| a[0].clone())
        .collect();
    assert_eq!(got.len() as i64, COUNT, "{client}: every emit arrived once");
    assert!(
        got.iter().enumerate().all(|(i, v)| *v == json!(i)),
        "{client}: in the order queued"
    );
}

#[test]
fn many_batches_arrive_once_each_in_order() {
    let h = harness();
    h.client("many", 0, "/many", json!([]));
    h.request(json!({"cmd": "wait_subscribed", "nsp": "/many"}));
    let io = Emitter::connect(&h.redis_url).unwrap().of("/many");
    for i in 0..COUNT {
        io.emit_nowait("n", &args![i]).unwrap();
    }
    let report = io.flush().unwrap();
    assert_eq!(report.sent, COUNT as u64);
    assert_eq!(report.receivers, COUNT as u64);
    io.close().unwrap();
    arrived_in_order("many");
}

#[test]
fn many_async_queued_batches_arrive_once_each_in_order() {
    let h = harness();
    h.client("many-async", 0, "/many-async", json!([]));
    h.request(json!({"cmd": "wait_subscribed", "nsp": "/many-async"}));
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let io = socketio_emitter::Emitter::connect(&h.redis_url)
            .await
            .unwrap()
            .of("/many-async");
        for i in 0..COUNT {
            io.emit_queued("n", &args![i]).await.unwrap();
        }
        assert_eq!(io.flush().await.unwrap().sent, COUNT as u64);
        io.close().await.unwrap();
    });
    arrived_in_order("many-async");
}
