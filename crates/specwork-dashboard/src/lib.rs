//! The specwork web dashboard: the portfolio of every spec, spec pages with their documents
//! rendered and their tasks editable, the context timeline, search, and live updates over
//! server-sent events fed by a file watcher.
//!
//! Invariants:
//! * Every asset (templates, htmx, uPlot, styles, locale catalogues) is compiled into the
//!   binary; nothing is fetched from the network at run time.
//! * The server binds 127.0.0.1 unless told otherwise, and any other address needs a token.
//!   Every request's `Host` is checked against the served addresses (DNS rebinding), every
//!   state-changing request's `Origin` against its `Host` (cross-site requests get 403).
//! * Routes never read or write outside the workspace: names are checked by
//!   [`specwork_core::base::names`], file paths by [`security::confine`] (no `..`, no absolute
//!   paths, no encoded separators, no symlink escapes).
//! * Every write goes through [`specwork_core::model::edit`] / [`specwork_core::base::write`]: atomic and
//!   conflict-checked, like the CLI's.
//!
//! Each page is one module under `pages/` exposing its routes and its navigation entry, so a
//! new page (approvals, sessions and cost, daily summaries) slots in as one file.

// std::fs through fs-err or the path policy (clippy.toml lists the methods).
#![deny(clippy::disallowed_methods)]
#![deny(missing_docs)]

mod assets;
pub mod i18n;
mod links;
mod markdown;
mod pages;
pub mod security;
mod state;
mod watch;

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

pub use state::Change;

/// How to serve the dashboard.
#[derive(Clone, Debug)]
pub struct Options {
    /// The workspace root.
    pub root: PathBuf,
    /// Address to bind (default 127.0.0.1).
    pub bind: IpAddr,
    /// Port (0 picks a free one).
    pub port: u16,
    /// Access token: required on every request when set, and required to bind anything but
    /// loopback.
    pub token: Option<String>,
    /// Registered workspaces to serve side by side (`dashboard --projects`); empty: only `root`.
    pub projects: Vec<ProjectRoot>,
}

/// A registered workspace served by `dashboard --projects`: its pages live under
/// `/p/{name}/`, and the home page `/` shows every project.
#[derive(Clone, Debug)]
pub struct ProjectRoot {
    /// The project's name (URL-safe, from the registry).
    pub name: String,
    /// Its root.
    pub root: PathBuf,
}

/// Why the dashboard could not start.
#[derive(Debug, thiserror::Error)]
pub enum DashboardError {
    /// A non-loopback address without a token.
    #[error("binding {bind} exposes the dashboard to the network, which needs --token")]
    TokenRequired {
        /// The address asked for.
        bind: IpAddr,
    },
    /// The token is empty or too short to protect anything.
    #[error("the token must be at least 8 characters")]
    WeakToken,
    /// The address could not be bound.
    #[error("cannot listen on {addr}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The io error.
        source: std::io::Error,
    },
    /// The workspace could not be read.
    #[error(transparent)]
    Workspace(#[from] specwork_core::WorkspaceError),
    /// The file watcher could not start.
    #[error("cannot watch the workspace for changes: {0}")]
    Watch(#[from] notify::Error),
    /// Another io error.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// A dashboard bound to its address, ready to serve.
pub struct Dashboard {
    listener: std::net::TcpListener,
    state: state::AppState,
    /// With `--projects`: every project's state, by name (`state` is the first one's).
    projects: Vec<(String, state::AppState)>,
    addr: SocketAddr,
}

impl Dashboard {
    /// Loads the workspace and binds the address. Refuses a non-loopback address without a
    /// token.
    pub fn bind(opts: Options) -> Result<Dashboard, DashboardError> {
        if let Some(t) = &opts.token
            && t.trim().len() < 8
        {
            return Err(DashboardError::WeakToken);
        }
        if !opts.bind.is_loopback() && opts.token.is_none() {
            return Err(DashboardError::TokenRequired { bind: opts.bind });
        }
        let want = SocketAddr::new(opts.bind, opts.port);
        let listener =
            std::net::TcpListener::bind(want).map_err(|source| DashboardError::Bind { addr: want, source })?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let mut projects = Vec::new();
        for p in &opts.projects {
            projects.push((p.name.clone(), state::AppState::new(&p.root, addr, opts.token.clone())?));
        }
        let state = match projects.first() {
            Some((_, s)) => s.clone(),
            None => state::AppState::new(&opts.root, addr, opts.token)?,
        };
        Ok(Dashboard { listener, state, projects, addr })
    }

    /// The address actually bound (the real port when 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The URL to open: `http://127.0.0.1:5000/` (with `?token=` when a token is set).
    pub fn url(&self) -> String {
        let host = match self.addr.ip() {
            IpAddr::V6(ip) => format!("[{ip}]"),
            IpAddr::V4(ip) => ip.to_string(),
        };
        let mut url = format!("http://{host}:{}/", self.addr.port());
        if let Some(t) = self.state.token() {
            url.push_str("?token=");
            url.push_str(&security::percent_encode(t));
        }
        url
    }

    /// Serves until the process ends: starts the file watcher and the HTTP server on a
    /// single-threaded runtime (page rendering runs on its blocking pool).
    /// With projects, one watcher per workspace feeds its own pages and the home page.
    pub fn serve(self) -> Result<(), DashboardError> {
        if self.projects.is_empty() {
            watch::start(self.state.clone())?;
        }
        for (_, s) in &self.projects {
            watch::start(s.clone())?;
        }
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(self.listener)?;
            let app = if self.projects.is_empty() {
                pages::router(self.state)
            } else {
                pages::projects::router(self.projects)
            };
            axum::serve(listener, app).await
        })?;
        Ok(())
    }
}
