//! The price table and `specwork.toml` overrides.

use std::collections::BTreeMap;

use specwork_usage::{PriceOverride, PriceTable, UsageError};

#[derive(serde::Deserialize)]
struct Config {
    #[serde(default)]
    prices: BTreeMap<String, PriceOverride>,
}

#[test]
fn overrides_come_from_specwork_toml() {
    let cfg: Config = toml::from_str(
        r#"
        [prices."claude-sonnet-4-5"]
        input = 2.5
        [prices."claude-sonnet-4-5".long_context]
        input = 5.0
        output = 20.0

        [prices."house/llama-70b"]
        input = 0.5
        output = 1.5
        cache_read = 0.05
        "#,
    )
    .unwrap();
    let t = PriceTable::builtin().with_overrides(&cfg.prices).unwrap();
    let (key, p) = t.lookup("claude-sonnet-4-5-20250929").unwrap();
    assert_eq!(key, "claude-sonnet-4-5", "the override wins over the table's dated key");
    assert_eq!((p.input, p.output, p.cache_write_5m), (2.5, 15.0, 3.75));
    let lc = p.long_context.as_ref().unwrap();
    assert_eq!((lc.threshold, lc.input, lc.output, lc.cache_write_1h), (200_000, 5.0, 20.0, 10.0));
    let (_, h) = t.lookup("house/llama-70b").unwrap();
    assert_eq!((h.input, h.cache_read, h.cache_write_5m), (0.5, 0.05, 0.625));
    // The built-in table is untouched for other models.
    assert_eq!(t.lookup("claude-opus-4-6").unwrap().1.output, 25.0);
}

#[test]
fn bad_overrides_are_errors_naming_the_model() {
    let cfg: Result<Config, _> = toml::from_str("[prices.x]\ninput = 1\ntypo = 2\n");
    assert!(cfg.is_err(), "unknown fields are rejected");
    let mut m = BTreeMap::new();
    m.insert("x".to_owned(), PriceOverride { input: Some(-1.0), output: Some(1.0), ..Default::default() });
    let e = PriceTable::builtin().with_overrides(&m).unwrap_err();
    assert!(matches!(e, UsageError::InvalidPrice { .. }));
    assert!(e.to_string().contains("\"x\""), "{e}");
}

#[test]
fn the_builtin_table_has_current_models_with_all_prices() {
    let t = PriceTable::builtin();
    for m in [
        "claude-opus-4-6",
        "claude-opus-4-5",
        "claude-sonnet-4-5",
        "claude-sonnet-4-6",
        "claude-haiku-4-5",
        "gpt-5-codex",
        "gpt-5.2-codex",
        "gemini-2.5-pro",
        "gemini-3-pro-preview",
    ] {
        let (_, p) = t.lookup(m).unwrap_or_else(|| panic!("{m} missing"));
        assert!(p.input > 0.0 && p.output > p.input && p.cache_read < p.input, "{m}");
        if m.starts_with("claude") {
            assert_eq!(p.cache_write_5m, p.input * 1.25, "{m}");
            assert_eq!(p.cache_write_1h, p.input * 2.0, "{m}");
        }
    }
    let s4 = t.lookup("claude-sonnet-4-20250514").unwrap().1;
    assert_eq!(s4.long_context.as_ref().unwrap().input, 6.0);
}
