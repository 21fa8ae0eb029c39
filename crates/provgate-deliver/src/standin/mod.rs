//! Stand-ins for the remote services, for tests: real servers on `127.0.0.1` that implement
//! the documented endpoints and record every request they receive.
//!
//! Each stand-in runs on its own thread with its own single-threaded tokio runtime, so it
//! works the same from a synchronous test, a `#[tokio::test]` on either flavour, or another
//! crate's tests; it stops when dropped. Each can be told to answer the next N requests with a
//! failure (HTTP 503, or SMTP 421) or to be unreachable (its port closed, so connections are
//! refused) and reachable again on the same port, to test retries.

mod github;
mod gitlab;
mod http;
mod patchwork;
mod smtp;

pub use github::{GitHubStandin, StoredCheckRun};
pub use gitlab::GitLabStandin;
pub use patchwork::{PatchworkStandin, StandinPatch, StandinSeries};
pub use smtp::{SmtpMessage, SmtpSink};

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::watch;

/// One request a stand-in received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path, percent-encoded as sent.
    pub path: String,
    /// The query string, when there is one.
    pub query: Option<String>,
    /// The headers, names in lower case, in the order received.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Recorded {
    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON, when it is JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// A query parameter, decoded.
    pub fn query_param(&self, name: &str) -> Option<String> {
        url::form_urlencoded::parse(self.query.as_deref()?.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }
}

/// What every stand-in shares: the request log and the fault switches.
#[derive(Default)]
pub(crate) struct Controls {
    pub log: Arc<Mutex<Vec<Recorded>>>,
    /// Requests to let through, then requests to fail.
    pub faults: Mutex<(usize, usize)>,
}

impl Controls {
    /// Whether this request is one of those told to fail (and counts it).
    pub fn take_failure(&self) -> bool {
        let mut faults = lock(&self.faults);
        match *faults {
            (_, 0) => false,
            (0, fail) => {
                faults.1 = fail - 1;
                true
            }
            (pass, _) => {
                faults.0 = pass - 1;
                false
            }
        }
    }
}

/// A lock that a panicking test thread cannot make unusable for the others.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

type Serve = Box<
    dyn Fn(
            tokio::net::TcpListener,
            Pin<Box<dyn Future<Output = ()> + Send>>,
        ) -> Pin<Box<dyn Future<Output = ()> + Send>>
        + Send,
>;

/// A server on its own thread, with the switches every stand-in has.
pub(crate) struct Server {
    addr: SocketAddr,
    controls: Arc<Controls>,
    reachable: Option<watch::Sender<bool>>,
    acks: Mutex<std::sync::mpsc::Receiver<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Binds `127.0.0.1:0`, lets `setup` build the service knowing the address, and serves it
    /// with `serve(listener, shutdown)` until dropped.
    pub fn start(controls: Arc<Controls>, setup: impl FnOnce(SocketAddr) -> Serve) -> Server {
        let listener =
            bind(SocketAddr::from(([127, 0, 0, 1], 0))).expect("stand-in: bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("stand-in: local address");
        let serve = setup(addr);
        let (reachable, mut watcher) = watch::channel(true);
        let (ack, acks) = std::sync::mpsc::channel();
        let thread = std::thread::Builder::new()
            .name(format!("standin-{addr}"))
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("stand-in: tokio runtime");
                runtime.block_on(async move {
                    let mut listener = Some(listener);
                    while let Some(std_listener) = listener.take() {
                        let Ok(tokio_listener) = tokio::net::TcpListener::from_std(std_listener)
                        else {
                            break;
                        };
                        let mut stop = watcher.clone();
                        let shutdown = Box::pin(async move {
                            let _ = stop.wait_for(|up| !*up).await;
                        });
                        serve(tokio_listener, shutdown).await;
                        let _ = ack.send(());
                        if watcher.wait_for(|up| *up).await.is_err() {
                            break;
                        }
                        listener = bind(addr).ok();
                        let _ = ack.send(());
                    }
                });
            })
            .expect("stand-in: spawn thread");
        Server {
            addr,
            controls,
            reachable: Some(reachable),
            acks: Mutex::new(acks),
            thread: Some(thread),
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn controls(&self) -> &Controls {
        &self.controls
    }

    /// Closes the port (connections are refused) or opens it again on the same port; returns
    /// once done.
    pub fn set_reachable(&self, up: bool) {
        let Some(reachable) = &self.reachable else {
            return;
        };
        if *reachable.borrow() == up {
            return;
        }
        reachable.send_replace(up);
        let _ = lock(&self.acks).recv_timeout(Duration::from_secs(30));
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(reachable) = self.reachable.take() {
            reachable.send_replace(false);
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn bind(addr: SocketAddr) -> std::io::Result<std::net::TcpListener> {
    let listener = std::net::TcpListener::bind(addr)?;
    listener.set_nonblocking(true)?;
    Ok(listener)
}

/// The switches every stand-in has, written once.
macro_rules! controls {
    ($type:ty) => {
        impl $type {
            /// Every request received so far, in order (failed ones included).
            pub fn requests(&self) -> Vec<$crate::standin::Recorded> {
                $crate::standin::lock(&self.server.controls().log).clone()
            }

            /// The shared log the requests are recorded in.
            pub fn log(&self) -> std::sync::Arc<std::sync::Mutex<Vec<$crate::standin::Recorded>>> {
                self.server.controls().log.clone()
            }

            /// Answers the next `n` requests (SMTP: sessions) with a failure; they are still
            /// recorded.
            pub fn fail_next(&self, n: usize) {
                self.fail_after(0, n);
            }

            /// Lets `pass` requests through, then fails the `fail` after them (to interrupt
            /// a delivery of several requests part way).
            pub fn fail_after(&self, pass: usize, fail: usize) {
                *$crate::standin::lock(&self.server.controls().faults) = (pass, fail);
            }

            /// Closes the port so that connections are refused (`false`), or opens it again on
            /// the same port (`true`).
            pub fn set_reachable(&self, up: bool) {
                self.server.set_reachable(up);
            }

            /// The address it listens on.
            pub fn addr(&self) -> std::net::SocketAddr {
                self.server.addr()
            }
        }
    };
}
pub(crate) use controls;
