//! Transcript and journal lines: the hook's transcript scan and the journal parser take any
//! bytes without panicking.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = specwork_core::stores::journal::parse(data, std::path::Path::new("s.log"));
    let dir = std::env::temp_dir().join(format!("specwork-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let t = dir.join("t.jsonl");
    if std::fs::write(&t, data).is_ok() {
        let mut state = specwork_core::agent::agent_hook::HookState::default();
        specwork_core::agent::agent_hook::scan_transcript(&mut state, &t, &["s1", "inv-1000"]);
    }
});
