//! `specwork dashboard`: the local web dashboard (see the `specwork-dashboard` crate).

use std::net::IpAddr;

use clap::Args;
use serde::Serialize;
use specwork_dashboard::{Dashboard, DashboardError, Options, ProjectRoot};

use super::Ctx;
use crate::error::{CmdResult, CommandError};

#[derive(Args, Debug)]
pub struct DashboardArgs {
    /// Port to listen on (0 picks a free one)
    #[arg(long, default_value_t = 5000)]
    pub port: u16,
    /// Address to listen on; anything but loopback needs --token
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDR")]
    pub bind: IpAddr,
    /// Require this token on every request (`?token=`, then a cookie, or `Authorization: Bearer`)
    #[arg(long, env = "SPECWORK_DASHBOARD_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Open the dashboard in the default browser
    #[arg(long)]
    pub open: bool,
    /// Serve every registered workspace (`specwork projects list`): a home page with each
    /// project's progress, approvals waiting and cost at `/`, each project's pages under
    /// `/p/NAME/`
    #[arg(long)]
    pub projects: bool,
}

#[derive(Serialize)]
struct Started {
    url: String,
    bind: String,
    port: u16,
    workspace: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    projects: Vec<ProjectUrl>,
}

#[derive(Serialize)]
struct ProjectUrl {
    name: String,
    path: String,
    url: String,
}

pub fn run(ctx: &Ctx, a: DashboardArgs) -> CmdResult {
    let (root, projects) = if a.projects {
        let registry = specwork_core::stores::projects::Registry::load()?;
        ctx.ui.diagnostics(&registry.diagnostics);
        for p in registry.projects.iter().filter(|p| p.stale().is_some()) {
            ctx.ui.warning(format_args!("project {} is stale ({}): not served", p.name, p.path.display()));
            ctx.ui.hint(format_args!("`specwork projects remove {}` drops it from the list", p.name));
        }
        let served: Vec<ProjectRoot> = registry
            .projects
            .iter()
            .filter(|p| p.stale().is_none())
            .map(|p| ProjectRoot { name: p.name.clone(), root: p.path.clone() })
            .collect();
        let Some(first) = served.first() else {
            return Err(CommandError::usage(
                "no registered project to serve",
                "`specwork projects add DIR` (or `specwork init` in a workspace) registers one",
            ));
        };
        (first.root.clone(), served)
    } else {
        (ctx.root()?, Vec::new())
    };
    let dash = Dashboard::bind(Options {
        root: root.clone(),
        bind: a.bind,
        port: a.port,
        token: a.token,
        projects: projects.clone(),
    })
    .map_err(|e| error(e, a.port))?;
    let url = dash.url();
    let addr = dash.local_addr();
    let started = Started {
        url: url.clone(),
        bind: addr.ip().to_string(),
        port: addr.port(),
        workspace: root.display().to_string(),
        projects: projects
            .iter()
            .map(|p| ProjectUrl {
                name: p.name.clone(),
                path: p.root.display().to_string(),
                url: format!("http://{}:{}/p/{}", addr.ip(), addr.port(), p.name),
            })
            .collect(),
    };
    ctx.ui.report(&started, |s| {
        s.push_str(&format!("specwork dashboard: {url}\n"));
    });
    if projects.is_empty() {
        ctx.ui.status(format_args!("serving {} — press Ctrl-C to stop", root.display()));
    } else {
        ctx.ui.status(format_args!("serving {} projects — press Ctrl-C to stop", projects.len()));
    }
    if a.open {
        open_browser(ctx, &url);
    }
    dash.serve().map_err(|e| error(e, a.port))?;
    Ok(0)
}

fn error(e: DashboardError, port: u16) -> CommandError {
    let hint = match &e {
        DashboardError::TokenRequired { .. } => {
            "pass --token T (at least 8 characters) and share the printed URL, or keep the default --bind 127.0.0.1"
                .to_owned()
        }
        DashboardError::WeakToken => "choose a longer token, e.g. `--token $(openssl rand -hex 16)`".to_owned(),
        DashboardError::Bind { source, .. } if source.kind() == std::io::ErrorKind::AddrInUse => {
            format!("another program listens on port {port}; pass --port N, or --port 0 for any free port")
        }
        DashboardError::Bind { .. } => "check the address given to --bind".to_owned(),
        _ => "run `specwork status` to check that the workspace reads".to_owned(),
    };
    let code = match &e {
        DashboardError::TokenRequired { .. } | DashboardError::WeakToken => crate::error::EXIT_USAGE,
        _ => crate::error::EXIT_FAILURE,
    };
    CommandError { error: e.into(), hints: vec![hint], code }
}

/// Opens `url` in `$BROWSER`, else the desktop's default browser; failure is only a note (the
/// URL is printed anyway).
fn open_browser(ctx: &Ctx, url: &str) {
    if let Err(e) = opener::open_browser(url) {
        ctx.ui.note(format_args!("could not open a browser ({e}); open {url} yourself"));
    }
}
