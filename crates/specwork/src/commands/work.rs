//! `specwork work SPEC`: the seed's `/spec_work` flow. Finds or creates the context file, shows
//! the spec's state and offers 1 review / 2 plan / 3 start / 4 skip to implementation; `--resume`
//! asks where to continue; `--status` and `--deliverables` show the reports.
//!
//! Every question has a flag. On a terminal (stdin is a TTY and no `--json`) the flow prompts;
//! otherwise it never waits for input: it prints the question and the flags that answer it, and
//! exits 0 — agents call it that way from `/spec_work`.

use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};

use clap::Args;
use serde::Serialize;
use specwork_core::ops::OpError;
use specwork_core::ops::phases::{self, PlannedTask};
use specwork_core::ops::session::SessionPick;
use specwork_core::ops::spec_work::{self, ContextRef};
use specwork_core::ops::task::{self, StartOptionsTask};
use specwork_core::stores::approvals::{self, DocKind};
use specwork_core::stores::session;
use specwork_core::views::report::{self, ResumeReport, TaskRef};
use specwork_core::{Layout, Spec, SpecStatus, TaskCounts, TaskStatus, Workspace, text::markdown};

use super::{Ctx, deliverables, resume, status};
use crate::error::{CmdResult, CommandError};

#[derive(Args, Debug)]
pub struct WorkArgs {
    /// The spec to work on (`1014`, `invoice-management`)
    pub spec: String,

    /// Resume: the previous sessions, remaining tasks and "Continue from task N?"
    #[arg(long, conflicts_with_all = ["status", "deliverables", "choice"])]
    pub resume: bool,

    /// Show the spec's status report
    #[arg(long, conflicts_with_all = ["deliverables", "choice", "yes", "no", "modify", "select"])]
    pub status: bool,

    /// Show the deliverables report
    #[arg(long, conflicts_with_all = ["choice", "yes", "no", "modify", "select"])]
    pub deliverables: bool,

    /// Answer the menu: 1 review the requirements, 2 create the implementation plan, 3 start
    /// implementation, 4 skip to implementation
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=4))]
    pub choice: Option<u8>,

    /// Answer yes: accept the plan (with --choice 2) or continue from the next task (with --resume)
    #[arg(long, conflicts_with_all = ["no", "select"])]
    pub yes: bool,

    /// Answer no
    #[arg(long, conflicts_with_all = ["modify", "select"])]
    pub no: bool,

    /// Modify the plan (with --choice 2): add TEXT as a planned task; repeatable
    #[arg(long, value_name = "TEXT")]
    pub modify: Vec<String>,

    /// Continue from this task instead of the next one (with --resume)
    #[arg(long, value_name = "TASK")]
    pub select: Option<String>,
}

/// A menu entry.
#[derive(Serialize)]
struct MenuItem {
    choice: u8,
    label: &'static str,
}

const MENU: [MenuItem; 4] = [
    MenuItem { choice: 1, label: "Review the spec requirements" },
    MenuItem { choice: 2, label: "Create implementation plan" },
    MenuItem { choice: 3, label: "Start implementation" },
    MenuItem { choice: 4, label: "Skip to implementation (I'll plan as we go)" },
];

/// A possible answer to the open question and the command that gives it.
#[derive(Serialize)]
struct Answer {
    answer: &'static str,
    command: String,
}

/// `work --json`: what was shown, what changed, and the open question with its answers.
#[derive(Serialize)]
struct WorkReport {
    spec: String,
    title: String,
    layout: &'static str,
    context: Option<ContextRef>,
    state: &'static str,
    tasks: TaskCounts,
    /// `menu`, `requirements`, `plan`, `start` or `resume`.
    view: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    menu: Vec<&'static MenuItem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    requirements: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    plan: Vec<TaskRef>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    added_tasks: Vec<PlannedTask>,
    /// The approval recorded when the plan was accepted.
    #[serde(skip_serializing_if = "Option::is_none")]
    approval_id: Option<String>,
    /// The task was started although its plan is not approved (menu choice 4).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    gate_skipped: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    plan_accepted: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resume: Option<ResumeReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    started: Option<TaskRef>,
    /// The session the started task is recorded in.
    #[serde(skip_serializing_if = "Option::is_none")]
    session: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    question: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    answers: Vec<Answer>,
}

pub fn run(ctx: &Ctx, a: WorkArgs) -> CmdResult {
    if a.status {
        return status::run(ctx, status::StatusArgs { spec: Some(a.spec), archived: false, projects: false });
    }
    if a.deliverables {
        return deliverables::run(ctx, deliverables::DeliverablesArgs { spec: a.spec });
    }
    check_flags(&a)?;
    let root = ctx.root()?;
    let ws = ctx.workspace()?;
    let spec = ws.spec(&a.spec)?;
    let context = spec_work::ensure_context(ws, spec)?;
    let interactive = !ctx.ui.json && std::io::stdin().is_terminal();
    let mut flow = Flow {
        ctx,
        root,
        id: spec.id.clone(),
        interactive,
        report: WorkReport {
            spec: spec.id.clone(),
            title: spec.title.clone(),
            layout: spec.layout.as_str(),
            context,
            state: spec_work::state(spec),
            tasks: spec.tasks.counts(),
            view: "menu",
            menu: Vec::new(),
            requirements: None,
            plan: Vec::new(),
            added_tasks: Vec::new(),
            approval_id: None,
            gate_skipped: false,
            plan_accepted: None,
            resume: None,
            started: None,
            session: None,
            question: None,
            answers: Vec::new(),
        },
    };
    flow.header(spec);
    if a.resume {
        flow.resume(spec, &a)?;
    } else {
        flow.menu(spec, &a)?;
    }
    let r = &flow.report;
    ctx.ui.report(r, |_| {});
    Ok(0)
}

fn check_flags(a: &WorkArgs) -> CmdResult<()> {
    let plan_answer = a.yes || a.no || !a.modify.is_empty();
    if a.resume && !a.modify.is_empty() {
        return Err(CommandError::usage("--modify changes a plan", "use it with --choice 2"));
    }
    if !a.resume && a.select.is_some() {
        return Err(CommandError::usage("--select answers \"Continue from task N?\"", "use it with --resume"));
    }
    if !a.resume && plan_answer && a.choice.is_some_and(|c| c != 2) {
        return Err(CommandError::usage(
            "--yes, --no and --modify answer the plan question",
            "use them with --choice 2 (or --resume for --yes/--no)",
        ));
    }
    Ok(())
}

struct Flow<'a> {
    ctx: &'a Ctx,
    root: PathBuf,
    id: String,
    interactive: bool,
    report: WorkReport,
}

impl Flow<'_> {
    fn say(&self, s: &str) {
        self.ctx.ui.text(s);
    }

    fn cmd(&self, flags: &str) -> String {
        format!("specwork work {} {flags}", self.id)
    }

    /// Reads one answer from the terminal; `None` at end of input.
    fn ask(&self, prompt: &str) -> Option<String> {
        self.say(prompt);
        let mut line = String::new();
        match std::io::stdin().lock().read_line(&mut line) {
            Ok(0) | Err(_) => None,
            Ok(_) => Some(line.trim().to_owned()),
        }
    }

    /// Re-reads the workspace after an edit.
    fn reload(&self) -> CmdResult<Workspace> {
        Ok(Workspace::load(&self.root)?)
    }

    /// Sets the open question. Without a terminal, prints the commands that answer it.
    fn question(&mut self, q: &str, answers: Vec<Answer>) {
        self.report.question = Some(q.to_owned());
        if !self.interactive {
            let mut s = format!("\n{q}\n");
            for a in &answers {
                s.push_str(&format!("  {:<7} {}\n", a.answer, a.command));
            }
            self.say(&s);
        }
        self.report.answers = answers;
    }

    fn header(&self, spec: &Spec) {
        let r = &self.report;
        let mut s = format!("I've loaded spec {} ({}).\n", spec.id, spec.title);
        if let Some(c) = &r.context {
            let verb = if c.created { "created" } else { "found" };
            s.push_str(&format!("Context: {} ({verb})\n", specwork_core::base::display::slash_path(&c.path)));
        }
        let t = &r.tasks;
        let detail = match r.state {
            "Not started" if t.total > 0 => {
                format!(" ({} task{} planned)", t.total, if t.total == 1 { "" } else { "s" })
            }
            "Not started" => " (no tasks planned yet)".to_owned(),
            _ => format!(" ({}/{} tasks done)", t.done, t.total),
        };
        s.push_str(&format!("Current status: {}{detail}\n", r.state));
        self.say(&s);
    }

    fn menu(&mut self, spec: &Spec, a: &WorkArgs) -> CmdResult<()> {
        let mut text = String::from("\nWould you like to:\n");
        for m in &MENU {
            text.push_str(&format!("{}. {}\n", m.choice, m.label));
        }
        let choice = match a.choice {
            Some(c) => c,
            None if self.interactive => {
                self.say(&text);
                loop {
                    match self.ask("\nChoose 1-4 (q to quit): ").as_deref() {
                        None | Some("q" | "quit" | "") => return Ok(()),
                        Some(s) => match s.trim_end_matches('.').parse::<u8>() {
                            Ok(c @ 1..=4) => break c,
                            _ => self.say("Please answer 1, 2, 3 or 4.\n"),
                        },
                    }
                }
            }
            None => {
                self.say(&text);
                self.report.menu = MENU.iter().collect();
                let answers = MENU
                    .iter()
                    .map(|m| Answer {
                        answer: ["1", "2", "3", "4"][m.choice as usize - 1],
                        command: self.cmd(&format!("--choice {}", m.choice)),
                    })
                    .collect();
                self.question("Answer with:", answers);
                return Ok(());
            }
        };
        match choice {
            1 => self.review(spec),
            2 => self.plan(a),
            c => self.start(c == 4, None),
        }
    }

    fn review(&mut self, spec: &Spec) -> CmdResult<()> {
        self.report.view = "requirements";
        let (file, text) = requirements(&self.root, spec);
        let mut s = String::from("\n## Requirements\n");
        if let Some(f) = &file {
            s.push_str(&format!("(from {})\n\n", specwork_core::base::display::slash_path(f)));
        }
        match &text {
            Some(t) => {
                s.push_str(t.trim_end());
                s.push('\n');
            }
            None => s.push_str("No requirements written yet.\n"),
        }
        self.say(&s);
        self.report.requirements = text;
        if self.interactive {
            let ws = self.reload()?;
            let spec = ws.spec(&self.id)?;
            let args = WorkArgs::plain(&self.id);
            return self.menu(spec, &args);
        }
        self.question(
            "Next:",
            vec![
                Answer { answer: "plan", command: self.cmd("--choice 2") },
                Answer { answer: "start", command: self.cmd("--choice 3") },
            ],
        );
        Ok(())
    }

    fn plan(&mut self, a: &WorkArgs) -> CmdResult<()> {
        self.report.view = "plan";
        self.say("\nCreating implementation plan...\n");
        let mut pending_modify: Vec<String> = a.modify.clone();
        loop {
            let ws = self.reload()?;
            let spec = ws.spec(&self.id)?;
            if !pending_modify.is_empty() {
                let added = phases::add_tasks(&ws, spec, &std::mem::take(&mut pending_modify))?;
                self.report.added_tasks.extend(added.added);
            }
            let ws = self.reload()?;
            let spec = ws.spec(&self.id)?;
            self.show_plan(spec);
            self.report.tasks = spec.tasks.counts();
            self.report.state = spec_work::state(spec);
            let answer = if a.yes {
                Some("yes".to_owned())
            } else if a.no {
                Some("no".to_owned())
            } else if self.interactive {
                self.ask("\nShall I proceed with this plan? (yes/no/modify) ")
            } else {
                None
            };
            match answer.as_deref().map(str::to_ascii_lowercase).as_deref() {
                Some("y" | "yes") => {
                    if spec.tasks.tasks.is_empty() {
                        self.say("There is no plan to accept yet: add tasks with modify first.\n");
                        if !self.interactive {
                            return Ok(());
                        }
                        continue;
                    }
                    self.report.plan_accepted = Some(true);
                    let target = approvals::spec_target(spec, DocKind::Tasks)?;
                    let approval = approvals::approve(&ws, &target, Some("Plan approved: yes (specwork work)"))?;
                    spec_work::set_context_status(&ws, spec, SpecStatus::Active)?;
                    self.say(&format!("\nPlan accepted ({}).\n", approval.approval_id));
                    self.report.approval_id = Some(approval.approval_id);
                    return self.start(false, None);
                }
                Some("n" | "no") => {
                    self.report.plan_accepted = Some(false);
                    let file = spec
                        .tasks_source
                        .as_ref()
                        .map(|s| specwork_core::base::display::slash_path(&s.file))
                        .unwrap_or_default();
                    self.say(&format!(
                        "\nPlan not accepted; nothing changed. Edit the tasks in {file}, or add one with {}.\n",
                        self.cmd("--choice 2 --modify \"TEXT\"")
                    ));
                    return Ok(());
                }
                Some("m" | "modify") if self.interactive => {
                    while let Some(t) = self.ask("Task to add (empty to finish): ") {
                        if t.is_empty() {
                            break;
                        }
                        pending_modify.push(t);
                    }
                }
                Some(_) if self.interactive => self.say("Please answer yes, no or modify.\n"),
                _ => {
                    let answers = vec![
                        Answer { answer: "yes", command: self.cmd("--choice 2 --yes") },
                        Answer { answer: "no", command: self.cmd("--choice 2 --no") },
                        Answer { answer: "modify", command: self.cmd("--choice 2 --modify \"TASK TEXT\"") },
                    ];
                    self.question("Shall I proceed with this plan? (yes/no/modify)", answers);
                    return Ok(());
                }
            }
        }
    }

    fn show_plan(&mut self, spec: &Spec) {
        let mut s = String::from("\n## Planned Tasks:\n");
        if spec.tasks.tasks.is_empty() {
            s.push_str("No planned tasks yet.\n");
        }
        for t in &spec.tasks.tasks {
            s.push_str(&format!(
                "{}{}. {} {}\n",
                "   ".repeat(t.level),
                short_id(&t.id),
                TaskStatus::symbol(t.status),
                t.title
            ));
        }
        self.say(&s);
        self.report.plan = spec.tasks.tasks.iter().map(TaskRef::from).collect();
    }

    fn resume(&mut self, spec: &Spec, a: &WorkArgs) -> CmdResult<()> {
        self.report.view = "resume";
        let r = report::resume_with_sessions(self.ctx.workspace()?, spec).resume;
        let mut s = String::from("\n");
        resume::render(&mut s, &r);
        self.say(&s);
        let next = r.next_task.clone();
        self.report.resume = Some(r);
        let Some(next) = next else {
            self.say("\nNothing left to continue: every task is done or blocked.\n");
            return Ok(());
        };
        let n = short_id(&next.id).to_owned();
        let q = format!("Continue from task {n}? (yes/no/select)");
        let answer = if a.yes {
            Some("yes".to_owned())
        } else if a.no {
            Some("no".to_owned())
        } else if let Some(t) = &a.select {
            return self.start(false, Some(t));
        } else if self.interactive {
            self.ask(&format!("\n{q} "))
        } else {
            None
        };
        match answer.as_deref().map(str::to_ascii_lowercase).as_deref() {
            Some("y" | "yes") => self.start(false, Some(&next.id)),
            Some("n" | "no") | None if a.no || self.interactive => {
                self.say("Nothing started.\n");
                Ok(())
            }
            Some("s" | "select") => match self.ask("Task id: ") {
                Some(t) if !t.is_empty() => self.start(false, Some(&t)),
                _ => {
                    self.say("Nothing started.\n");
                    Ok(())
                }
            },
            Some(t) if self.interactive && spec.tasks.find(t).is_some() => {
                let t = t.to_owned();
                self.start(false, Some(&t))
            }
            _ => {
                let answers = vec![
                    Answer { answer: "yes", command: self.cmd("--resume --yes") },
                    Answer { answer: "no", command: self.cmd("--resume --no") },
                    Answer { answer: "select", command: self.cmd("--resume --select TASK") },
                ];
                self.question(&q, answers);
                Ok(())
            }
        }
    }

    /// Starts a task (the given one, else the next): marks it in progress, marks the context
    /// active and shows the task. `skip_plan` is the menu's 4: no plan needed.
    fn start(&mut self, skip_plan: bool, task: Option<&str>) -> CmdResult<()> {
        self.report.view = "start";
        let ws = self.reload()?;
        let spec = ws.spec(&self.id)?;
        let task = match task {
            Some(id) => Some(spec.tasks.find(id).ok_or_else(|| {
                CommandError::usage(
                    format!("no task `{id}` in spec {}", spec.id),
                    format!("`specwork task list {}` shows the task ids", spec.id),
                )
            })?),
            None => spec.tasks.next_task(),
        };
        let Some(task) = task else {
            let msg = if spec.tasks.tasks.is_empty() && skip_plan {
                format!(
                    "\nNo tasks yet: we plan as we go. Add each task as it comes with {}.\n",
                    self.cmd("--choice 2 --modify \"TEXT\"")
                )
            } else if spec.tasks.tasks.is_empty() {
                format!("\nNo tasks planned yet. Create the plan first: {}.\n", self.cmd("--choice 2"))
            } else {
                "\nNothing to start: every task is done or blocked.\n".to_owned()
            };
            spec_work::set_context_status(&ws, spec, SpecStatus::Active)?;
            self.say(&msg);
            return Ok(());
        };
        // As `do-task` starts a task (one operation): the session to record in (started when
        // there is none), the marker, and the task's start in the journal. Choice 4 (skip to
        // implementation) passes the approval gate and the journal says so; a done or blocked
        // task is not started again.
        let o = StartOptionsTask { reopen: false, pass_gate: skip_plan, pick: SessionPick::default() };
        let started = match task::start(&ws, spec, &task.id, &o) {
            Err(OpError::Gate(e)) => {
                return Err(CommandError::usage(
                    e.to_string(),
                    format!("{}; or skip the plan: {}", crate::hints::gate_fix(&e), self.cmd("--choice 4")),
                ));
            }
            Err(OpError::Closed { spec, task, status }) => {
                return Err(CommandError::usage(
                    format!("task {task} of {spec} is already {status}"),
                    format!(
                        "continue with the next task: {}, or reopen it: `specwork do-task {spec} {task} --force`",
                        self.cmd("--resume --yes")
                    ),
                ));
            }
            other => other?,
        };
        self.report.gate_skipped = started.gate_passed;
        if !self.ctx.ui.json {
            self.ctx.ui.diagnostics(&started.warnings);
        }
        spec_work::set_context_status(&ws, spec, SpecStatus::Active)?;
        let name = session::name_of(&started.session).to_owned();
        let mut s =
            format!("\n{} Starting task {}: {}\n", TaskStatus::InProgress.symbol(), short_id(&task.id), task.title);
        if started.session_started {
            s.push_str(&format!("Session: {name} (started now)\n"));
        } else {
            s.push_str(&format!("Session: {name}\n"));
        }
        self.report.session = Some(name);
        if let Some(p) = &task.purpose {
            s.push_str(&format!("Purpose: {p}\n"));
        }
        if !task.requirements.is_empty() {
            s.push_str(&format!("Requirements: {}\n", task.requirements.join(", ")));
        }
        if !task.files.is_empty() {
            s.push_str(&format!("Files: {}\n", task.files.join(", ")));
        }
        if let Some(p) = &task.prompt {
            s.push_str(&format!("Prompt:\n{}\n", p.replace(" | ", "\n")));
        }
        for d in &task.details {
            s.push_str(&format!("- {d}\n"));
        }
        s.push_str(&format!("\nWhen it is done: specwork do-task {} {} --done\n", spec.id, task.id));
        self.say(&s);
        self.report.started = Some(TaskRef::from(&started.task));
        let ws = self.reload()?;
        let spec = ws.spec(&self.id)?;
        self.report.tasks = spec.tasks.counts();
        self.report.state = spec_work::state(spec);
        Ok(())
    }
}

impl WorkArgs {
    fn plain(spec: &str) -> Self {
        Self {
            spec: spec.to_owned(),
            resume: false,
            status: false,
            deliverables: false,
            choice: None,
            yes: false,
            no: false,
            modify: Vec::new(),
            select: None,
        }
    }
}

fn short_id(id: &str) -> &str {
    let id = id.strip_prefix('#').unwrap_or(id);
    id.trim_end_matches('.').trim_end_matches('\\')
}

/// The requirements to review: a numbered spec's `## Requirements` section (else its whole
/// text), a named spec's requirements document.
fn requirements(root: &Path, spec: &Spec) -> (Option<PathBuf>, Option<String>) {
    let file = match spec.layout {
        Layout::Numbered | Layout::SpecKit | Layout::OpenSpec => spec.docs.spec.clone(),
        Layout::SpecWorkflow | Layout::Kiro => spec.docs.requirements.clone(),
    };
    let Some(file) = file else { return (None, None) };
    let Ok(src) = specwork_core::base::path_policy::read_to_string(root.join(&file)) else {
        return (Some(file), None);
    };
    let text = if spec.layout == Layout::Numbered {
        match markdown::section(&src, |t| t.eq_ignore_ascii_case("requirements")) {
            Some(r) => src[r].trim().to_owned(),
            None => src.trim().to_owned(),
        }
    } else {
        src.trim().to_owned()
    };
    (Some(file), (!text.is_empty()).then_some(text))
}
