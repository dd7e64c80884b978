//! The UI text catalogue: one TOML file per locale in `locales/` (`en.toml`, `th.toml`), every
//! string the dashboard shows, embedded at build time. Adding a locale is adding one file.
//!
//! Keys are `section.key` (TOML tables flattened). A key missing from a locale falls back to
//! English, then to the key itself, so a half-translated locale still works; a test checks that
//! every shipped locale has every English key. Values may hold `{name}` placeholders filled by
//! [`Catalogue::f`].

use std::collections::HashMap;
use std::sync::LazyLock;

include!(concat!(env!("OUT_DIR"), "/locales.rs"));

/// One locale's strings.
#[derive(Debug)]
pub struct Catalogue {
    /// The locale code (`en`, `th`).
    pub code: String,
    strings: HashMap<String, String>,
}

static CATALOGUES: LazyLock<Vec<Catalogue>> = LazyLock::new(|| {
    let mut v: Vec<Catalogue> = LOCALES
        .iter()
        .map(|(code, src)| {
            let table: toml::Table =
                toml::from_str(src).unwrap_or_else(|e| panic!("locales/{code}.toml is invalid: {e}"));
            let mut strings = HashMap::new();
            flatten("", &table, &mut strings);
            Catalogue { code: (*code).to_owned(), strings }
        })
        .collect();
    // English first: it is the fallback.
    v.sort_by_key(|c| (c.code != "en", c.code.clone()));
    v
});

fn flatten(prefix: &str, t: &toml::Table, out: &mut HashMap<String, String>) {
    for (k, v) in t {
        let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
        match v {
            toml::Value::Table(t) => flatten(&key, t, out),
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            other => {
                out.insert(key, other.to_string());
            }
        }
    }
}

/// Every embedded catalogue, English first.
pub fn catalogues() -> &'static [Catalogue] {
    &CATALOGUES
}

/// The English catalogue.
pub fn english() -> &'static Catalogue {
    &CATALOGUES[0]
}

/// The catalogue for a locale code (`th`, `th-TH`, `EN-us`), if one is shipped.
pub fn by_code(code: &str) -> Option<&'static Catalogue> {
    let primary = code.trim().split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
    CATALOGUES.iter().find(|c| c.code == primary)
}

/// Picks the catalogue for an `Accept-Language` header (`th-TH,th;q=0.9,en;q=0.8`): the shipped
/// locale with the highest quality, English when none matches.
pub fn negotiate(accept_language: Option<&str>) -> &'static Catalogue {
    let Some(header) = accept_language else { return english() };
    let mut best: Option<(f32, usize, &'static Catalogue)> = None;
    for (pos, part) in header.split(',').enumerate() {
        let mut it = part.split(';');
        let tag = it.next().unwrap_or("").trim();
        let q = it.find_map(|p| p.trim().strip_prefix("q=")).and_then(|q| q.trim().parse::<f32>().ok()).unwrap_or(1.0);
        if q <= 0.0 {
            continue;
        }
        if let Some(c) = by_code(tag)
            && best.is_none_or(|(bq, bpos, _)| q > bq || (q == bq && pos < bpos))
        {
            best = Some((q, pos, c));
        }
    }
    best.map_or_else(english, |(_, _, c)| c)
}

impl Catalogue {
    /// The string for `key`, falling back to English, then to the key.
    pub fn t<'a>(&'a self, key: &'a str) -> &'a str {
        self.strings.get(key).or_else(|| english().strings.get(key)).map_or(key, String::as_str)
    }

    /// The string for `key` with `{name}` placeholders filled.
    pub fn f(&self, key: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
        let mut s = self.t(key).to_owned();
        for (name, value) in args {
            s = s.replace(&format!("{{{name}}}"), &value.to_string());
        }
        s
    }

    /// The string for `key` with its `{n}` placeholder filled.
    pub fn n(&self, key: &str, n: impl std::fmt::Display) -> String {
        self.t(key).replace("{n}", &n.to_string())
    }

    /// The label of an enumerated value: `k("status", "active")` looks up `status.active`,
    /// falling back to the value itself.
    pub fn k<'a>(&'a self, prefix: &str, value: &'a str) -> &'a str {
        let key = format!("{prefix}.{value}");
        self.strings.get(&key).or_else(|| english().strings.get(&key)).map_or(value, String::as_str)
    }

    /// Every key this catalogue defines.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.strings.keys().map(String::as_str)
    }

    /// The locale's own name (`English`, `ไทย`).
    pub fn name(&self) -> &str {
        self.t("meta.name")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_locale_has_every_english_key() {
        let en = english();
        assert_eq!(en.code, "en");
        assert!(catalogues().len() >= 2);
        for c in catalogues() {
            let mut missing: Vec<&str> = en.keys().filter(|k| !c.strings.contains_key(*k)).collect();
            missing.sort_unstable();
            assert!(missing.is_empty(), "locales/{}.toml lacks {missing:?}", c.code);
            let mut extra: Vec<&str> = c.keys().filter(|k| !en.strings.contains_key(*k)).collect();
            extra.sort_unstable();
            assert!(extra.is_empty(), "locales/{}.toml has keys English lacks: {extra:?}", c.code);
        }
    }

    #[test]
    fn negotiates_accept_language() {
        assert_eq!(negotiate(Some("th-TH,th;q=0.9,en;q=0.8")).code, "th");
        assert_eq!(negotiate(Some("fr-FR,en;q=0.5,th;q=0.4")).code, "en");
        assert_eq!(negotiate(Some("fr")).code, "en");
        assert_eq!(negotiate(Some("en;q=0.2, th;q=0.9")).code, "th");
        assert_eq!(negotiate(None).code, "en");
        assert_eq!(english().f("portfolio.tasks_done", &[("done", &3), ("total", &7)]), "3/7 tasks");
    }
}
