//! Request guards and path confinement.
//!
//! * **Token**: when the dashboard has a token, every request must carry it — `?token=` (which
//!   also sets an `HttpOnly`, `SameSite=Strict` cookie so the page's own requests carry it),
//!   the cookie, or `Authorization: Bearer`. Without it: 401.
//! * **Host**: without a token the dashboard serves loopback only, and a `Host` header that is
//!   not one of its own addresses gets 403 — a DNS-rebinding page cannot read it.
//! * **Origin**: a state-changing request (anything but GET, HEAD, OPTIONS) whose `Origin` is
//!   not the dashboard's own, or whose `Sec-Fetch-Site` says cross-site, gets 403. Clients
//!   that send no `Origin` (curl, agents) are not browsers and carry no ambient credentials.
//! * **Shape**: a request with more than one `Host` header gets 400 (two hosts let a proxy and
//!   the dashboard disagree on which site it is). A state-changing request must carry exactly
//!   one `Host` and a JSON or form `Content-Type` (`application/json`,
//!   `application/x-www-form-urlencoded`, `multipart/form-data`); `text/plain` or none gets 415.
//! * **Paths**: [`confine`] turns a URL path into a workspace file or refuses it.

use std::path::{Component, Path, PathBuf};

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

use crate::state::AppState;

/// The cookie that carries the token.
const TOKEN_COOKIE: &str = "specwork_token";

/// Why a path was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("refused path `{path}`: {reason}")]
pub struct PathRefused {
    /// The path as given.
    pub path: String,
    /// Why.
    pub reason: &'static str,
}

/// Turns a workspace-relative path from a URL (already percent-decoded once) into an absolute
/// path inside `root`, or refuses it: empty paths, absolute paths, `..` and `.` parts,
/// backslashes, NUL, anything still percent-encoded (double encoding), hidden parts other than
/// `.spec-workflow` and `.kiro`, `target/`, and paths whose real location (symlinks
/// resolved) is outside the workspace.
pub fn confine(root: &Path, rel: &str) -> Result<PathBuf, PathRefused> {
    let refuse = |reason| Err(PathRefused { path: rel.to_owned(), reason });
    if rel.is_empty() {
        return refuse("it is empty");
    }
    if rel.contains('\0') || rel.contains('\\') {
        return refuse("it contains a backslash or NUL");
    }
    if rel.contains('%') {
        return refuse("it is still percent-encoded");
    }
    if rel.starts_with('/') || (rel.len() > 1 && rel.as_bytes()[1] == b':') {
        return refuse("it is absolute");
    }
    // `Path::components` silently drops `.` parts and doubled slashes: look at the raw parts.
    if rel.split('/').any(|part| part.is_empty() || part == "." || part == "..") {
        return refuse("it contains an empty, `.` or `..` part");
    }
    let p = Path::new(rel);
    for c in p.components() {
        match c {
            Component::Normal(s) => {
                let s = s.to_string_lossy();
                if s.starts_with('.') && s != ".spec-workflow" && s != ".kiro" {
                    return refuse("it names a hidden file or folder");
                }
                if s == "target" || s == "node_modules" {
                    return refuse("it names a build folder");
                }
            }
            Component::ParentDir | Component::CurDir => return refuse("it contains `.` or `..`"),
            Component::RootDir | Component::Prefix(_) => return refuse("it is absolute"),
        }
    }
    let abs = root.join(p);
    // Symlinks may point anywhere: compare real locations.
    let real_root = root.canonicalize().map_err(|_| PathRefused { path: rel.to_owned(), reason: "no workspace" })?;
    match abs.canonicalize() {
        Ok(real) if real.starts_with(&real_root) => Ok(real),
        Ok(_) => refuse("it leads outside the workspace"),
        Err(_) => refuse("it does not exist"),
    }
}

/// What [`percent_encode`] escapes: everything but RFC 3986's unreserved characters
/// (ASCII letters and digits, `-`, `_`, `.`, `~`); non-ASCII bytes are always escaped.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// What [`percent_encode_path`] escapes: the same, keeping `/` separators.
const PATH: &AsciiSet = &COMPONENT.remove(b'/');

/// Percent-decodes `%XX` sequences (invalid ones are kept as written; invalid UTF-8 is
/// replaced).
pub fn percent_decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// Percent-encodes a query or path-segment value.
pub fn percent_encode(s: &str) -> String {
    utf8_percent_encode(s, COMPONENT).to_string()
}

/// Percent-encodes a path, keeping its `/` separators.
pub fn percent_encode_path(s: &str) -> String {
    utf8_percent_encode(&s.replace('\\', "/"), PATH).to_string()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == name).then_some(v)
    })
}

fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    query?.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == name).then(|| percent_decode(&v.replace('+', " ")))
    })
}

/// Whether the request's one `Content-Type` is JSON or a form.
fn form_or_json(headers: &HeaderMap) -> bool {
    let mut all = headers.get_all(header::CONTENT_TYPE).iter();
    let (Some(ct), None) = (all.next(), all.next()) else { return false };
    let Ok(ct) = ct.to_str() else { return false };
    let mime = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    matches!(mime.as_str(), "application/json" | "application/x-www-form-urlencoded" | "multipart/form-data")
}

fn deny(status: StatusCode, msg: &str) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], format!("{msg}\n")).into_response()
}

/// The guard every request passes through (see the module docs), plus security headers on
/// every response.
pub(crate) async fn guard(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let headers = req.headers();
    if headers.get_all(header::HOST).iter().count() > 1 {
        return deny(StatusCode::BAD_REQUEST, "bad request: more than one Host header");
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    let mut set_cookie = None;
    if let Some(token) = app.token() {
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::to_owned);
        let from_query = query_param(req.uri().query(), "token");
        let from_cookie = cookie(headers, TOKEN_COOKIE).map(str::to_owned);
        let ok = |v: &Option<String>| v.as_deref().is_some_and(|v| constant_time_eq(v.as_bytes(), token.as_bytes()));
        if ok(&from_query) {
            set_cookie = Some(format!("{TOKEN_COOKIE}={}; HttpOnly; SameSite=Strict; Path=/", percent_encode(token)));
        } else if !(ok(&bearer) || ok(&from_cookie.map(|c| percent_decode(&c)))) {
            return deny(
                StatusCode::UNAUTHORIZED,
                "this dashboard needs its token: open the URL that `specwork dashboard --token` printed",
            );
        }
    } else if !app.allowed_hosts().contains(&host) {
        return deny(StatusCode::FORBIDDEN, "forbidden: unexpected Host header");
    }
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe {
        if headers.get(header::HOST).is_none() {
            return deny(StatusCode::BAD_REQUEST, "bad request: no Host header");
        }
        if !form_or_json(headers) {
            return deny(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported content type: send application/json or a form (application/x-www-form-urlencoded)",
            );
        }
        let origin = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok());
        if let Some(origin) = origin {
            let expected = format!("http://{host}");
            if !origin.eq_ignore_ascii_case(&expected) {
                return deny(StatusCode::FORBIDDEN, "forbidden: cross-origin request");
            }
        }
        let site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()).unwrap_or("");
        if site == "cross-site" || site == "same-site" {
            return deny(StatusCode::FORBIDDEN, "forbidden: cross-site request");
        }
    }
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
                 connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
            ),
        );
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    if let Some(c) = set_cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        h.append(header::SET_COOKIE, c);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confine_refuses_escapes() {
        let t = tempfile::tempdir().unwrap();
        fs_err::create_dir_all(t.path().join("specs/1000")).unwrap();
        fs_err::write(t.path().join("specs/1000/spec.md"), "x").unwrap();
        fs_err::write(t.path().join(".env"), "SECRET").unwrap();
        assert!(confine(t.path(), "specs/1000/spec.md").is_ok());
        for bad in [
            "../etc/passwd",
            "specs/../../etc/passwd",
            "/etc/passwd",
            "specs/%2e%2e/x",
            "specs\\..\\x",
            ".env",
            "specs/./1000/spec.md",
            "",
            "C:/x",
        ] {
            assert!(confine(t.path(), bad).is_err(), "{bad}");
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("/etc", t.path().join("specs/out")).unwrap();
            assert_eq!(confine(t.path(), "specs/out/passwd").unwrap_err().reason, "it leads outside the workspace");
        }
    }

    #[test]
    fn percent_coding_round_trips() {
        assert_eq!(percent_decode("a%20b%2Fc"), "a b/c");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_encode_path("Implementation Logs/a b.md"), "Implementation%20Logs/a%20b.md");
        assert_eq!(percent_encode("#3"), "%233");
    }

    #[test]
    fn percent_coding_edge_cases() {
        // Unreserved characters stay; everything else, `/` in a segment and non-ASCII included, is
        // escaped with upper-case hex.
        assert_eq!(percent_encode("a-b_c.d~e"), "a-b_c.d~e");
        assert_eq!(percent_encode("a/b?c=d&e+f%"), "a%2Fb%3Fc%3Dd%26e%2Bf%25");
        assert_eq!(percent_encode("Über"), "%C3%9Cber");
        assert_eq!(percent_encode_path("specs\\a b/ü#1.md"), "specs/a%20b/%C3%BC%231.md");
        // Invalid or truncated escapes are kept as written; lower-case hex decodes.
        assert_eq!(percent_decode("%zz%2%"), "%zz%2%");
        assert_eq!(percent_decode("%%41%c3%bc"), "%Aü");
        assert_eq!(percent_decode("%FF"), "\u{FFFD}");
        for s in ["Implementation Logs/a b.md", "x&y=z", "100% ü #1"] {
            assert_eq!(percent_decode(&percent_encode(s)), s);
        }
    }
}
