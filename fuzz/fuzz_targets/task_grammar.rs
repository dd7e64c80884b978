//! The task grammar: parsing any text never panics, and every marker offset points at a marker.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &str| {
    let list = specwork_core::model::tasks::parse(data, "tasks.md");
    for t in &list.tasks {
        assert!(t.marker_offset < data.len());
    }
});
