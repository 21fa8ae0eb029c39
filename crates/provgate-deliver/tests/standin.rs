//! The stand-ins serve sync tests and both tokio flavours alike, and stop when dropped.

use provgate_deliver::PatchworkState;
use provgate_deliver::Secret;
use provgate_deliver::patchwork::{Check, Client};
use provgate_deliver::standin::{PatchworkStandin, StandinPatch, StandinSeries};

fn seeded() -> PatchworkStandin {
    let standin = PatchworkStandin::start("t");
    standin.add_series(StandinSeries {
        id: 1,
        project: "p".into(),
        name: None,
        version: 1,
        date: "2026-06-01T00:00:00".into(),
        received_all: true,
        cover_letter: None,
        patches: vec![StandinPatch {
            id: 10,
            msgid: "a@b".into(),
            name: "[PATCH] a".into(),
        }],
        mbox: Vec::new(),
    });
    standin
}

async fn post(standin: &PatchworkStandin) {
    let client = Client::new(&standin.url(), Some(Secret::new("t"))).unwrap();
    client
        .post_check(10, &Check::new(PatchworkState::Success, "provgate"))
        .await
        .unwrap();
}

#[test]
fn from_a_sync_test() {
    let standin = seeded();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(post(&standin));
    assert_eq!(standin.checks(10).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn from_a_multi_threaded_runtime() {
    let standin = seeded();
    post(&standin).await;
    assert_eq!(standin.checks(10).len(), 1);
}

#[tokio::test]
async fn dropped_it_is_gone() {
    let standin = seeded();
    post(&standin).await;
    let addr = standin.addr();
    drop(standin);
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "the port is closed"
    );
}
