//! Lines of a text with their byte offsets — the primitive every reader of Markdown and front
//! matter walks with, so that edits can replace exact byte ranges.

/// Whether `src` ends its lines with `\r\n` only (it has some, and no bare `\n`).
pub fn is_crlf(src: &str) -> bool {
    let lf = memchr::memchr_iter(b'\n', src.as_bytes()).count();
    lf > 0 && lf == memchr::memmem::find_iter(src.as_bytes(), b"\r\n").count()
}

/// Runs an edit that writes `\n` line endings in `src`'s own line ending: a CRLF file is edited
/// as LF and given back as CRLF (byte-identical outside the edit), so generated lines match the
/// file around them. Other files are edited as they are.
pub fn in_own_line_endings(src: &str, edit: impl FnOnce(&str) -> String) -> String {
    if is_crlf(src) { edit(&src.replace("\r\n", "\n")).replace('\n', "\r\n") } else { edit(src) }
}

/// The lines of `src` as `(start, end, text)`: `end` is the start of the next line (the line
/// ending included), `text` has no line ending (`\n` or `\r\n`). memchr-based, allocation-free.
pub fn line_spans(src: &str) -> impl Iterator<Item = (usize, usize, &str)> {
    let mut pos = 0;
    std::iter::from_fn(move || {
        if pos >= src.len() {
            return None;
        }
        let start = pos;
        let end = memchr::memchr(b'\n', &src.as_bytes()[start..]).map_or(src.len(), |i| start + i + 1);
        pos = end;
        let text = &src[start..end];
        let text = text.strip_suffix('\n').unwrap_or(text);
        Some((start, end, text.strip_suffix('\r').unwrap_or(text)))
    })
}
