//! Lines of a text with their byte offsets — the primitive every reader of Markdown and front
//! matter walks with, so that edits can replace exact byte ranges.

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
