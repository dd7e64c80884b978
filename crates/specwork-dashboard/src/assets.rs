//! Static assets compiled into the binary: htmx, uPlot and mermaid (vendored from npm, licences
//! and versions beside them in `assets/`; `scripts/refresh-mermaid.sh` refreshes mermaid), the
//! stylesheet and the page script. Nothing is loaded from a CDN.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// `(name, content type, bytes)`.
const ASSETS: &[(&str, &str, &[u8])] = &[
    ("htmx.min.js", "text/javascript; charset=utf-8", include_bytes!("../assets/htmx.min.js")),
    ("uPlot.iife.min.js", "text/javascript; charset=utf-8", include_bytes!("../assets/uPlot.iife.min.js")),
    ("uPlot.min.css", "text/css; charset=utf-8", include_bytes!("../assets/uPlot.min.css")),
    ("mermaid.min.js", "text/javascript; charset=utf-8", include_bytes!("../assets/mermaid.min.js")),
    ("app.css", "text/css; charset=utf-8", include_bytes!("../assets/app.css")),
    ("app.js", "text/javascript; charset=utf-8", include_bytes!("../assets/app.js")),
    ("favicon.svg", "image/svg+xml", include_bytes!("../assets/favicon.svg")),
];

/// The version string appended to asset URLs, so a new binary never serves a stale cache.
pub(crate) const VERSION: &str = env!("CARGO_PKG_VERSION");

/// `GET /assets/{name}`.
pub(crate) async fn serve(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|(n, _, _)| *n == name) {
        Some((_, ty, bytes)) => {
            ([(header::CONTENT_TYPE, *ty), (header::CACHE_CONTROL, "public, max-age=86400")], *bytes).into_response()
        }
        None => (StatusCode::NOT_FOUND, "no such asset\n").into_response(),
    }
}
