//! Shared pieces of the generators: a seeded RNG with the draws they need, synthetic text,
//! timestamps and an ordered JSON object builder (agents write keys in a fixed order, and the
//! readers' fast paths are tested on lines that look like the real ones).

use std::fmt::Write as _;
use std::path::Path;

/// Milliseconds since the epoch as `2025-09-01T10:00:00.123Z` (the agents' timestamp shape).
pub fn iso_ms(ms: i64) -> String {
    let ts = jiff::Timestamp::from_millisecond(ms).expect("timestamp in range");
    format!("{}.{:03}Z", ts.strftime("%Y-%m-%dT%H:%M:%S"), ms.rem_euclid(1000))
}

/// Parses an RFC 3339 timestamp (`2025-01-13T11:40:00Z`) to milliseconds since the epoch.
///
/// # Panics
/// On a malformed timestamp (a bug in the test that passed it).
pub fn parse_ms(s: &str) -> i64 {
    s.parse::<jiff::Timestamp>().unwrap_or_else(|e| panic!("bad timestamp {s:?}: {e}")).as_millisecond()
}

/// The calendar day (`YYYY-MM-DD`) of `ms` in a fixed offset of `offset_min` minutes from UTC.
pub fn day_of(ms: i64, offset_min: i32) -> String {
    let ts = jiff::Timestamp::from_millisecond(ms + i64::from(offset_min) * 60_000).expect("timestamp in range");
    ts.strftime("%Y-%m-%d").to_string()
}

/// Midnight UTC of `YYYY-MM-DD`, in milliseconds.
pub(crate) fn day_start_ms(date: &str) -> i64 {
    parse_ms(&format!("{date}T00:00:00Z"))
}

/// A JSON string literal.
pub(crate) fn js(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialise")
}

/// A JSON object written key by key, in order. Values are JSON text.
pub(crate) struct Obj(String);

impl Obj {
    pub(crate) fn new() -> Self {
        Obj(String::from("{"))
    }

    /// Adds `"key":<json>`.
    pub(crate) fn raw(mut self, key: &str, json: impl AsRef<str>) -> Self {
        if self.0.len() > 1 {
            self.0.push(',');
        }
        let _ = write!(self.0, "{}:{}", js(key), json.as_ref());
        self
    }

    /// Adds a string value.
    pub(crate) fn s(self, key: &str, v: &str) -> Self {
        let v = js(v);
        self.raw(key, v)
    }

    /// Adds a number (or any `Display` that is JSON, such as `true`).
    pub(crate) fn n(self, key: &str, v: impl std::fmt::Display) -> Self {
        self.raw(key, v.to_string())
    }

    pub(crate) fn end(mut self) -> String {
        self.0.push('}');
        self.0
    }
}

/// A JSON array of JSON texts.
pub(crate) fn arr<I: IntoIterator<Item = String>>(items: I) -> String {
    format!("[{}]", items.into_iter().collect::<Vec<_>>().join(","))
}

const WORDS: &[&str] = &[
    "the", "a", "to", "of", "and", "in", "for", "is", "on", "that", "with", "this", "function", "return", "const",
    "value", "error", "test", "file", "path", "config", "build", "run", "import", "struct", "impl", "token", "usage",
    "cost", "session", "project", "model", "cache", "read", "write", "input", "output", "json", "parse", "line",
    "stream", "buffer", "index", "result", "option", "match", "module", "crate", "update", "fix", "refactor", "check",
    "handle", "request", "response", "client", "server", "report", "daily", "total", "query", "render",
];

/// Text that exercises escaping: quotes, backslashes, control characters, non-ASCII, emoji.
const SNIPPETS: &[&str] = &[
    "fn main() {\n    println!(\"hello {}\", name);\n}\n",
    "export function sum(a: number, b: number): number {\n\treturn a + b;\n}\n",
    "const x = { \"key\": \"value\", \"n\": 42 };\nconsole.log(`x=${x}`);\n",
    "C:\\Users\\dana\\src\\app \\\\ \"quoted\" \u{1}\n",
    "ünïcödé — “quotes” ‘single’ 日本語テキスト 🚀 emoji\t\ttabs\n",
    "SELECT id, name FROM users WHERE created_at > NOW() - INTERVAL '1 day';\n",
];

const FILES: &[&str] = &[
    "src/lib.rs",
    "src/main.rs",
    "src/report.rs",
    "src/parser/mod.rs",
    "tests/it/main.rs",
    "README.md",
    "Cargo.toml",
    "src/app.ts",
    "docs/guide.md",
];

/// A seeded RNG with the draws the generators use, and a pool of synthetic text.
pub(crate) struct Rng {
    r: fastrand::Rng,
    pool: String,
}

impl Rng {
    pub(crate) fn new(seed: u64, salt: &str) -> Self {
        let mut h = seed ^ 0x9e37_79b9_7f4a_7c15;
        for b in salt.bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        let mut r = fastrand::Rng::with_seed(h);
        let mut pool = String::new();
        while pool.len() < 96 * 1024 {
            if r.f64() < 0.04 {
                pool.push_str(SNIPPETS[r.usize(..SNIPPETS.len())]);
            } else {
                pool.push_str(WORDS[r.usize(..WORDS.len())]);
                pool.push(' ');
            }
        }
        Rng { r, pool }
    }

    /// Uniform in `lo..=hi`.
    pub(crate) fn int(&mut self, lo: u64, hi: u64) -> u64 {
        self.r.u64(lo..=hi)
    }

    /// Uniform in `[0, 1)`.
    pub(crate) fn f(&mut self) -> f64 {
        self.r.f64()
    }

    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.r.f64() < p
    }

    pub(crate) fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.r.usize(..xs.len())]
    }

    /// Index drawn with the given weights.
    pub(crate) fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut x = self.r.u32(..total);
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }

    /// A Pareto-like integer in `lo..=hi`: mostly small, with a heavy tail.
    pub(crate) fn heavy(&mut self, lo: u64, hi: u64, alpha: f64) -> u64 {
        let u = self.r.f64().max(1e-12);
        let x = lo as f64 / u.powf(1.0 / alpha);
        (x.min(hi as f64) as u64).max(lo)
    }

    pub(crate) fn uuid4(&mut self) -> String {
        let a = self.r.u128(..);
        let a = (a & !(0xf << 76) | (0x4 << 76)) & !(0x3 << 62) | (0x2 << 62);
        let h = format!("{a:032x}");
        format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
    }

    /// `n` characters from an alphabet.
    pub(crate) fn token(&mut self, alphabet: &str, n: usize) -> String {
        let a: Vec<char> = alphabet.chars().collect();
        (0..n).map(|_| a[self.r.usize(..a.len())]).collect()
    }

    pub(crate) fn hex(&mut self, n: usize) -> String {
        self.token("0123456789abcdef", n)
    }

    /// About `bytes` bytes of synthetic text (cut on a character boundary).
    pub(crate) fn text(&mut self, bytes: usize) -> String {
        let bytes = bytes.min(self.pool.len() - 8);
        let mut start = self.r.usize(..self.pool.len() - bytes);
        while !self.pool.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = start + bytes;
        while !self.pool.is_char_boundary(end) {
            end -= 1;
        }
        self.pool[start..end].to_owned()
    }

    pub(crate) fn sentence(&mut self, lo: u64, hi: u64) -> String {
        let n = self.int(lo, hi);
        let words: Vec<&str> = (0..n).map(|_| *self.pick(WORDS)).collect();
        let s = words.join(" ");
        let mut c = s.chars();
        c.next().map_or_else(String::new, |f| f.to_uppercase().collect::<String>() + c.as_str() + ".")
    }

    pub(crate) fn file(&mut self) -> &'static str {
        FILES[self.r.usize(..FILES.len())]
    }
}

/// Writes `data` to `path`, creating its folder.
pub(crate) fn write(path: &Path, data: &[u8]) {
    fs_err::create_dir_all(path.parent().expect("a file path")).expect("create the log folder");
    fs_err::write(path, data).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

/// The first `frac` of `line`, cut on a character boundary: a write torn mid-line.
pub(crate) fn torn(line: &str, frac: f64) -> &str {
    let mut at = ((line.len() as f64 * frac) as usize).clamp(1, line.len() - 1);
    while !line.is_char_boundary(at) {
        at -= 1;
    }
    &line[..at]
}
