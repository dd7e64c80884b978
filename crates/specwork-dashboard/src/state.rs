//! Shared server state: the loaded workspace (reloaded when the watcher says files changed),
//! the link index built from it, and the broadcast channel that feeds `GET /events`.
//!
//! Invariant: a reader always gets a complete snapshot (`Arc<Snapshot>`); a reload builds a
//! new snapshot off to the side and swaps it in, so pages never see a half-loaded workspace.
//! Reloads are as small as the change allows: an edit to a file some spec reads re-reads that
//! spec only ([`Workspace::reload_files`]); a new, removed or renamed file under a spec folder,
//! or `specwork.toml`, loads the workspace anew; other files only refresh the link index when
//! they appear or vanish.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
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
    pub links: Arc<LinkIndex>,
}

struct Shared {
    root: PathBuf,
    token: Option<String>,
    /// `host:port` values accepted in the `Host` header.
    allowed_hosts: Vec<String>,
    snapshot: RwLock<Arc<Snapshot>>,
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

    /// The current snapshot.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.0.snapshot.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Brings the snapshot up to date with changed files (workspace-relative). Blocking.
    pub fn refresh(&self, paths: &[PathBuf]) {
        let _guard = self.0.reload.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let cur = self.snapshot();
        let ws = &cur.ws;
        let (mut full, mut links_changed) = (false, false);
        let mut spec_files = Vec::new();
        for p in paths {
            if p == Path::new("specwork.toml") {
                full = true;
            } else if reads_spec_files(ws, p) {
                spec_files.push(p.clone());
            } else {
                // Elsewhere only the set of linkable files matters.
                links_changed |= cur.links.has_file(p) != ws.abs(p).is_file();
            }
        }
        if !full && !spec_files.is_empty() {
            // No page holds the snapshot right now (the usual case): edit it in place instead of
            // cloning 2,000 specs.
            drop(cur);
            let mut guard = self.0.snapshot.write().unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some(snap) = Arc::get_mut(&mut guard)
                && snap.ws.reload_files(&spec_files)
            {
                if links_changed {
                    snap.links = Arc::new(LinkIndex::build(&snap.ws));
                }
                return;
            }
        }
        let cur = self.snapshot();
        let ws = &cur.ws;
        let next = if full {
            load(&self.0.root)
        } else if !spec_files.is_empty() {
            let mut next = ws.clone();
            if next.reload_files(&spec_files) {
                let links = if links_changed { Arc::new(LinkIndex::build(&next)) } else { cur.links.clone() };
                Ok(Snapshot { ws: next, links })
            } else {
                load(&self.0.root)
            }
        } else if links_changed {
            Ok(Snapshot { ws: ws.clone(), links: Arc::new(LinkIndex::build(ws)) })
        } else {
            return;
        };
        // If the root vanished, keep serving the last good snapshot.
        if let Ok(s) = next {
            *self.0.snapshot.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(s);
        }
    }

    /// Called by the watcher: updates the snapshot, then tells every open page.
    pub fn changed(&self, paths: Vec<String>) {
        let rel: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
        self.refresh(&rel);
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

/// Whether a change to `p` may change what the workspace reads: a path under a spec folder,
/// other than approval records, implementation logs and steering documents.
pub(crate) fn reads_spec_files(ws: &Workspace, p: &Path) -> bool {
    let first = p.components().next().map(|c| c.as_os_str().to_string_lossy()).unwrap_or_default();
    let roots = [ws.config.workspace.specs_dir.as_str(), ".spec-workflow", ".kiro", "openspec"];
    let aside = p.starts_with(".spec-workflow/approvals")
        || p.starts_with(".spec-workflow/steering")
        || p.components().any(|c| c.as_os_str() == "Implementation Logs");
    roots.contains(&first.as_ref()) && !aside
}

fn load(root: &Path) -> Result<Snapshot, specwork_core::WorkspaceError> {
    let ws = Workspace::load(root)?;
    let links = Arc::new(LinkIndex::build(&ws));
    Ok(Snapshot { ws, links })
}
