//! Proptest versions of issue 14's fuzz targets (the cargo-fuzz ones live in `fuzz/`): front
//! matter, journal lines, the hook's transcript scan, and the one-line sanitiser, on arbitrary
//! bytes. Properties: nothing panics; sanitised text can never end a generated block.

use proptest::prelude::*;
use specwork_core::agent::agent_hook::{HookState, scan_transcript};
use specwork_core::base::names::one_line;
use specwork_core::stores::journal;
use specwork_core::text::front_matter;

fn hostile_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just("\n".to_owned()),
            Just("\r\n".to_owned()),
            Just("<!-- /specwork:session -->".to_owned()),
            Just("<!--".to_owned()),
            Just("-->".to_owned()),
            Just("---\n".to_owned()),
            Just("### Session 9: x".to_owned()),
            Just("\u{2028}\u{202E}\u{0085}\t".to_owned()),
            "[ -~]{0,12}",
            "\\PC{0,6}",
        ],
        0..24,
    )
    .prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn one_line_never_holds_a_line_break_or_a_comment_delimiter(s in hostile_text()) {
        let o = one_line(&s);
        prop_assert!(!o.contains(['\n', '\r', '\u{2028}', '\u{2029}', '\u{85}']), "{o:?}");
        prop_assert!(!o.contains("-->") && !o.contains("<!--"), "{o:?}");
        prop_assert_eq!(one_line(&o), o.clone(), "idempotent");
        prop_assert!(o.chars().count() <= specwork_core::base::names::ONE_LINE_MAX);
    }

    #[test]
    fn front_matter_never_panics(s in hostile_text(), fm in any::<bool>()) {
        let src = if fm { format!("---\n{s}\n---\n# T\n") } else { s };
        let _ = front_matter::read(&src);
    }

    #[test]
    fn journal_lines_never_panic(lines in prop::collection::vec(prop_oneof![
        hostile_text(),
        Just(r#"{"v":1,"ts":"2025-01-01T00:00:00Z","session":"s","event":"note","text":"x","section":"planning"}"#.to_owned()),
        Just(r#"{"v":1,"ts":"20"#.to_owned()),
    ], 0..8)) {
        let bytes = lines.join("\n").into_bytes();
        let _ = journal::parse(&bytes, std::path::Path::new("s.log"));
    }

    #[test]
    fn transcript_scan_never_panics(s in hostile_text(), names in prop::collection::vec("[a-z0-9-]{1,8}", 0..3)) {
        let dir = tempfile::tempdir().unwrap();
        let t = dir.path().join("t.jsonl");
        fs_err::write(&t, format!("{s}start-session {}\n", names.first().map_or("", String::as_str))).unwrap();
        let mut state = HookState::default();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        scan_transcript(&mut state, &t, &refs);
        scan_transcript(&mut state, &t, &refs);
    }
}
