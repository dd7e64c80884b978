//! The request reader in front of the MCP SDK: stdin is read here, line by line, and only whole,
//! bounded, well-formed JSON lines reach the SDK.
//!
//! Invariants: a client always gets an answer. A line that is not JSON gets a JSON-RPC parse
//! error (`-32700`, id `null`); a line longer than [`MAX_REQUEST_BYTES`] is never held in
//! memory whole — its first bytes are kept to find its `id`, the rest is skipped — and gets an
//! invalid-request error (`-32600`) with that id, so the client's pending call ends. Every line
//! written to stdout (the SDK's and these replies) is written whole by one writer.

use serde_json::{Value, json};
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc::UnboundedSender;

/// The largest request line accepted: 4 MiB (tool arguments are ids, short texts and small
/// JSON objects; replies are capped at 16 KB).
pub const MAX_REQUEST_BYTES: usize = 4 * 1024 * 1024;

/// How much of an oversized line is kept to find its `id`.
const ID_PREFIX: usize = 4096;

/// What the reader does with one line.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Pass the line (newline included) to the SDK.
    Forward,
    /// Answer with this JSON-RPC error line instead.
    Reply(String),
    /// Nothing to do (a blank line).
    Skip,
}

/// Judges one request line. `oversized` says the line went over [`MAX_REQUEST_BYTES`]; `line`
/// then holds only its first bytes.
pub fn judge(line: &[u8], oversized: bool) -> Verdict {
    if oversized {
        let msg = format!("request larger than {} bytes refused", MAX_REQUEST_BYTES);
        return Verdict::Reply(error_line(id_in_prefix(line), -32600, &msg));
    }
    if line.iter().all(u8::is_ascii_whitespace) {
        return Verdict::Skip;
    }
    match serde_json::from_slice::<Value>(line) {
        Ok(_) => Verdict::Forward,
        Err(e) => {
            let mut msg = format!("Parse error: {e}");
            msg.truncate(200);
            Verdict::Reply(error_line(Value::Null, -32700, &msg))
        }
    }
}

/// A JSON-RPC error response, as one line.
fn error_line(id: Value, code: i64, message: &str) -> String {
    let mut s = json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}}).to_string();
    s.push('\n');
    s
}

/// The `id` of a request from its first bytes (`"id":7` or `"id":"a"`), `null` when not found.
pub fn id_in_prefix(prefix: &[u8]) -> Value {
    let text = String::from_utf8_lossy(&prefix[..prefix.len().min(ID_PREFIX)]);
    let mut rest = text.as_ref();
    while let Some(at) = rest.find("\"id\"") {
        let after = rest[at + 4..].trim_start();
        if let Some(v) = after.strip_prefix(':') {
            let v = v.trim_start();
            if let Some(s) = v.strip_prefix('"') {
                if let Some(end) = s.find('"').filter(|&e| e <= 256) {
                    return Value::String(s[..end].to_owned());
                }
            } else {
                let digits: String = v.chars().take_while(|c| c.is_ascii_digit() || *c == '-').collect();
                if let Ok(n) = digits.parse::<i64>() {
                    return Value::from(n);
                }
            }
        }
        rest = &rest[at + 4..];
    }
    Value::Null
}

/// Reads one line, keeping at most `max` bytes of it (the rest is consumed and dropped).
/// Returns `None` at the end of input, else whether the line went over `max`.
pub async fn read_bounded_line<R: AsyncBufRead + Unpin>(
    r: &mut R,
    buf: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<Option<bool>> {
    buf.clear();
    let mut over = false;
    let mut any = false;
    loop {
        let chunk = r.fill_buf().await?;
        if chunk.is_empty() {
            return Ok(any.then_some(over));
        }
        any = true;
        let (take, done) = match memchr_newline(chunk) {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        if !over && buf.len() + take > max {
            over = true;
            // Keep the beginning (for the id); drop the rest.
            buf.truncate(ID_PREFIX);
            let keep = ID_PREFIX.saturating_sub(buf.len()).min(take);
            buf.extend_from_slice(&chunk[..keep]);
        } else if !over {
            buf.extend_from_slice(&chunk[..take]);
        }
        r.consume(take);
        if done {
            return Ok(Some(over));
        }
    }
}

fn memchr_newline(b: &[u8]) -> Option<usize> {
    b.iter().position(|&c| c == b'\n')
}

/// Reads requests from `input`, forwards the good lines to `to_sdk` and sends the error replies
/// to `out`. Ends (dropping `to_sdk`, which ends the SDK's input) at the end of `input`.
pub async fn guard(input: impl AsyncRead + Unpin, mut to_sdk: impl AsyncWrite + Unpin, out: UnboundedSender<Vec<u8>>) {
    let mut r = BufReader::with_capacity(64 * 1024, input);
    let mut line = Vec::new();
    while let Ok(Some(over)) = read_bounded_line(&mut r, &mut line, MAX_REQUEST_BYTES).await {
        match judge(&line, over) {
            Verdict::Forward => {
                if !line.ends_with(b"\n") {
                    line.push(b'\n');
                }
                if to_sdk.write_all(&line).await.is_err() || to_sdk.flush().await.is_err() {
                    break;
                }
            }
            Verdict::Reply(reply) => {
                let _ = out.send(reply.into_bytes());
            }
            Verdict::Skip => {}
        }
    }
    let _ = to_sdk.shutdown().await;
}

/// Copies the SDK's output to `out`, one whole line per message.
pub async fn from_sdk(sdk: impl AsyncRead + Unpin, out: UnboundedSender<Vec<u8>>) {
    let mut r = BufReader::new(sdk);
    loop {
        let mut line = Vec::new();
        match r.read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => break,
            Ok(_) => {
                if out.send(line).is_err() {
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn judges_lines() {
        assert_eq!(judge(b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n", false), Verdict::Forward);
        assert_eq!(judge(b"  \n", false), Verdict::Skip);
        let Verdict::Reply(r) = judge(b"{not json\n", false) else { panic!("a reply") };
        let v: Value = serde_json::from_str(&r).unwrap();
        assert_eq!(v["error"]["code"], -32700);
        assert!(v["id"].is_null());
        let Verdict::Reply(r) =
            judge(b"{\"jsonrpc\":\"2.0\",\"id\":\"abc\",\"method\":\"tools/call\",\"params\":{\"x\":\"", true)
        else {
            panic!("a reply")
        };
        let v: Value = serde_json::from_str(&r).unwrap();
        assert_eq!((v["error"]["code"].as_i64(), v["id"].as_str()), (Some(-32600), Some("abc")));
        assert_eq!(id_in_prefix(b"{\"jsonrpc\":\"2.0\", \"id\" : 42,"), Value::from(42));
    }

    proptest::proptest! {
        /// The request reader's fuzz target as a proptest: any line gets a verdict, every reply
        /// is one JSON-RPC error line, and a bounded read never keeps more than its cap.
        #[test]
        fn any_line_gets_a_verdict(line in proptest::collection::vec(proptest::num::u8::ANY, 0..512), over in proptest::bool::ANY) {
            match judge(&line, over) {
                Verdict::Reply(r) => {
                    let v: Value = serde_json::from_str(&r).unwrap();
                    proptest::prop_assert!(r.ends_with('\n') && !r[..r.len() - 1].contains('\n'));
                    proptest::prop_assert!(v["error"]["code"] == -32700 || v["error"]["code"] == -32600);
                }
                Verdict::Forward => proptest::prop_assert!(serde_json::from_slice::<Value>(&line).is_ok()),
                Verdict::Skip => proptest::prop_assert!(line.iter().all(u8::is_ascii_whitespace)),
            }
        }

        #[test]
        fn bounded_reads_keep_at_most_the_cap(data in proptest::collection::vec(proptest::num::u8::ANY, 0..4096), max in 1usize..64) {
            let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
            rt.block_on(async {
                let mut r = BufReader::with_capacity(7, data.as_slice());
                let mut buf = Vec::new();
                let mut lines = 0;
                while let Some(over) = read_bounded_line(&mut r, &mut buf, max).await.unwrap() {
                    assert!(buf.len() <= max.max(ID_PREFIX));
                    assert!(over || buf.len() <= max);
                    lines += 1;
                }
                assert_eq!(lines, data.split(|&b| b == b'\n').count() - usize::from(data.ends_with(b"\n") || data.is_empty()));
            });
        }
    }

    #[test]
    fn bounded_lines() {
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        rt.block_on(async {
            let data = format!("{}\nshort\nlast", "x".repeat(100));
            let mut r = BufReader::with_capacity(8, data.as_bytes());
            let mut buf = Vec::new();
            assert_eq!(read_bounded_line(&mut r, &mut buf, 10).await.unwrap(), Some(true));
            assert!(buf.len() <= ID_PREFIX && buf.starts_with(b"xxxxxxxx"));
            assert_eq!(read_bounded_line(&mut r, &mut buf, 10).await.unwrap(), Some(false));
            assert_eq!(buf, b"short\n");
            assert_eq!(read_bounded_line(&mut r, &mut buf, 10).await.unwrap(), Some(false));
            assert_eq!(buf, b"last");
            assert_eq!(read_bounded_line(&mut r, &mut buf, 10).await.unwrap(), None);
        });
    }
}
