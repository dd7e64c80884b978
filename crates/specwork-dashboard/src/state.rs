//! Shared server state: the loaded workspace (reloaded when the watcher says files changed),
//! the link index built from it, and the broadcast channel that feeds `GET /events`.
//!
//! Invariant: a reader always gets a complete snapshot (`Arc<Snapshot>`); a reload builds a
//! new snapshot off to the side and swaps it in, so pages never see a half-loaded workspace.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use serde::Serialize;
use specwork_core::Workspace;
use tokio::sync::broadcast;

use crate::links::LinkIndex;

/// One change on disk, as sent to `GET /events` (one `data:` message each).
#[derive(Clone, Debug, Serialize)]
pub struct Change {
    /// Increases by one per message.
    pub seq: u64,
    /// Changed paths, relative to the workspace, with `/` separators.
    pub paths: Vec<String>,
}

/// A consistent view of the workspace.
pub(crate) struct Snapshot {
    pub ws: Workspace,
    pub links: LinkIndex,
}

struct Shared {
    root: PathBuf,
    token: Option<String>,
    /// `host:port` values accepted in the `Host` header.
    allowed_hosts: Vec<String>,
    snapshot: RwLock<Arc<Snapshot>>,
    dirty: AtomicBool,
    reload: Mutex<()>,
    events: broadcast::Sender<Change>,
    seq: AtomicU64,
}

/// The state every handler gets.
#[derive(Clone)]
pub(crate) struct AppState(Arc<Shared>);

impl AppState {
    pub fn new(root: &Path, addr: SocketAddr, token: Option<String>) -> Result<Self, specwork_core::WorkspaceError> {
        let snapshot = load(root)?;
        let root = snapshot.ws.root.clone();
        let port = addr.port();
        let mut allowed_hosts = vec![format!("127.0.0.1:{port}"), format!("localhost:{port}"), format!("[::1]:{port}")];
        let bound = match addr.ip() {
            std::net::IpAddr::V6(ip) => format!("[{ip}]:{port}"),
            std::net::IpAddr::V4(ip) => format!("{ip}:{port}"),
        };
        if !allowed_hosts.contains(&bound) {
            allowed_hosts.push(bound);
        }
        let (events, _) = broadcast::channel(256);
        Ok(AppState(Arc::new(Shared {
            root,
            token,
            allowed_hosts,
            snapshot: RwLock::new(Arc::new(snapshot)),
            dirty: AtomicBool::new(false),
            reload: Mutex::new(()),
            events,
            seq: AtomicU64::new(0),
        })))
    }

    pub fn root(&self) -> &Path {
        &self.0.root
    }

    pub fn token(&self) -> Option<&str> {
        self.0.token.as_deref()
    }

    pub fn allowed_hosts(&self) -> &[String] {
        &self.0.allowed_hosts
    }

    /// The current snapshot, reloaded first if files changed since it was read. Blocking: call
    /// it from a blocking task.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        if self.0.dirty.load(Ordering::Acquire) {
            let _guard = self.0.reload.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            // Another thread may have reloaded while we waited for the lock.
            if self.0.dirty.swap(false, Ordering::AcqRel) {
                match load(&self.0.root) {
                    Ok(s) => {
                        *self.0.snapshot.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(s);
                    }
                    // The root vanished: keep serving the last good snapshot.
                    Err(_) => self.0.dirty.store(true, Ordering::Release),
                }
            }
        }
        self.0.snapshot.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Marks the snapshot stale (after a write made by the dashboard itself).
    pub fn invalidate(&self) {
        self.0.dirty.store(true, Ordering::Release);
    }

    /// Called by the watcher: marks the snapshot stale, reloads it, and tells every open page.
    pub fn changed(&self, paths: Vec<String>) {
        self.invalidate();
        let _ = self.snapshot();
        let seq = self.0.seq.fetch_add(1, Ordering::AcqRel) + 1;
        // No receivers is fine: no page is open.
        let _ = self.0.events.send(Change { seq, paths });
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.0.events.subscribe()
    }

    /// Runs blocking work (file reads, rendering) off the async thread.
    pub async fn blocking<T: Send + 'static>(&self, f: impl FnOnce(&AppState) -> T + Send + 'static) -> T {
        let me = self.clone();
        match tokio::task::spawn_blocking(move || f(&me)).await {
            Ok(v) => v,
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        }
    }
}

fn load(root: &Path) -> Result<Snapshot, specwork_core::WorkspaceError> {
    let ws = Workspace::load(root)?;
    let links = LinkIndex::build(&ws);
    Ok(Snapshot { ws, links })
}
