//! `GET /events`: server-sent events, one `data:` message per change on disk
//! (`{"seq":N,"paths":["specs/1000/1001/1014.spec.md"]}`), fed by the file watcher. Pages
//! listen to it and re-fetch their content; other tools may listen too.

use std::convert::Infallible;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use futures_util::stream::{self, Stream};
use tokio::sync::broadcast::error::RecvError;

use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/events", get(events))
}

async fn events(State(app): State<AppState>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let rx = app.subscribe();
    let stream = stream::unfold(rx, |mut rx| async move {
        let data = match rx.recv().await {
            Ok(change) => serde_json::to_string(&change).unwrap_or_default(),
            // A slow reader missed messages: one message still tells it to refresh.
            Err(RecvError::Lagged(_)) => r#"{"seq":0,"paths":[]}"#.to_owned(),
            Err(RecvError::Closed) => return None,
        };
        Some((Ok(Event::default().data(data)), rx))
    });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
