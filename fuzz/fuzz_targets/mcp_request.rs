//! The MCP request reader: any line gets a verdict, and every reply is one JSON-RPC error line.
#![no_main]
use libfuzzer_sys::fuzz_target;
use specwork_mcp::framing::{Verdict, judge};

fuzz_target!(|data: (&[u8], bool)| {
    if let Verdict::Reply(r) = judge(data.0, data.1) {
        assert!(r.ends_with('\n') && !r[..r.len() - 1].contains('\n'));
        assert!(r.contains("\"jsonrpc\":\"2.0\""));
    }
});
