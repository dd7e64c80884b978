//! The task grammar against real spec files: `../shared/corpus/real-specs/` holds files written by
//! real users of spec-workflow-mcp, Kiro, spec-kit and OpenSpec (see its README and MANIFEST.tsv).
//!
//! Properties checked on every file: parsing never panics; every task's marker offset points at
//! its marker; setting any task to any other marker (and to blocked with a reason) and back gives
//! the original bytes; an edit changes that task's status and nothing else the parser reads. Then
//! hand-checked facts about particular files: task counts, ids, the five ways `_Prompt` is written.

use std::path::{Path, PathBuf};

use specwork_core::model::tasks::{self, TaskList, TaskMarker};
use specwork_core::{TaskCounts, TaskStatus};

/// The corpus directory, or `None` when this checkout has no `../shared` (skipped; a failure
/// under `SPECWORK_REQUIRE_SHARED=1`).
fn corpus_dir() -> Option<PathBuf> {
    specwork_testkit::need::shared("corpus/real-specs")
}

fn corpus_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for sub in fs_err::read_dir(dir).unwrap() {
        let sub = sub.unwrap().path();
        if sub.is_dir() {
            for f in fs_err::read_dir(&sub).unwrap() {
                out.push(f.unwrap().path());
            }
        }
    }
    out.sort();
    out
}

fn read(path: &Path) -> String {
    String::from_utf8(fs_err::read(path).unwrap()).unwrap_or_else(|e| panic!("{} is not UTF-8: {e}", path.display()))
}

/// The one corpus file whose name contains `needle`.
fn file(dir: &Path, needle: &str) -> (String, String) {
    let matches: Vec<PathBuf> =
        corpus_files(dir).into_iter().filter(|p| p.file_name().unwrap().to_string_lossy().contains(needle)).collect();
    assert_eq!(matches.len(), 1, "exactly one corpus file matches {needle}: {matches:?}");
    let name = matches[0].file_name().unwrap().to_string_lossy().into_owned();
    (name, read(&matches[0]))
}

/// What the parser reads of a task, for comparing two parses.
fn summary(list: &TaskList) -> Vec<(String, String, usize, usize, Option<String>)> {
    list.tasks.iter().map(|t| (t.id.clone(), t.title.clone(), t.line, t.level, t.prompt.clone())).collect()
}

const MARKERS: [u8; 5] = [b' ', b'-', b'x', b'X', b'~'];

#[test]
fn every_file_parses_and_every_edit_round_trips() {
    let Some(dir) = corpus_dir() else { return };
    let files = corpus_files(&dir);
    assert!(files.len() >= 47, "the corpus has its 47 files and the manifest: {}", files.len());
    let mut edits = 0;
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let src = String::from_utf8_lossy(&fs_err::read(&path).unwrap()).into_owned();
        let list = tasks::parse(&src, &name);
        let before = summary(&list);
        for (n, task) in list.tasks.iter().enumerate() {
            let id = format!("#{}", n + 1);
            assert_eq!(src.as_bytes()[task.marker_offset], task.marker.0, "{name}:{} marker offset", task.line);
            let line = &src[task.line_range.clone()];
            assert!(line.contains(&format!("[{}]", task.marker.0 as char)), "{name}:{} line range", task.line);
            assert_eq!(src[..task.line_range.start].matches('\n').count() + 1, task.line, "{name}: line number");
            let back_reason = task.blocked_reason.as_deref();
            for m in MARKERS.into_iter().filter(|&m| m != task.marker.0) {
                let edited = tasks::set_marker(&src, &name, &id, TaskMarker(m), None).unwrap();
                if task.blocked_range.is_none() {
                    // Only the marker byte changed.
                    let mut expected = src.clone().into_bytes();
                    expected[task.marker_offset] = m;
                    assert_eq!(edited.as_bytes(), expected, "{name} task {id} → [{}]", m as char);
                }
                let relist = tasks::parse(&edited, &name);
                assert_eq!(summary(&relist), before, "{name} task {id} → [{}] changes nothing else", m as char);
                assert_eq!(relist.tasks[n].marker, TaskMarker(m));
                let undone = tasks::set_marker(&edited, &name, &id, task.marker, back_reason).unwrap();
                assert_eq!(undone, src, "{name} task {id} → [{}] and back", m as char);
                edits += 2;
            }
            // Blocked with a reason writes the `_Blocked:_` line; undoing removes it again.
            let reason = "waiting on the vendor's API_KEY";
            let blocked = tasks::set_marker(&src, &name, &id, TaskMarker(b'~'), Some(reason)).unwrap();
            let relist = tasks::parse(&blocked, &name);
            assert_eq!(relist.tasks.len(), list.tasks.len(), "{name} task {id} blocked: same task count");
            assert_eq!(relist.tasks[n].status, TaskStatus::Blocked);
            assert_eq!(relist.tasks[n].blocked_reason.as_deref(), Some(reason), "{name} task {id} reason");
            let undone = tasks::set_marker(&blocked, &name, &id, task.marker, back_reason).unwrap();
            assert_eq!(undone, src, "{name} task {id} → blocked with a reason and back");
            edits += 2;
        }
    }
    assert!(edits > 5000, "the corpus exercised {edits} edits");
}

#[test]
fn hand_checked_counts() {
    let Some(dir) = corpus_dir() else { return };
    let counts = |needle: &str| {
        let (name, src) = file(&dir, needle);
        let list = tasks::parse(&src, &name);
        assert!(list.diagnostics.is_empty(), "{name}: {:?}", list.diagnostics);
        list
    };
    let c = |total, done, in_progress, pending| TaskCounts { total, done, in_progress, blocked: 0, pending };

    // Kiro: nested `- [ ] 1.1` sub-tasks and optional `- [ ]* 1.3` tasks.
    let kiro = counts("RpiDNS__.kiro__specs__rpz-feeds-management__tasks");
    assert_eq!(kiro.counts(), c(56, 44, 0, 12));
    assert_eq!(kiro.tasks.iter().filter(|t| t.optional).count(), 11);
    assert_eq!(kiro.tasks.iter().filter(|t| t.level == 1).count(), 45);
    assert_eq!(kiro.find("1.3").unwrap().title, "Write property test for TSIG key extraction");
    let kiro_auth = counts("RpiDNS__.kiro__specs__user-authentication__tasks");
    assert_eq!(kiro_auth.counts(), c(47, 40, 1, 6));
    assert_eq!(kiro_auth.tasks.iter().filter(|t| t.optional).count(), 5);
    assert_eq!(counts("uxp-plugin__.kiro__specs__http-api-access__tasks").counts(), c(12, 11, 0, 1));

    // spec-kit: `[X]` beside `[x]`, ids `T001 [P] [US1]`, `T010b`; the `- [P] tasks = …` legend
    // and the `**Task Format**: \`- [ ] [ID] …\`` line are not tasks.
    let promo = counts("009-promo-code-checkout__tasks");
    assert_eq!(promo.counts(), c(12, 9, 0, 3));
    let ids: Vec<&str> = promo.tasks.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, (1..=12).map(|n| format!("T{n:03}")).collect::<Vec<_>>());
    assert!(promo.find("T003").unwrap().title.starts_with("[P] [US1] Create `src/frontend/promo.go`"));
    let ven = counts("016-refactor-ven-backend__tasks");
    assert_eq!(ven.counts(), c(51, 51, 0, 0));
    assert!(ven.tasks.iter().all(|t| t.marker == TaskMarker(b'X')));
    assert!(ven.tasks.iter().all(|t| t.line != 261), "the `- [P] tasks = safe to parallelize` legend");
    let absorber = counts("017-add-deviation-absorber__tasks");
    assert_eq!(absorber.counts(), c(95, 80, 0, 15));
    assert_eq!(absorber.find("T010b").unwrap().line, 58);
    assert_eq!(absorber.find("T089b").unwrap().line, 303);
    // spec-kit checklists after the tasks have no ids: they are addressed by position.
    let godot = counts("002-mnt-d-godotprojects__tasks");
    assert_eq!(godot.counts(), c(38, 32, 0, 6));
    assert_eq!(godot.tasks[32].id, "#33");
    assert_eq!(counts("003-mnt-d-godotprojects__tasks").counts(), c(35, 26, 0, 9));

    // OpenSpec: ids `3.2.3`, strikethrough tasks, a C# block inside task 2.1.
    let vsix = counts("adopt-vsixmanifest-format__tasks");
    assert_eq!(vsix.counts(), c(72, 72, 0, 0));
    let struck: Vec<&str> = vsix.tasks.iter().filter(|t| t.struck).map(|t| t.id.as_str()).collect();
    assert_eq!(struck, ["3.2.3", "6.2.3"]);
    let kapster = counts("add-screen-recording__tasks");
    assert_eq!(kapster.counts(), c(253, 0, 0, 253));
    assert!(kapster.find("28.1").unwrap().struck);
    assert_eq!(kapster.find("2.2").unwrap().line, 51, "the fenced interface inside 2.1 holds no task");
    let menus = counts("add-view-level-menus__tasks");
    assert_eq!(menus.counts(), c(15, 15, 0, 0));
    assert_eq!(menus.find("1.9.1").unwrap().level, 1);

    // spec-workflow: `Task 1:` ids, `**T1** — title`, Japanese and Chinese text.
    let mengyuan = counts("mengyuan-integration__tasks");
    assert_eq!(mengyuan.counts(), c(13, 13, 0, 0));
    assert_eq!(
        mengyuan.tasks.iter().map(|t| t.id.clone()).collect::<Vec<_>>(),
        (1..=13).map(|n| n.to_string()).collect::<Vec<_>>()
    );
    assert_eq!(counts("microservice-scaffold__tasks").counts(), c(11, 2, 1, 8));
    let routing = counts("nodes-output-conditional-routing__tasks.md");
    assert_eq!(routing.counts(), c(10, 10, 0, 0));
    assert_eq!(routing.find("T1").unwrap().title, "定義モデルとローダー拡張の基盤追加");
    assert_eq!(
        routing.find("T1").unwrap().purpose.as_deref(),
        Some("条件遷移を既存 `on: <Fact>` 互換のまま保持できるようにする")
    );
    assert_eq!(counts("o6-subtickets-manufacturing__tasks").counts(), c(8, 8, 0, 0));
    assert_eq!(counts("admin-panel-track-visibility__tasks").counts(), c(36, 31, 0, 5));
    assert_eq!(counts("localstack-test-migration__tasks").counts(), c(17, 17, 0, 0));
    assert_eq!(counts("ui-list-search-sort-validation__tasks").counts(), c(10, 0, 0, 10));
    // Checkboxes outside list items (`**Status**: [ ] Pending`) are not tasks: search-streaming's
    // 24 status lines are not counted, its 108 acceptance-criteria items are (as the peer does);
    // food_map's tasks are headings with `**Status**: [x] Completed`, so it has none.
    assert_eq!(counts("search-streaming__tasks").counts(), c(108, 0, 0, 108));
    assert_eq!(counts("spot-ingestion__tasks").counts(), c(0, 0, 0, 0));
    // Markers quoted in prose (`\`[ ]\` を \`[-]\``) are not tasks.
    assert!(routing.tasks.iter().all(|t| t.line < 118));
}

#[test]
fn crlf_bom_and_missing_final_newline_read_the_same() {
    let Some(dir) = corpus_dir() else { return };
    let (_, plain) = file(&dir, "nodes-output-conditional-routing__tasks.md");
    let (_, crlf) = file(&dir, "tasks.derived-crlf-nofinalnewline");
    let (_, bom) = file(&dir, "tasks.derived-bom");
    assert!(crlf.contains("\r\n") && !crlf.ends_with('\n'));
    assert!(bom.starts_with('\u{feff}'));
    let a = tasks::parse(&plain, "t");
    let b = tasks::parse(&crlf, "t");
    let c = tasks::parse(&bom, "t");
    assert_eq!(summary(&a), summary(&b));
    assert_eq!(summary(&a), summary(&c));
    assert_eq!(a.find("T1").unwrap().files, b.find("T1").unwrap().files);
    // The last task of the CRLF file ends the file without a newline: blocking it adds a CRLF line.
    let last = format!("#{}", b.tasks.len());
    let blocked = tasks::set_marker(&crlf, "t", &last, TaskMarker(b'~'), Some("why")).unwrap();
    assert!(!blocked.contains("\n  - _Blocked") || blocked.contains("\r\n  - _Blocked: why_"));
    assert_eq!(tasks::set_marker(&blocked, "t", &last, TaskMarker(b'x'), None).unwrap(), crlf);
}

#[test]
fn prompt_written_five_ways() {
    let Some(dir) = corpus_dir() else { return };
    let task = |needle: &str, id: &str| {
        let (name, src) = file(&dir, needle);
        tasks::parse(&src, &name).find(id).unwrap_or_else(|| panic!("{name} has task {id}")).clone()
    };

    // 1. One line with `|` sections, closed by `_`; underscores inside are kept.
    let t = task("admin-panel-track-visibility__tasks", "1.1");
    let p = t.prompt.unwrap();
    assert!(p.starts_with("Implement the task for spec admin-panel-track-visibility"), "{p}");
    assert!(p.contains("| Task: Extend Track model with visibility field"), "{p}");
    assert!(p.ends_with("use log-implementation tool after completion, mark [x] when done"), "{p}");
    assert_eq!(t.leverage, ["backend/internal/models/visibility.go"], "the code span, without its note");
    let p = task("o6-subtickets-manufacturing__tasks", "1").prompt.unwrap();
    assert!(p.starts_with("spec `o6-subtickets-manufacturing` のタスクを実装してください。"), "{p}");
    assert!(p.ends_with("に更新する。"), "{p}");

    // 2. `**_Prompt**:` then nested bullets; the `_Leverage:` bullet inside is prompt text.
    let t = task("microservice-scaffold__tasks", "1");
    let p = t.prompt.unwrap();
    assert!(p.starts_with("Implement the task for spec microservice-scaffold"), "{p}");
    assert!(p.contains("Role: Maven项目架构师 Task: 创建smart-boot3微服务脚手架项目"), "{p}");
    assert!(p.contains("_Leverage: 参考JeecgBoot的Maven配置结构"), "{p}");
    assert!(p.ends_with("Success: 项目根目录创建完成，父POM能够正确管理所有子模块"), "{p}");
    assert!(t.leverage.is_empty() && t.requirements.is_empty());
    assert_eq!(t.files, ["pom.xml", "README.md", ".gitignore"]);

    // 3. `**_Prompt**:` then a fenced block.
    let t = task("mengyuan-integration__tasks", "1");
    let p = t.prompt.unwrap();
    assert!(p.starts_with("Implement the task for spec mengyuan-integration"), "{p}");
    assert!(p.contains("Role: Maven模块架构师 Task: 创建smart-common-dto模块"), "{p}");
    assert!(p.ends_with("Instructions: 在tasks.md中将此任务标记为进行中[-]，完成后标记为完成[x]"), "{p}");
    assert!(!p.contains("```"));
    assert_eq!(t.files.len(), 2, "the nested `**文件**:` bullets are files: {:?}", t.files);

    // 4. A `|` YAML block. No corpus file writes one, so the admin-panel prompt above is rewritten
    // as a block, one section a line.
    let (_, admin) = file(&dir, "admin-panel-track-visibility__tasks");
    let one_line = task("admin-panel-track-visibility__tasks", "1.1").prompt.unwrap();
    let block: String = one_line.split(" | ").map(|s| format!("      {s}\n")).collect();
    let src = format!("- [ ] 1.1 Extend Track model\n  - _Prompt: |\n{block}  - _Requirements: 1.1_\n");
    let l = tasks::parse(&src, "t");
    assert_eq!(l.tasks[0].prompt.as_deref(), Some(one_line.replace(" | ", " ").as_str()));
    assert_eq!(l.tasks[0].requirements, ["1.1"]);
    assert!(admin.contains("_Prompt: Implement the task for spec admin-panel-track-visibility"));

    // 5. Continuation lines at column 0: food_map writes its prompts so, under `## Task N:` headings
    // (not list items, so not tasks). Its first prompt, under a list task, reads as one prompt.
    let (_, food) = file(&dir, "spot-ingestion__tasks");
    let start = food.find("**_Prompt**:").unwrap();
    let end = start + food[start..].find("\nRestrictions:").unwrap();
    let src = format!("- [x] 1. 数据库连接初始化\n  - {}\n- [ ] 2. Bun 服务器基础架构\n", &food[start..end]);
    let l = tasks::parse(&src, "t");
    assert_eq!(
        l.tasks[0].prompt.as_deref(),
        Some(
            "Implement the task for spec spot-ingestion, first run spec-workflow-guide to get the workflow guide then \
             implement the task: Role: Backend Developer specializing in Bun runtime and SQLite database setup \
             Task: Create database connection module for SQLite using better-sqlite3, initialize tables on startup, \
             and export database connection for use across server API routes"
        )
    );
    assert_eq!(l.tasks.len(), 2);
    // The same with the `_Prompt: …_` form, closed on its last column-0 line.
    let src = "- [ ] 1 A\n  - _Prompt: Role: dev\nTask: build_it\nSuccess: done_\n  - _Requirements: 2_\n";
    let l = tasks::parse(src, "t");
    assert_eq!(l.tasks[0].prompt.as_deref(), Some("Role: dev Task: build_it Success: done"));
    assert_eq!(l.tasks[0].requirements, ["2"]);
}

/// Requirement coverage on real documents: every requirements file parses; the ones written in
/// the common forms give their requirements and criteria; the numbered `_Requirements:_`
/// references of the same spec's real tasks resolve.
#[test]
fn real_requirements_documents_and_the_references_of_their_tasks() {
    use specwork_core::model::requirements::{Requirements, Resolved, references};
    let Some(dir) = corpus_dir() else { return };
    let mut read_docs = 0;
    for path in corpus_files(&dir) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with("requirements.md") {
            Requirements::parse(path.clone(), &read(&path));
            read_docs += 1;
        }
    }
    assert!(read_docs >= 6, "{read_docs}");
    // `### Requirement 1 — …` with `#### Acceptance Criteria — Requirement 1` (Japanese).
    let (_, src) = file(&dir, "nodes-output-conditional-routing__requirements.md");
    let r = Requirements::parse("r.md".into(), &src);
    assert!(r.items.len() >= 2, "{:?}", r.items);
    assert_eq!(r.items[0].id, "1");
    assert_eq!(r.items[0].title, "変換処理の決定性と互換性");
    assert_eq!(r.items[0].criteria.len(), 3);
    assert_eq!(r.items[1].criteria[10].id, "2.11");
    // `### REQ-1: User Roles System`.
    let (_, src) = file(&dir, "global-user-type__requirements.md");
    let r = Requirements::parse("r.md".into(), &src);
    assert_eq!((r.items[0].id.as_str(), r.items[0].title.as_str()), ("1", "User Roles System"));
    assert_eq!(r.items[0].criteria.len(), 5);
    // Kiro in Chinese: `### 需求 1：HTTP请求功能` with `#### 验收标准`.
    let (_, src) = file(&dir, "http-api-access__requirements.md");
    let r = Requirements::parse("r.md".into(), &src);
    assert_eq!((r.items[0].id.as_str(), r.items[0].title.as_str()), ("1", "HTTP请求功能"));
    assert_eq!(r.items[0].criteria[3].id, "1.4");
    // The same Kiro spec's tasks refer to `1.1`-style criteria. Requirement 2 writes `7.` twice,
    // so its ninth item is rendered (and referred to) as 2.10; only the prose reference is unknown.
    let (_, reqs) = file(&dir, "rpz-feeds-management__requirements.md");
    let (_, tasks_src) = file(&dir, "rpz-feeds-management__tasks.md");
    let r = Requirements::parse("r.md".into(), &reqs);
    let list = tasks::parse(&tasks_src, "tasks.md");
    let refs: Vec<String> = list.tasks.iter().flat_map(|t| references(&t.requirements)).collect();
    assert!(refs.len() > 10, "{refs:?}");
    let unknown: Vec<&String> = refs.iter().filter(|x| r.resolve(x) == Resolved::Unknown).collect();
    assert_eq!(unknown, ["All modal-related"]);
    assert_eq!(r.items[1].criteria.len(), 10);
}
