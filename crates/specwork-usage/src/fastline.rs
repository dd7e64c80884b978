//! A validating single-pass reader for Claude Code usage lines — the hot path of a scan.
//!
//! It fills the same [`Line`](crate::claude) structure as the serde derive does, reading only the
//! keys that matter and skipping the rest with a word-at-a-time string scanner. It accepts a line
//! only when it is certain the serde parse would give the same result; anything unusual (an escaped
//! key, a duplicate key, a value of an unexpected type, a number that is not a plain integer where
//! one is expected, deep nesting, invalid JSON) returns `None` and the caller falls back to serde,
//! which then decides. A unit test compares both on every usage line of generated corpora and on
//! mutated lines.

use std::borrow::Cow;

use crate::claude::{CacheCreation, Line, Msg, Nested, ProgressData, Usage};
use crate::jsonx::{AnyStr, Lenient, Str};

type R<T> = Option<T>;

const MAX_DEPTH: u32 = 100;

struct P<'a> {
    b: &'a [u8],
    s: &'a str,
    i: usize,
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

#[inline]
fn special(v: u64) -> u64 {
    let q = v ^ (LO * b'"' as u64);
    let bs = v ^ (LO * b'\\' as u64);
    let has_q = q.wrapping_sub(LO) & !q & HI;
    let has_bs = bs.wrapping_sub(LO) & !bs & HI;
    let ctl = v.wrapping_sub(LO * 0x20) & !v & HI;
    has_q | has_bs | ctl
}

impl<'a> P<'a> {
    #[inline]
    fn ws(&mut self) {
        while let Some(&c) = self.b.get(self.i) {
            if matches!(c, b' ' | b'\n' | b'\r' | b'\t') {
                self.i += 1;
            } else {
                break;
            }
        }
    }

    #[inline]
    fn peek(&self) -> R<u8> {
        self.b.get(self.i).copied()
    }

    #[inline]
    fn eat(&mut self, c: u8) -> R<()> {
        self.ws();
        if self.peek()? == c {
            self.i += 1;
            Some(())
        } else {
            None
        }
    }

    /// At `"`: returns the span inside the quotes and whether it has escapes; validates escapes
    /// and rejects raw control characters, as JSON requires.
    fn string(&mut self) -> R<(usize, usize, bool)> {
        debug_assert_eq!(self.b[self.i], b'"');
        let start = self.i + 1;
        let mut j = start;
        let mut escaped = false;
        loop {
            // Word-at-a-time search for `"`, `\` or a control character.
            while j + 8 <= self.b.len() {
                let v = u64::from_le_bytes(self.b[j..j + 8].try_into().ok()?);
                let m = special(v);
                if m != 0 {
                    j += (m.trailing_zeros() / 8) as usize;
                    break;
                }
                j += 8;
            }
            let c = *self.b.get(j)?;
            match c {
                b'"' => {
                    self.i = j + 1;
                    return Some((start, j, escaped));
                }
                b'\\' => {
                    escaped = true;
                    match *self.b.get(j + 1)? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => j += 2,
                        b'u' => {
                            let h = self.b.get(j + 2..j + 6)?;
                            if !h.iter().all(u8::is_ascii_hexdigit) {
                                return None;
                            }
                            j += 6;
                        }
                        _ => return None,
                    }
                }
                c if c < 0x20 => return None,
                _ => j += 1,
            }
        }
    }

    /// A JSON number; returns its span.
    fn number(&mut self) -> R<(usize, usize)> {
        let start = self.i;
        let b = self.b;
        let mut j = self.i;
        if b.get(j) == Some(&b'-') {
            j += 1;
        }
        match *b.get(j)? {
            b'0' => j += 1,
            b'1'..=b'9' => {
                while b.get(j).is_some_and(u8::is_ascii_digit) {
                    j += 1;
                }
            }
            _ => return None,
        }
        if b.get(j) == Some(&b'.') {
            j += 1;
            let d = j;
            while b.get(j).is_some_and(u8::is_ascii_digit) {
                j += 1;
            }
            if j == d {
                return None;
            }
        }
        if matches!(b.get(j), Some(b'e' | b'E')) {
            j += 1;
            if matches!(b.get(j), Some(b'+' | b'-')) {
                j += 1;
            }
            let d = j;
            while b.get(j).is_some_and(u8::is_ascii_digit) {
                j += 1;
            }
            if j == d {
                return None;
            }
        }
        self.i = j;
        Some((start, j))
    }

    fn literal(&mut self, lit: &[u8]) -> R<()> {
        if self.b.get(self.i..self.i + lit.len())? == lit {
            self.i += lit.len();
            Some(())
        } else {
            None
        }
    }

    /// Skips any value, validating it.
    fn skip(&mut self, depth: u32) -> R<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.ws();
        match self.peek()? {
            b'"' => self.string().map(|_| ()),
            b'{' => {
                self.i += 1;
                self.ws();
                if self.peek()? == b'}' {
                    self.i += 1;
                    return Some(());
                }
                loop {
                    self.ws();
                    if self.peek()? != b'"' {
                        return None;
                    }
                    self.string()?;
                    self.eat(b':')?;
                    self.skip(depth + 1)?;
                    self.ws();
                    match self.peek()? {
                        b',' => self.i += 1,
                        b'}' => {
                            self.i += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            b'[' => {
                self.i += 1;
                self.ws();
                if self.peek()? == b']' {
                    self.i += 1;
                    return Some(());
                }
                loop {
                    self.skip(depth + 1)?;
                    self.ws();
                    match self.peek()? {
                        b',' => self.i += 1,
                        b']' => {
                            self.i += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            _ => self.number().map(|_| ()),
        }
    }

    /// Iterates the keys of an object at `{`; `f` must consume the value.
    fn object(&mut self, depth: u32, mut f: impl FnMut(&mut Self, &'a [u8], u32) -> R<()>) -> R<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.eat(b'{')?;
        self.ws();
        if self.peek()? == b'}' {
            self.i += 1;
            return Some(());
        }
        loop {
            self.ws();
            if self.peek()? != b'"' {
                return None;
            }
            let (s, e, esc) = self.string()?;
            if esc {
                return None; // an escaped key: let serde unescape and match it
            }
            self.eat(b':')?;
            self.ws();
            f(self, &self.b[s..e], depth + 1)?;
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// A string or `null`.
    fn str_or_null(&mut self) -> R<Str<'a>> {
        match self.peek()? {
            b'"' => {
                let (s, e, esc) = self.string()?;
                if esc {
                    let v: String = serde_json::from_str(&self.s[s - 1..=e]).ok()?;
                    Some(Str(Some(Cow::Owned(v))))
                } else {
                    Some(Str(Some(Cow::Borrowed(&self.s[s..e]))))
                }
            }
            b'n' => self.literal(b"null").map(|_| Str(None)),
            _ => None,
        }
    }

    /// A string, or `None` for any other (skipped) value.
    fn any_str(&mut self, depth: u32) -> R<AnyStr<'a>> {
        if self.peek()? == b'"' {
            let Str(v) = self.str_or_null()?;
            Some(AnyStr(v))
        } else {
            self.skip(depth).map(|_| AnyStr(None))
        }
    }

    /// A non-negative integer that fits `u64`.
    fn u64(&mut self) -> R<u64> {
        let (s, e) = self.number()?;
        let t = &self.s[s..e];
        if t.starts_with('-') || t.contains(['.', 'e', 'E']) {
            return None;
        }
        t.parse().ok()
    }

    fn opt_bool(&mut self) -> R<Option<bool>> {
        match self.peek()? {
            b't' => self.literal(b"true").map(|_| Some(true)),
            b'f' => self.literal(b"false").map(|_| Some(false)),
            b'n' => self.literal(b"null").map(|_| None),
            _ => None,
        }
    }

    fn opt_f64(&mut self) -> R<Option<f64>> {
        match self.peek()? {
            b'n' => self.literal(b"null").map(|_| None),
            _ => {
                let (s, e) = self.number()?;
                let text = &self.s[s..e];
                // Past 17 digits, or with an exponent (`0.21e35`: a power of ten beyond its
                // exact table), serde_json (without `float_roundtrip`) may round differently
                // from a correctly rounded parse: leave such numbers to serde.
                if text.bytes().filter(u8::is_ascii_digit).count() > 17 || text.contains(['e', 'E']) {
                    return None;
                }
                // serde_json refuses a number out of f64's range (`1e325`) where `parse` gives
                // infinity: leave those to serde too, so both read the line the same way.
                text.parse::<f64>().ok().filter(|v| v.is_finite()).map(Some)
            }
        }
    }

    /// An object parsed by `f`, or `None` (skipped) for any other value.
    fn lenient<T>(&mut self, depth: u32, f: impl FnOnce(&mut Self, u32) -> R<T>) -> R<Lenient<T>> {
        if self.peek()? == b'{' {
            f(self, depth).map(|t| Lenient(Some(t)))
        } else {
            self.skip(depth).map(|_| Lenient(None))
        }
    }

    fn msg(&mut self, depth: u32) -> R<Msg<'a>> {
        let mut m = Msg { id: Str(None), model: Str(None), usage: Lenient(None) };
        let mut seen = 0u8;
        self.object(depth, |p, k, d| {
            let bit = match k {
                b"id" => {
                    m.id = p.str_or_null()?;
                    1
                }
                b"model" => {
                    m.model = p.str_or_null()?;
                    2
                }
                b"usage" => {
                    m.usage = p.lenient(d, |p, d| p.usage(d))?;
                    4
                }
                _ => return p.skip(d),
            };
            dup(&mut seen, bit)
        })?;
        Some(m)
    }

    fn usage(&mut self, depth: u32) -> R<Usage<'a>> {
        let (mut input, mut output) = (None, None);
        let mut u = Usage {
            input_tokens: 0,
            output_tokens: 0,
            cache_creation_input_tokens: 0,
            cache_read_input_tokens: 0,
            cache_creation: None,
            speed: Str(None),
        };
        let mut seen = 0u8;
        self.object(depth, |p, k, d| {
            let bit = match k {
                b"input_tokens" => {
                    input = Some(p.u64()?);
                    1
                }
                b"output_tokens" => {
                    output = Some(p.u64()?);
                    2
                }
                b"cache_creation_input_tokens" => {
                    u.cache_creation_input_tokens = p.u64()?;
                    4
                }
                b"cache_read_input_tokens" => {
                    u.cache_read_input_tokens = p.u64()?;
                    8
                }
                b"cache_creation" => {
                    u.cache_creation = match p.peek()? {
                        b'n' => p.literal(b"null").map(|_| None)?,
                        b'{' => Some(p.cache_creation(d)?),
                        _ => return None,
                    };
                    16
                }
                b"speed" => {
                    u.speed = p.str_or_null()?;
                    32
                }
                _ => return p.skip(d),
            };
            dup(&mut seen, bit)
        })?;
        u.input_tokens = input?;
        u.output_tokens = output?;
        Some(u)
    }

    fn cache_creation(&mut self, depth: u32) -> R<CacheCreation> {
        let mut c = CacheCreation { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 };
        let mut seen = 0u8;
        self.object(depth, |p, k, d| {
            let bit = match k {
                b"ephemeral_5m_input_tokens" => {
                    c.ephemeral_5m_input_tokens = p.u64()?;
                    1
                }
                b"ephemeral_1h_input_tokens" => {
                    c.ephemeral_1h_input_tokens = p.u64()?;
                    2
                }
                _ => return p.skip(d),
            };
            dup(&mut seen, bit)
        })?;
        Some(c)
    }

    fn nested(&mut self, depth: u32) -> R<Nested<'a>> {
        let mut n = Nested {
            message: Lenient(None),
            timestamp: Str(None),
            request_id: Str(None),
            is_sidechain: None,
            cost_usd: None,
        };
        let mut seen = 0u8;
        self.object(depth, |p, k, d| {
            let bit = match k {
                b"message" => {
                    n.message = p.lenient(d, |p, d| p.msg(d))?;
                    1
                }
                b"timestamp" => {
                    n.timestamp = p.str_or_null()?;
                    2
                }
                b"requestId" => {
                    n.request_id = p.str_or_null()?;
                    4
                }
                b"isSidechain" => {
                    n.is_sidechain = p.opt_bool()?;
                    8
                }
                b"costUSD" => {
                    n.cost_usd = p.opt_f64()?;
                    16
                }
                _ => return p.skip(d),
            };
            dup(&mut seen, bit)
        })?;
        Some(n)
    }

    fn progress(&mut self, depth: u32) -> R<ProgressData<'a>> {
        let mut pd = ProgressData { message: Lenient(None) };
        let mut seen = 0u8;
        self.object(depth, |p, k, d| {
            if k == b"message" {
                pd.message = p.lenient(d, |p, d| p.nested(d))?;
                dup(&mut seen, 1)
            } else {
                p.skip(d)
            }
        })?;
        Some(pd)
    }

    fn line(&mut self) -> R<Line<'a>> {
        let mut l = Line {
            message: Lenient(None),
            timestamp: Str(None),
            request_id: Str(None),
            is_sidechain: None,
            cost_usd: None,
            version: Str(None),
            session_id: Str(None),
            cwd: AnyStr(None),
            data: Lenient(None),
        };
        let mut seen = 0u16;
        self.object(0, |p, k, d| {
            let bit: u16 = match k {
                b"message" => {
                    l.message = p.lenient(d, |p, d| p.msg(d))?;
                    1
                }
                b"timestamp" => {
                    l.timestamp = p.str_or_null()?;
                    2
                }
                b"requestId" => {
                    l.request_id = p.str_or_null()?;
                    4
                }
                b"isSidechain" => {
                    l.is_sidechain = p.opt_bool()?;
                    8
                }
                b"costUSD" => {
                    l.cost_usd = p.opt_f64()?;
                    16
                }
                b"version" => {
                    l.version = p.str_or_null()?;
                    32
                }
                b"sessionId" => {
                    l.session_id = p.str_or_null()?;
                    64
                }
                b"cwd" => {
                    l.cwd = p.any_str(d)?;
                    128
                }
                b"data" => {
                    l.data = p.lenient(d, |p, d| p.progress(d))?;
                    256
                }
                _ => return p.skip(d),
            };
            if seen & bit != 0 {
                return None;
            }
            seen |= bit;
            Some(())
        })?;
        self.ws();
        (self.i == self.b.len()).then_some(l)
    }
}

/// A duplicate of a key we read makes the derive fail; let serde say so.
fn dup(seen: &mut u8, bit: u8) -> R<()> {
    if *seen & bit != 0 {
        return None;
    }
    *seen |= bit;
    Some(())
}

/// Parses a usage line the way `serde_json::from_str::<Line>` would, or `None` when unsure.
pub(crate) fn parse(s: &str) -> Option<Line<'_>> {
    let mut p = P { b: s.as_bytes(), s, i: 0 };
    p.ws();
    if p.peek()? != b'{' {
        return None;
    }
    p.line()
}
