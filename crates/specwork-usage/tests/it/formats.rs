//! Today's formats of the three main agents: Claude Code subagent transcripts, Codex subagent
//! rollouts that replay their parent's history, Gemini CLI's JSONL sessions (`$set`,
//! `$rewindTo`, rewritten turns), `GEMINI_CLI_HOME` and `.project_root`.

use std::path::PathBuf;

use specwork_testkit::codex::CodexCorpus;
use specwork_testkit::{CostMode, need};

use crate::agents::codex_opts;
use crate::common::*;
use crate::oracle::{assert_generator_agrees, ccusage};
use crate::oracle_or_skip;

/// The corpus, generated into a scratch folder of `test`'s own: the tests run in parallel, and
/// generating rewrites the folder, so a shared one would change under another test's feet.
fn codex_subagents(test: &str) -> (PathBuf, specwork_testkit::codex::CodexLogs) {
    let home = need::scratch(&format!("usage-codex-subagents-s5-{test}")).join("home");
    let logs = CodexCorpus { seed: 5, sessions: 40, subagents: true, ..CodexCorpus::default() }.generate_logs(&home);
    (home, logs)
}

/// A subagent's (or a fork's) rollout replays its parent's `token_count` lines under the
/// spawn's time (ccusage issue #950, up to 91× inflation). specwork counts each call once, and so
/// does ccusage 20.0.24 when the parent's rollout is on disk: both numbers are checked against the
/// generator's calls.
#[test]
fn codex_subagent_replays_count_once() {
    let (home, logs) = codex_subagents("once");
    assert!(!logs.subagent_files.is_empty(), "the corpus has subagents");
    assert!(!logs.replayed.is_empty(), "the subagents replay calls");
    let s = run(&codex_opts(&home));
    let ours = daily(&s, 0);
    let expected = logs.expected.daily(0, CostMode::Calculate);
    assert_daily_eq(&expected, &ours, "totalCost", 1e-9, "codex subagents");
    // Each subagent's own calls are counted, under its own session.
    for f in &logs.subagent_files {
        let stem = f.file_stem().unwrap().to_string_lossy();
        let sid = &stem[stem.len() - 36..];
        let want = logs.expected.calls.iter().filter(|c| c.session == sid).count();
        let got = s.records.iter().filter(|r| r.session_id.as_ref() == sid).count();
        assert_eq!(got, want, "{sid}: own calls");
    }
    let cc = oracle_or_skip!(ccusage("codex", "CODEX_HOME", &home));
    assert_generator_agrees(&cc, &expected, "ccusage codex with subagents");
}

/// Without the parent's rollout (deleted, or kept on another machine) the replay is still known by
/// its time, the time of the parent's `session_meta` copied at the spawn: specwork counts only
/// the subagent's own calls, and so does ccusage.
#[test]
fn codex_replay_without_its_parent_is_not_counted() {
    let (home, logs) = codex_subagents("no-parent");
    let tmp = tempfile::tempdir().unwrap();
    let only = tmp.path().join("sessions");
    std::fs::create_dir_all(&only).unwrap();
    let child = &logs.subagent_files[0];
    std::fs::copy(child, only.join(child.file_name().unwrap())).unwrap();
    let stem = child.file_stem().unwrap().to_string_lossy().into_owned();
    let sid = &stem[stem.len() - 36..];
    let own: u64 = logs.expected.calls.iter().filter(|c| c.session == sid).map(|c| c.total).sum();
    let replayed: u64 = logs.replayed.iter().filter(|c| c.session == sid).map(|c| c.total).sum();
    assert!(replayed > 0);
    let s = run(&codex_opts(tmp.path()));
    assert_eq!(daily(&s, 0).totals.total_tokens, own, "specwork counts the subagent's own calls");
    let _ = home;
    let cc = oracle_or_skip!(ccusage("codex", "CODEX_HOME", tmp.path()));
    assert_eq!(cc["totals"]["totalTokens"].as_u64().unwrap(), own, "ccusage too");
}

/// A subagent spawned after its parent's first call replays a single counter. Without the
/// parent's rollout, ccusage 20.0.24 (which recognises a replay by two leading counters within
/// one second) counts it again; specwork knows it by the time of the copied parent
/// `session_meta` and counts only the subagent's own calls. Both numbers are checked.
#[test]
fn codex_single_counter_replay_without_its_parent_ccusage_counts_again() {
    let (_, logs) = codex_subagents("orphan");
    let sid_of = |f: &PathBuf| {
        let stem = f.file_stem().unwrap().to_string_lossy().into_owned();
        stem[stem.len() - 36..].to_owned()
    };
    let child = logs
        .subagent_files
        .iter()
        .find(|f| logs.replayed.iter().filter(|c| c.session == sid_of(f)).count() == 1)
        .expect("a subagent spawned after its parent's first call");
    let sid = sid_of(child);
    let tmp = tempfile::tempdir().unwrap();
    let only = tmp.path().join("sessions");
    std::fs::create_dir_all(&only).unwrap();
    std::fs::copy(child, only.join(child.file_name().unwrap())).unwrap();
    let own: u64 = logs.expected.calls.iter().filter(|c| c.session == sid).map(|c| c.total).sum();
    let replayed: u64 = logs.replayed.iter().filter(|c| c.session == sid).map(|c| c.total).sum();
    let s = run(&codex_opts(tmp.path()));
    assert_eq!(daily(&s, 0).totals.total_tokens, own, "specwork: the subagent's own calls");
    let cc = oracle_or_skip!(ccusage("codex", "CODEX_HOME", tmp.path()));
    assert_eq!(cc["totals"]["totalTokens"].as_u64().unwrap(), own + replayed, "ccusage: the replay again");
}

/// Gemini CLI's folders named by a slug hold `.project_root`: their calls get that root as their
/// working directory (so they are attributed to the workspace) without the caller naming the
/// roots; folders named by the SHA-256 still need the caller's roots.
#[test]
fn gemini_project_root_names_the_workspace() {
    let c = crate::agents::gemini_corpora();
    let s = run(&crate::agents::gemini_opts(&c.deduped));
    let roots: Vec<&str> = c.logs.projects.iter().map(|(r, _)| r.as_str()).collect();
    let with_cwd: Vec<_> = s.records.iter().filter_map(|r| r.cwd.as_deref()).collect();
    assert!(!with_cwd.is_empty(), "slug folders give a cwd");
    assert!(with_cwd.len() < s.records.len(), "hash folders do not, alone");
    assert!(with_cwd.iter().all(|c| roots.contains(c)), "{with_cwd:?}");
    let mut opts = crate::agents::gemini_opts(&c.deduped);
    opts.project_roots = c.logs.projects.iter().map(|(r, _)| PathBuf::from(r)).collect();
    let all = run(&opts);
    assert!(all.records.iter().all(|r| r.cwd.as_deref().is_some_and(|c| roots.contains(&c))));
}

/// `GEMINI_CLI_HOME` moves Gemini CLI's home: its logs are in `$GEMINI_CLI_HOME/.gemini/tmp`
/// (`GEMINI_DATA_DIR` still wins). ccusage 20.0.24 does not read the variable.
#[test]
fn gemini_cli_home_is_read() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("cli-home/.gemini/tmp");
    std::fs::create_dir_all(&data).unwrap();
    let other = tmp.path().join("data");
    std::fs::create_dir_all(&other).unwrap();
    let home = tmp.path().join("home");
    let vars = |with_data: bool| {
        let (home, cli, other) = (home.clone(), tmp.path().join("cli-home"), other.clone());
        move |k: &str| match k {
            "HOME" => Some(home.clone().into_os_string()),
            "GEMINI_CLI_HOME" => Some(cli.clone().into_os_string()),
            "GEMINI_DATA_DIR" if with_data => Some(other.clone().into_os_string()),
            _ => None,
        }
    };
    let s = specwork_usage::Sources::for_agents(vars(false), &[specwork_usage::Agent::Gemini]).unwrap();
    assert_eq!(s.gemini, vec![data.clone()]);
    let s = specwork_usage::Sources::for_agents(vars(true), &[specwork_usage::Agent::Gemini]).unwrap();
    assert_eq!(s.gemini, vec![other]);
    // The generator's corpus read through GEMINI_CLI_HOME gives the same totals as through
    // GEMINI_DATA_DIR.
    let c = crate::agents::gemini_corpora();
    let cli_home = c.deduped.parent().unwrap().parent().unwrap().join("cli");
    let dot = cli_home.join(".gemini");
    if !dot.exists() {
        std::fs::create_dir_all(&cli_home).unwrap();
        std::os::unix::fs::symlink(c.deduped.parent().unwrap(), &dot).unwrap();
    }
    let v = |k: &str| match k {
        "GEMINI_CLI_HOME" => Some(cli_home.clone().into_os_string()),
        _ => None,
    };
    let sources = specwork_usage::Sources::for_agents(v, &[specwork_usage::Agent::Gemini]).unwrap();
    let via_home = run(&specwork_usage::ScanOptions { sources, ..Default::default() });
    let direct = run(&crate::agents::gemini_opts(&c.deduped));
    assert_eq!(daily(&via_home, 0).totals.total_tokens, daily(&direct, 0).totals.total_tokens);
    assert!(daily(&direct, 0).totals.total_tokens > 0);
}

/// A JSONL session with a `$set` update, a `$rewindTo` and a turn written twice: the rewound call
/// was made and counts (as ccusage counts it), the rewritten turn counts once, with its last
/// tokens; neither `$set` nor `$rewindTo` is a corrupt line. ccusage agrees.
#[test]
fn gemini_jsonl_rewind_and_rewritten_turns() {
    let tmp = tempfile::tempdir().unwrap();
    let chats = tmp.path().join("tmp/notes/chats");
    std::fs::create_dir_all(&chats).unwrap();
    std::fs::write(tmp.path().join("tmp/notes/.project_root"), "/home/dev/src/notes\n").unwrap();
    let lines = [
        r#"{"sessionId":"s1","projectHash":"ab12","startTime":"2026-05-01T10:00:00.000Z","lastUpdated":"2026-05-01T10:00:00.000Z","kind":"main"}"#,
        r#"{"id":"u1","timestamp":"2026-05-01T10:00:01.000Z","type":"user","content":[{"text":"hi"}]}"#,
        r#"{"id":"g1","timestamp":"2026-05-01T10:00:02.000Z","type":"gemini","content":"x","model":"gemini-2.5-pro","tokens":{"input":1000,"output":100,"cached":0,"thoughts":10,"tool":0,"total":1110}}"#,
        r#"{"$set":{"lastUpdated":"2026-05-01T10:00:02.000Z"}}"#,
        r#"{"$rewindTo":"u1"}"#,
        r#"{"id":"u2","timestamp":"2026-05-01T10:01:01.000Z","type":"user","content":[{"text":"again"}]}"#,
        r#"{"id":"g2","timestamp":"2026-05-01T10:01:02.000Z","type":"gemini","content":"x","model":"gemini-2.5-pro","tokens":{"input":2000,"output":200,"cached":0,"thoughts":0,"tool":0,"total":2200}}"#,
        r#"{"id":"g2","timestamp":"2026-05-01T10:01:03.000Z","type":"gemini","content":"xy","model":"gemini-2.5-pro","tokens":{"input":2000,"output":300,"cached":0,"thoughts":0,"tool":0,"total":2300}}"#,
    ];
    std::fs::write(chats.join("session-2026-05-01T10-00-s1.jsonl"), lines.join("\n") + "\n").unwrap();
    let root = tmp.path().join("tmp");
    let s = run(&crate::agents::gemini_opts(&root));
    assert!(s.issues.is_empty(), "{:?}", s.issues);
    assert_eq!(s.records.len(), 2);
    assert_eq!(daily(&s, 0).totals.total_tokens, 1110 + 2300);
    assert!(s.records.iter().all(|r| r.cwd.as_deref() == Some("/home/dev/src/notes")));
    let cc = oracle_or_skip!(ccusage("gemini", "GEMINI_DATA_DIR", &root));
    assert_eq!(cc["totals"]["totalTokens"].as_u64().unwrap(), 1110 + 2300);
}

/// Claude Code 2.1.2+ subagent transcripts (`<session>/subagents/agent-a<hex>.jsonl` beside an
/// `agent-<id>.meta.json`) are counted, as ccusage counts them, and their calls carry the parent's
/// session id, so they go to the parent's specwork session and task.
#[test]
fn claude_subagent_transcripts_count_for_their_parent_session() {
    use specwork_testkit::claude::ClaudeCorpus;
    use specwork_usage::CostMode as Mode;
    let root = need::scratch("usage-claude-subagents-s3").join("root");
    let corpus = ClaudeCorpus { seed: 3, sessions: 30, subagents: true, quirks: false, ..ClaudeCorpus::default() };
    let generated = corpus.generate(&root);
    let without = need::scratch("usage-claude-subagents-s3-base").join("root");
    let base = ClaudeCorpus { subagents: false, ..corpus.clone() }.generate(&without);
    let sub_files: Vec<&PathBuf> = generated
        .files
        .iter()
        .filter(|f| {
            let n = f.file_name().unwrap().to_string_lossy();
            n.strip_prefix("agent-a")
                .and_then(|r| r.strip_suffix(".jsonl"))
                .is_some_and(|h| h.len() == 6 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        })
        .collect();
    assert!(!sub_files.is_empty(), "the corpus has Agent-tool subagents");
    for f in &sub_files {
        assert!(f.with_extension("meta.json").exists(), "{} has its sidecar", f.display());
    }
    assert!(generated.total_tokens() > base.total_tokens(), "the subagents made calls");
    let s = run(&claude_opts(&root, Mode::Auto));
    assert_daily_eq(&reference(&generated, Mode::Auto, 0), &daily(&s, 0), "totalCost", 1e-6, "claude subagents");
    // Every call of every session, subagents' included, carries the parent's session id.
    for sid in &generated.sessions {
        let want = generated.of_session(sid).total_tokens();
        let got: u64 = s.records.iter().filter(|r| r.session_id.as_ref() == sid).map(|r| r.tokens.total()).sum();
        assert_eq!(got, want, "session {sid}");
    }
    let cc = oracle_or_skip!(ccusage("claude", "CLAUDE_CONFIG_DIR", &root));
    assert_daily_eq(&cc, &daily(&s, 0), "totalCost", 1e-6, "ccusage claude subagents");
}

/// Gemini CLI subagent sessions (`chats/<parent session id>/<agent id>.jsonl`, kind `subagent`,
/// their own `sessionId`) are counted for their parent: every call of a session, its subagents'
/// included, carries the parent's session id, and no call carries a subagent's own id.
#[test]
fn gemini_subagent_sessions_count_for_their_parent_session() {
    let c = crate::agents::gemini_corpora();
    assert!(!c.logs.subagent_files.is_empty(), "the corpus has subagents");
    let s = run(&crate::agents::gemini_opts(&c.deduped));
    let expected = &c.logs.expected;
    let mut with_subagents = 0;
    for (file, parent) in &c.logs.subagent_files {
        let folder = file.parent().unwrap().file_name().unwrap().to_string_lossy();
        assert_eq!(&*folder, parent.as_str(), "nested under the parent's id");
        let own: String = file.file_stem().unwrap().to_string_lossy().into_owned();
        assert!(s.records.iter().all(|r| r.session_id.as_ref() != own), "no call under the subagent's own id {own}");
        let want = expected.of_session(parent).total_tokens();
        let got: u64 = s.records.iter().filter(|r| r.session_id.as_ref() == parent).map(|r| r.tokens.total()).sum();
        assert_eq!(got, want, "session {parent} with its subagents");
        with_subagents += 1;
    }
    assert!(with_subagents > 0);
    // Every session's total, the subagents' calls in their parents'.
    for sid in &expected.sessions {
        let got: u64 = s.records.iter().filter(|r| r.session_id.as_ref() == sid).map(|r| r.tokens.total()).sum();
        assert_eq!(got, expected.of_session(sid).total_tokens(), "session {sid}");
    }
}
