//! Task checks: running a task's `_Check: <command>_` ([`run_check`]), which finishing a task does
//! ([`crate::ops::task::finish`]), and `verify` ([`verify`]), which runs the checks of done tasks
//! again and reports those that no longer pass.
//!
//! A check runs as `sh -c <command>` from the workspace root, stdin closed, stdout and stderr
//! into one pipe, in its own process group so a timeout kills everything it started. Only the
//! tail of its output is kept ([`TAIL_BYTES`]).

use std::io::Read as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::model::spec::Spec;
use crate::model::tasks::TaskStatus;
use crate::model::workspace::Workspace;
use crate::stores::evidence::{self, CheckRun};

/// How long a check may run unless the caller says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);
/// How much of a check's output is kept: the last bytes, cut at a line start when one is near.
pub const TAIL_BYTES: usize = 800;

/// The last [`TAIL_BYTES`] of `out`, from a line start when possible, as text.
fn tail(out: &[u8]) -> String {
    let start = out.len().saturating_sub(TAIL_BYTES);
    let mut slice = &out[start..];
    if start > 0
        && let Some(nl) = slice.iter().position(|&b| b == b'\n')
        && nl + 1 < slice.len()
    {
        slice = &slice[nl + 1..];
    }
    String::from_utf8_lossy(slice).trim_end().to_owned()
}

/// Runs `command` with `sh -c` from the workspace root `root`, killing it after `timeout`.
pub fn run_check(root: &std::path::Path, command: &str, timeout: Duration) -> CheckRun {
    let started = Instant::now();
    let failed = |why: String| CheckRun {
        command: command.to_owned(),
        exit_code: None,
        passed: false,
        timed_out: false,
        duration_ms: started.elapsed().as_millis() as u64,
        tail: why,
    };
    let (mut reader, writer) = match std::io::pipe() {
        Ok(p) => p,
        Err(e) => return failed(format!("cannot open a pipe for the check: {e}")),
    };
    let spawned = {
        let mut cmd = Command::new("sh");
        cmd.arg("-c").arg(command).current_dir(root).stdin(Stdio::null()).env("SPECWORK_CHECK", "1");
        match writer.try_clone() {
            Ok(w2) => {
                cmd.stdout(w2).stderr(writer);
            }
            Err(e) => return failed(format!("cannot open a pipe for the check: {e}")),
        }
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt as _;
            cmd.process_group(0);
        }
        cmd.spawn()
        // `cmd` (and the writer ends it holds) is dropped here, so the pipe closes with the child.
    };
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) => return failed(format!("cannot run `sh`: {e}")),
    };
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut kept: Vec<u8> = Vec::new();
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            kept.extend_from_slice(&buf[..n]);
            if kept.len() > 4 * TAIL_BYTES {
                kept.drain(..kept.len() - 2 * TAIL_BYTES);
            }
        }
        let _ = tx.send(kept);
    });
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break Some(s),
            Ok(None) if started.elapsed() >= timeout => {
                timed_out = true;
                kill_group(&mut child);
                break child.wait().ok();
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(15)),
            Err(_) => break None,
        }
    };
    let duration_ms = started.elapsed().as_millis() as u64;
    // A process that left the group may hold the pipe open: take what arrived by then.
    let out = rx.recv_timeout(Duration::from_secs(2)).unwrap_or_default();
    let mut text = tail(&out);
    if timed_out {
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&format!("(killed after {:.1}s)", timeout.as_secs_f64()));
    }
    let exit_code = status.and_then(|s| s.code());
    CheckRun {
        command: command.to_owned(),
        exit_code,
        passed: !timed_out && exit_code == Some(0),
        timed_out,
        duration_ms,
        tail: text,
    }
}

fn kill_group(child: &mut std::process::Child) {
    #[cfg(unix)]
    {
        // The child leads its own process group: kill the group, then the child for certain.
        let group = format!("-{}", child.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
    let _ = child.kill();
}

/// One done task's check, run again.
#[derive(Clone, Debug, Serialize)]
pub struct Verified {
    /// The spec.
    pub spec: String,
    /// The task.
    pub task: String,
    /// Its title.
    pub title: String,
    /// What finishing recorded: `true` verified, `false` forced past a failing check, `None` no
    /// record (finished before checks, or by hand in the file).
    pub was_verified: Option<bool>,
    /// The run now.
    #[serde(flatten)]
    pub run: CheckRun,
}

/// `verify`'s report.
#[derive(Clone, Debug, Serialize)]
pub struct VerifyReport {
    /// Every done task with a check, in spec and file order.
    pub results: Vec<Verified>,
    /// How many passed.
    pub passed: usize,
    /// How many no longer pass.
    pub failing: usize,
}

/// Runs the check of every done task of `specs` again.
pub fn verify(ws: &Workspace, specs: &[&Spec], timeout: Duration) -> VerifyReport {
    let mut results = Vec::new();
    for spec in specs {
        let ev = evidence::load(ws, &spec.id).unwrap_or_default();
        for t in spec.tasks.tasks.iter().filter(|t| t.status == TaskStatus::Done) {
            let Some(cmd) = &t.check else { continue };
            results.push(Verified {
                spec: spec.id.clone(),
                task: t.id.clone(),
                title: t.title.clone(),
                was_verified: ev.tasks.get(&t.id).and_then(|e| e.verified),
                run: run_check(&ws.root, cmd, timeout),
            });
        }
    }
    let passed = results.iter().filter(|r| r.run.passed).count();
    VerifyReport { failing: results.len() - passed, passed, results }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_keeps_the_last_lines() {
        let mut long = String::new();
        for i in 0..500 {
            long.push_str(&format!("line {i}\n"));
        }
        let t = tail(long.as_bytes());
        assert!(t.len() <= TAIL_BYTES);
        assert!(t.ends_with("line 499"));
        assert!(t.starts_with("line "), "{t}");
        assert_eq!(tail(b"ok\n"), "ok");
    }

    #[test]
    fn a_check_runs_in_the_root_and_is_killed_at_its_timeout() {
        let dir = tempfile::tempdir().unwrap();
        fs_err::write(dir.path().join("marker"), "here\n").unwrap();
        let ok = run_check(dir.path(), "cat marker; echo oops >&2; exit 0", Duration::from_secs(30));
        assert!(ok.passed && ok.exit_code == Some(0), "{ok:?}");
        assert_eq!(ok.tail, "here\noops");
        let bad = run_check(dir.path(), "exit 7", Duration::from_secs(30));
        assert_eq!((bad.passed, bad.exit_code), (false, Some(7)));
        // A child of the shell holding the pipe is killed with it: the run ends at the timeout.
        let slow = run_check(dir.path(), "echo started; sleep 30 & sleep 30", Duration::from_millis(300));
        assert!(slow.timed_out && !slow.passed && slow.exit_code.is_none(), "{slow:?}");
        assert!(slow.duration_ms < 5_000, "{slow:?}");
        assert!(slow.tail.starts_with("started") && slow.tail.ends_with("(killed after 0.3s)"), "{slow:?}");
    }
}
