//! A TCP relay in front of a loopback server that can break connections the way a network
//! does: close a new connection once its request has arrived, or sever the connections a
//! client keeps pooled (what a Lambda frozen between invocations finds when it thaws).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

#[derive(Default)]
struct Shared {
    accepted: AtomicUsize,
    /// New connections still to be closed once their first bytes arrive.
    to_drop: AtomicUsize,
    relayed: Mutex<Vec<JoinHandle<()>>>,
}

pub struct TcpRelay {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept_loop: JoinHandle<()>,
}

impl TcpRelay {
    /// Relays every connection to `target`.
    pub async fn start(target: SocketAddr) -> TcpRelay {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port is free");
        let addr = listener.local_addr().expect("bound");
        let shared = Arc::new(Shared::default());
        let accept_loop = tokio::spawn({
            let shared = shared.clone();
            async move {
                while let Ok((mut client, _)) = listener.accept().await {
                    shared.accepted.fetch_add(1, Ordering::SeqCst);
                    let drop_it = shared
                        .to_drop
                        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                        .is_ok();
                    let relay = tokio::spawn(async move {
                        if drop_it {
                            // The request arrives, then the connection closes unanswered.
                            let mut buf = [0u8; 1024];
                            let _ = client.read(&mut buf).await;
                            return;
                        }
                        if let Ok(mut server) = TcpStream::connect(target).await {
                            let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                        }
                    });
                    shared.relayed.lock().expect("relay lock").push(relay);
                }
            }
        });
        TcpRelay {
            addr,
            shared,
            accept_loop,
        }
    }

    /// The relay's address in an `http://127.0.0.1:<port>/v1` base URL's place.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// The next `n` connections are closed as soon as their request arrives.
    pub fn drop_next_connections(&self, n: usize) {
        self.shared.to_drop.store(n, Ordering::SeqCst);
    }

    /// Closes every connection open now, on both sides, as a NAT or a server that timed out
    /// idle connections does.
    pub fn sever_open_connections(&self) {
        for relay in self.shared.relayed.lock().expect("relay lock").drain(..) {
            relay.abort();
        }
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.shared.accepted.load(Ordering::SeqCst)
    }
}

impl Drop for TcpRelay {
    fn drop(&mut self) {
        self.accept_loop.abort();
        self.sever_open_connections();
    }
}
