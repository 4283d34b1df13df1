//! The browser drawn into ratatui's TestBackend: every view at 80×24 and
//! 120×40 compared with snapshots, the help overlay against the key table,
//! colourless selection, the event loop over scripted keys, and the binary's
//! `mri TARGET` / `mri tui` behaviour without a terminal.

mod support;

use crossterm::event::{Event, KeyEvent};
use mri::report::Report;
use mri::tui::app::App;
use mri::tui::keys::{self, parse_key, Scope, BINDINGS};
use mri::tui::theme::Theme;
use mri::tui::{buffer_text, run_loop, ui, ScriptedEvents};
use ratatui::backend::TestBackend;
use ratatui::style::{Color, Modifier};
use ratatui::Terminal;
use std::collections::VecDeque;
use std::fs;
use support::{copy_fixture, mri};

/// The minimum size the browser lays out, and two common ones.
const SIZES: [(u16, u16); 3] = [(60, 16), (80, 24), (120, 40)];

/// The sharded fixture, by a path relative to the crate (tests run there),
/// so no absolute checkout path reaches a snapshot.
fn fixture_report() -> Report {
    mri::inspect(
        "fixtures/tiny-llama-sharded",
        &mri::InspectOptions::default(),
    )
    .expect("fixture inspects")
}

/// A copy of the sharded fixture with a shard deleted and a mismatching
/// eos id, so that it has findings; the temporary path is replaced by a
/// stable name.
fn broken_report() -> Report {
    let (tmp, dir) = copy_fixture("tiny-llama-sharded");
    fs::remove_file(dir.join("model-00003-of-00003.safetensors")).unwrap();
    let gen = dir.join("generation_config.json");
    let text = fs::read_to_string(&gen)
        .unwrap()
        .replace("\"eos_token_id\": 322", "\"eos_token_id\": 7");
    fs::write(&gen, text).unwrap();
    fs::write(dir.join("config.json.bak"), "{ not json").unwrap();
    let mut r = mri::inspect(dir.to_str().unwrap(), &mri::InspectOptions::default()).unwrap();
    r.target.input = "broken/tiny-llama-sharded".into();
    r.target.root = "broken/tiny-llama-sharded".into();
    drop(tmp);
    r
}

fn press(app: &mut App, keys: &str) {
    for k in keys.split_whitespace() {
        app.handle_key(parse_key(k).expect("key name"));
    }
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        app.handle_key(KeyEvent::from(crossterm::event::KeyCode::Char(c)));
    }
}

fn render(app: &App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| ui::draw(f, app)).unwrap();
    terminal
}

fn text(app: &App, w: u16, h: u16) -> String {
    buffer_text(render(app, w, h).backend().buffer())
}

/// Snapshots `keys` pressed on a fresh app over `report`, at both sizes.
fn snap(name: &str, report: impl Fn() -> Report, keys: &str, setup: impl Fn(&mut App)) {
    for (w, h) in SIZES {
        let mut app = App::new(report(), Theme { color: false });
        press(&mut app, keys);
        setup(&mut app);
        let screen = text(&app, w, h);
        let root = env!("CARGO_MANIFEST_DIR");
        assert!(!screen.contains(root), "absolute path in {name}:\n{screen}");
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), screen);
    }
}

#[test]
fn overview() {
    snap("overview", fixture_report, "", |_| {});
}

#[test]
fn files() {
    snap("files", fixture_report, "2", |_| {});
}

#[test]
fn tensors() {
    snap("tensors", fixture_report, "3 j j", |_| {});
}

#[test]
fn tensors_grouped_by_layer_with_one_layer_open() {
    snap("tensors_grouped", fixture_report, "3 L j j Enter", |_| {});
}

#[test]
fn tensors_filtered_by_glob_sorted_by_bytes() {
    snap("tensors_filtered", fixture_report, "3 /", |a| {
        type_text(a, "*.mlp.*");
        press(a, "Enter s s s s s");
    });
}

#[test]
fn findings() {
    snap("findings", broken_report, "4", |_| {});
}

#[test]
fn overview_with_findings() {
    snap("overview_broken", broken_report, "", |_| {});
}

#[test]
fn json_viewer() {
    snap("viewer_config", fixture_report, "2 Enter j j", |_| {});
}

#[test]
fn help_overlay() {
    snap("help", fixture_report, "3 ?", |_| {});
}

#[test]
fn help_overlay_lists_every_bound_key() {
    for (w, h) in SIZES {
        // What the overlay shows scrolled from its top to its end (it
        // scrolls when taller than the screen).
        let mut app = App::new(fixture_report(), Theme { color: false });
        press(&mut app, "?");
        // Each frame's box, its rows joined (a long line wraps at 60 columns).
        let boxed = |frame: &str| {
            let rows: Vec<&str> = frame
                .lines()
                .filter_map(|l| {
                    let a = l.find('│')?;
                    let b = l.rfind('│')?;
                    (b > a).then(|| &l[a + '│'.len_utf8()..b])
                })
                .collect();
            rows.join(" ")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        };
        let mut screen = String::new();
        for _ in 0..=3 * BINDINGS.len() {
            screen.push_str(&boxed(&text(&app, w, h)));
            screen.push_str(" | ");
            press(&mut app, "j");
        }
        for b in BINDINGS {
            assert!(
                screen.contains(&b.keys_label()),
                "{} missing from help at {w}x{h}:\n{screen}",
                b.keys_label()
            );
            assert!(screen.contains(b.help), "{} missing", b.help);
            if b.label.is_none() {
                for k in b.keys {
                    assert!(screen.contains(&k.label()), "{} missing", k.label());
                }
            }
        }
    }
}

#[test]
fn hint_bar_comes_from_the_key_table() {
    let mut app = App::new(fixture_report(), Theme { color: false });
    press(&mut app, "3");
    let screen = text(&app, 120, 40);
    let last = screen.lines().last().unwrap().to_string();
    let here = [Scope::Lists, Scope::View("Tensors")];
    for b in keys::active(&here).filter(|b| b.hint.is_some()) {
        assert!(last.contains(b.hint.unwrap()), "{last}");
    }
    assert!(!last.contains("run"), "{last}");
    // The Smoke view's own key is in its bar; list keys are not.
    press(&mut app, "6");
    let last = text(&app, 120, 40).lines().last().unwrap().to_string();
    assert!(last.contains("r run"), "{last}");
    assert!(!last.contains("sort") && !last.contains("search"), "{last}");
}

#[test]
fn without_colour_selection_is_reverse_video_and_nothing_is_coloured() {
    let mut app = App::new(fixture_report(), Theme { color: false });
    press(&mut app, "3 j");
    let terminal = render(&app, 80, 24);
    let buf = terminal.backend().buffer();
    let mut reversed_rows = Vec::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let cell = &buf[(x, y)];
            assert_eq!(cell.fg, Color::Reset, "colour at {x},{y}");
            assert_eq!(cell.bg, Color::Reset, "colour at {x},{y}");
            if cell.modifier.contains(Modifier::REVERSED) && x == 0 {
                reversed_rows.push(y);
            }
        }
    }
    // The active tab is not in column 0; the selected tensor row is.
    let lines: Vec<String> = buffer_text(buf).lines().map(str::to_string).collect();
    assert_eq!(reversed_rows.len(), 1, "{reversed_rows:?}");
    assert!(
        lines[reversed_rows[0] as usize].contains("input_layernorm"),
        "{}",
        lines[reversed_rows[0] as usize]
    );

    // With colour, the selection is still reverse video (not colour alone).
    let mut app = App::new(fixture_report(), Theme { color: true });
    press(&mut app, "3 j");
    let terminal = render(&app, 80, 24);
    let buf = terminal.backend().buffer();
    assert!(buf[(0, reversed_rows[0])]
        .modifier
        .contains(Modifier::REVERSED));
}

#[test]
fn layout_adapts_to_a_resize() {
    let app = App::new(fixture_report(), Theme { color: false });
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal.draw(|f| ui::draw(f, &app)).unwrap();
    terminal.backend_mut().resize(120, 40);
    terminal.draw(|f| ui::draw(f, &app)).unwrap();
    let screen = buffer_text(terminal.backend().buffer());
    assert_eq!(screen.lines().count(), 40);
    assert_eq!(screen, text(&app, 120, 40));
    // And tiny terminals do not panic.
    for (w, h) in [(1, 1), (20, 5), (40, 10)] {
        for keys in ["", "2", "3 L", "4", "2 Enter", "?", "5", "5 Enter", "6"] {
            let mut a = App::new(fixture_report(), Theme { color: false });
            press(&mut a, keys);
            let _ = text(&a, w, h);
        }
    }
}

#[test]
fn event_loop_runs_over_any_backend() {
    let mut app = App::new(fixture_report(), Theme { color: false });
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let script: VecDeque<Event> = ["3", "L", "j", "Enter"]
        .iter()
        .map(|k| Event::Key(parse_key(k).unwrap()))
        .chain([Event::Resize(80, 24)])
        .collect();
    run_loop(&mut terminal, &mut app, &mut ScriptedEvents(script)).unwrap();
    assert!(app.should_quit(), "the script ends with q");
    let screen = buffer_text(terminal.backend().buffer());
    assert!(screen.contains("▾ model.layers.0"), "{screen}");
}

#[test]
fn many_tensors_draw_only_the_visible_rows() {
    // 10,000 tensors in one report: moving to the end and drawing is one
    // screenful of work, and the last tensor is on screen.
    let mut r = fixture_report();
    let shard = r.weights.shards.last_mut().unwrap();
    let template = shard.tensors[1].clone();
    for i in 0..10_000 {
        let mut t = template.clone();
        t.info.name = format!("extra.layers.{i}.weight");
        shard.tensors.push(t);
    }
    let mut app = App::new(r, Theme { color: false });
    press(&mut app, "3 G");
    let screen = text(&app, 80, 24);
    assert!(screen.contains("10,039"), "{screen}");
    assert!(screen.contains("extra.layers.9999.weight"), "{screen}");
    press(&mut app, "PgUp PgUp");
    let screen = text(&app, 80, 24);
    assert!(!screen.contains("extra.layers.9999.weight"));
}

#[test]
fn piped_stdout_prints_the_text_report_and_says_so() {
    for args in [
        vec!["fixtures/tiny-llama-sharded"],
        vec!["tui", "fixtures/tiny-llama-sharded"],
    ] {
        let out = mri(&args);
        assert!(out.status.success());
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("Weights (safetensors, 3 files"), "{stdout}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("not a terminal"), "{stderr}");
    }
    // With --format the shorthand is `mri inspect`, without the note.
    let out = mri(&["fixtures/tiny-llama-sharded", "--format", "json"]);
    assert!(out.status.success());
    assert!(out.stderr.is_empty());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with('{'));
}

#[test]
fn headless_mode_renders_a_frame_and_reports_timings() {
    let out = mri(&[
        "tui",
        "fixtures/tiny-llama-sharded",
        "--headless",
        "80x24",
        "--keys",
        "3 L",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let frame = String::from_utf8_lossy(&out.stdout);
    assert_eq!(frame.lines().count(), 24);
    assert!(frame.contains("7 rows, layers folded"), "{frame}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("first frame"));

    let out = mri(&[
        "tui",
        "fixtures/tiny-llama",
        "--headless",
        "80x24",
        "--keys",
        "Hyper",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let out = mri(&["tui", "/definitely/not/here", "--headless", "80x24"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn browsing_writes_nothing_into_the_model() {
    let (_tmp, dir) = copy_fixture("tiny-llama-sharded");
    let list = |d: &std::path::Path| {
        let mut v: Vec<(String, u64)> = fs::read_dir(d)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                (
                    e.file_name().to_string_lossy().into_owned(),
                    e.metadata().unwrap().len(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let before = list(&dir);
    let out = mri(&[
        "tui",
        dir.to_str().unwrap(),
        "--headless",
        "80x24",
        "--keys",
        "2 Enter j G Esc j j Enter 3 L Enter s / q Enter 4",
    ]);
    assert!(out.status.success());
    assert_eq!(list(&dir), before);
}

#[test]
fn loading_screen() {
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal
        .draw(|f| ui::draw_loading(f, "meta-llama/Llama-3.1-405B", Theme { color: false }))
        .unwrap();
    insta::assert_snapshot!("loading_80x24", buffer_text(terminal.backend().buffer()));
}

#[test]
fn overview_lists_the_first_findings_and_counts_the_rest() {
    let mut r = fixture_report();
    for i in 0..30 {
        r.findings.push(
            mri::report::finding::Finding::warning(
                mri::report::finding::Code::ConsistencyDtype,
                format!("finding {i}"),
            )
            .in_file("config.json"),
        );
    }
    r.finish_findings();
    let app = App::new(r, Theme { color: false });
    let screen = text(&app, 80, 24);
    assert!(screen.contains("30 warnings"), "{screen}");
    // Findings are listed with their messages (codes where there is room).
    assert!(screen.contains("warning finding 0"), "{screen}");
    assert!(screen.contains("more in Findings"), "{screen}");
    let wide = text(&app, 120, 40);
    assert!(wide.contains("consistency/dtype"), "{wide}");
    assert!(wide.contains("more in Findings"), "{wide}");
}

#[test]
fn license_verdict_is_a_coloured_badge_and_bracketed_without_colour() {
    let app = App::new(fixture_report(), Theme { color: true });
    let terminal = render(&app, 80, 24);
    let buf = terminal.backend().buffer();
    let screen = buffer_text(buf);
    let (y, line) = screen
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("PERMITTED"))
        .expect("a verdict badge");
    let x = line.find("PERMITTED").unwrap();
    let x = line[..x].chars().count() as u16;
    assert_eq!(buf[(x, y as u16)].bg, Color::Green);

    let app = App::new(fixture_report(), Theme { color: false });
    assert!(text(&app, 80, 24).contains("[PERMITTED] MIT"));
}

/// A copy of the sharded fixture under the Llama 3.1 license (card and
/// LICENSE file), so that the License view has obligations citing lines.
/// The guard keeps the files for the viewer; paths are made stable.
fn llama_licensed() -> (tempfile::TempDir, Report) {
    let (tmp, dir) = copy_fixture("tiny-llama-sharded");
    let readme = dir.join("README.md");
    let card = fs::read_to_string(&readme)
        .unwrap()
        .replace("license: mit", "license: llama3.1");
    fs::write(&readme, card).unwrap();
    let text = fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/license-corpus/texts/llama3_1-license.txt"),
    )
    .unwrap();
    // Wrapped at 76 columns, as license files usually are, so that clauses
    // span several lines.
    fs::write(dir.join("LICENSE"), wrap(&text, 76)).unwrap();
    let mut r = mri::inspect(dir.to_str().unwrap(), &mri::InspectOptions::default()).unwrap();
    r.target.input = "licensed/tiny-llama-sharded".into();
    r.target.root = "licensed/tiny-llama-sharded".into();
    (tmp, r)
}

/// Greedy word wrap of each line of `text` at `width` columns.
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let mut len = 0;
        for word in line.split(' ') {
            let w = word.chars().count();
            if len > 0 && len + 1 + w > width {
                out.push('\n');
                len = 0;
            } else if len > 0 {
                out.push(' ');
                len += 1;
            }
            out.push_str(word);
            len += w;
        }
        out.push('\n');
    }
    out
}

#[test]
fn license_view() {
    let (_tmp, r) = llama_licensed();
    snap("license", || r.clone(), "5", |_| {});
}

#[test]
fn license_obligation_in_the_viewer() {
    let (_tmp, r) = llama_licensed();
    snap("license_viewer", || r.clone(), "5 j Enter", |_| {});
}

#[test]
fn license_view_of_a_permissive_model() {
    snap("license_mit", fixture_report, "5", |_| {});
}

#[test]
fn license_obligation_opens_the_cited_lines_highlighted() {
    let (_tmp, r) = llama_licensed();
    let lic = r.license.clone().expect("a license decision");
    assert_eq!(lic.verdict, mri::license::Verdict::PermittedWithConditions);
    let (i, o) = lic
        .obligations
        .iter()
        .enumerate()
        .find(|(_, o)| {
            o.file.as_deref() == Some("LICENSE")
                && o.line_end.unwrap_or(0) > o.line_start.unwrap_or(0) + 1
        })
        .expect("an obligation citing several lines of LICENSE");
    let (start, end) = (o.line_start.unwrap() as usize, o.line_end.unwrap() as usize);
    let mut app = App::new(r.clone(), Theme { color: false });
    // Card and file name the same license: listed once, here and in the Overview.
    let overview = text(&app, 120, 40);
    assert!(
        overview.contains("[PERMITTED-WITH-CONDITIONS] llama3.1"),
        "{overview}"
    );
    assert!(!overview.contains("llama3.1, llama3.1"), "{overview}");
    press(&mut app, "5");
    assert!(text(&app, 80, 24).contains("llama3.1 · 6 obligations"));
    for _ in 0..i {
        press(&mut app, "j");
    }
    assert!(app
        .current_view()
        .selected(&app.ctx())
        .unwrap()
        .contains(&format!("LICENSE:{start}-{end}")));
    press(&mut app, "Enter");
    let v = app.viewer().expect("the viewer opens");
    assert_eq!(v.path(), "LICENSE");
    assert_eq!(v.line(), start);
    assert_eq!(v.highlighted(), Some((start, end)));

    // Drawn: the clause's lines are on screen, bold and marked in the gutter.
    let terminal = render(&app, 80, 24);
    let buf = terminal.backend().buffer();
    let screen = buffer_text(buf);
    assert!(
        screen.contains(&format!("lines {start}-{end} cited")),
        "{screen}"
    );
    let gutter = |n: usize| format!("{n:>3}┃");
    let (y, _) = screen
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains(&gutter(start + 1)))
        .unwrap_or_else(|| panic!("line {} not shown:\n{screen}", start + 1));
    assert!(buf[(10, y as u16)].modifier.contains(Modifier::BOLD));
    assert!(screen.contains(&format!("{start:>3}▶")), "{screen}");
    assert!(app.viewer().unwrap().first_visible() <= start);

    // Back to the list, the same obligation still selected.
    press(&mut app, "Esc");
    assert!(app.viewer().is_none());
    assert_eq!(app.current_title(), "License");

    // An obligation citing the card (README.md) opens it the same way: the
    // MIT fixture's license-copy obligation cites the card's `license:` line.
    let mut app = App::new(fixture_report(), Theme { color: false });
    press(&mut app, "5");
    assert_eq!(
        app.current_view().selected(&app.ctx()).as_deref(),
        Some("license-copy MIT README.md:2")
    );
    press(&mut app, "Enter");
    let v = app.viewer().expect("the card opens");
    assert_eq!(
        (v.path(), v.line(), v.highlighted()),
        ("README.md", 2, Some((2, 2)))
    );
    assert!(text(&app, 80, 24).contains("  2▶ license: mit"));
}

#[test]
fn an_obligation_citing_a_missing_file_says_so() {
    let mut r = fixture_report();
    let lic = r.license.as_mut().unwrap();
    lic.obligations[0].file = Some("LICENSE.gone".into());
    let mut app = App::new(r, Theme { color: false });
    press(&mut app, "5 Enter");
    assert!(app.viewer().is_none());
    assert_eq!(
        app.status(),
        Some("LICENSE.gone is not in the model directory")
    );
    let mut r = fixture_report();
    r.license.as_mut().unwrap().obligations[0].file = None;
    let mut app = App::new(r, Theme { color: false });
    press(&mut app, "5 Enter");
    assert_eq!(app.status(), Some("this obligation cites no file"));
}

#[test]
fn license_view_shows_reasons_and_detections() {
    let (_tmp, r) = llama_licensed();
    let lic = r.license.clone().unwrap();
    let mut app = App::new(r, Theme { color: true });
    press(&mut app, "5");
    let terminal = render(&app, 120, 40);
    let buf = terminal.backend().buffer();
    let screen = buffer_text(buf);
    assert!(screen.contains("How it was decided"), "{screen}");
    assert!(screen.contains(&lic.reasons[0][..20.min(lic.reasons[0].len())]));
    assert!(screen.contains("llama3.1"), "{screen}");
    assert!(screen.contains("LICENSE"), "{screen}");
    let (y, line) = screen
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("PERMITTED-WITH-CONDITIONS"))
        .expect("the verdict badge");
    let x = line[..line.find("PERMITTED").unwrap()].chars().count() as u16;
    assert_eq!(buf[(x, y as u16)].bg, Color::Yellow);
}

#[test]
fn smoke_view_idle() {
    snap("smoke_idle", fixture_report, "6", |_| {});
}

fn wait_for_smoke(app: &mut App) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while app.busy() {
        assert!(
            std::time::Instant::now() < deadline,
            "the smoke test did not finish"
        );
        app.tick();
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    app.current_view().selected(&app.ctx()).unwrap()
}

#[test]
fn smoke_view_runs_the_forward_pass_in_the_background() {
    let r = mri::inspect("fixtures/tiny-llama", &mri::InspectOptions::default()).unwrap();
    let mut app = App::new(r, Theme { color: false });
    press(&mut app, "6");
    assert_eq!(app.current_title(), "Smoke");
    let state = |a: &App| a.current_view().selected(&a.ctx()).unwrap();
    assert_eq!(state(&app), "idle");
    assert!(!app.busy());
    press(&mut app, "r");
    assert!(state(&app).starts_with("running"), "{}", state(&app));
    assert!(app.busy());
    // The UI answers while it runs: drawing and keys do not wait for it.
    assert!(text(&app, 80, 24).contains("running"));
    press(&mut app, "r");
    assert_eq!(app.status(), Some("the smoke test is running"));
    // From another view, the tab shows that it runs (unless it finished
    // already: then it shows how it went).
    press(&mut app, "1");
    let tabs = text(&app, 80, 24).lines().next().unwrap().to_string();
    assert!(
        tabs.contains("Smoke ⟳") || tabs.contains("Smoke ✓"),
        "{tabs}"
    );
    press(&mut app, "6");
    assert_eq!(wait_for_smoke(&mut app), "done");
    let screen = text(&app, 120, 40);
    assert!(screen.contains("6 Smoke ✓"), "{screen}");
    assert!(screen.contains("[PASS]"), "{screen}");
    for want in [
        "llama on cpu in bf16",
        "output shape",
        "yes: no NaN or inf",
        "top next tokens",
        "entropy",
        "load ",
        "forward ",
        "peak RSS",
    ] {
        assert!(screen.contains(want), "{want} missing:\n{screen}");
    }
    // `r` in Tensors still reverses the sort: the key means what the view binds.
    press(&mut app, "3 r");
    assert!(app.status().is_none());
}

#[test]
fn smoke_view_shows_why_a_model_cannot_run() {
    let (_tmp, dir) = copy_fixture("tiny-llama");
    let cfg = dir.join("config.json");
    let config = fs::read_to_string(&cfg)
        .unwrap()
        .replace("\"model_type\": \"llama\"", "\"model_type\": \"mamba\"");
    fs::write(&cfg, config).unwrap();
    let r = mri::inspect(dir.to_str().unwrap(), &mri::InspectOptions::default()).unwrap();
    let mut app = App::new(r, Theme { color: false });
    press(&mut app, "6 r");
    let state = wait_for_smoke(&mut app);
    assert!(state.contains("unsupported architecture"), "{state}");
    assert!(text(&app, 120, 40).contains("[FAIL]"));
    assert!(text(&app, 120, 40).contains("6 Smoke ✗"));
}

#[test]
fn smoke_view_runs_a_gguf_model() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("tiny-gguf");
    support::gguf_models::write_gguf_model(&dir, support::gguf_models::GgufArch::Qwen3);
    let r = mri::inspect(dir.to_str().unwrap(), &mri::InspectOptions::default()).unwrap();
    let mut app = App::new(r, Theme { color: false });
    press(&mut app, "6 r");
    assert_eq!(wait_for_smoke(&mut app), "done");
    let screen = text(&app, 120, 40);
    for want in ["qwen3 on cpu in q8_0", "top next tokens", "entropy"] {
        assert!(screen.contains(want), "{want} missing:\n{screen}");
    }
}

#[test]
fn event_loop_drains_smoke_progress() {
    // Scripted keys start the run; the loop keeps drawing while it runs and
    // the final frame (after the script's q) is whatever state it reached.
    let r = mri::inspect("fixtures/tiny-llama", &mri::InspectOptions::default()).unwrap();
    let mut app = App::new(r, Theme { color: false });
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let script: VecDeque<Event> = ["6", "r"]
        .iter()
        .map(|k| Event::Key(parse_key(k).unwrap()))
        .collect();
    run_loop(&mut terminal, &mut app, &mut ScriptedEvents(script)).unwrap();
    let screen = buffer_text(terminal.backend().buffer());
    assert!(
        screen.contains("running") || screen.contains("llama on cpu"),
        "{screen}"
    );
    assert!(!screen.contains("Not run yet"), "{screen}");
}

/// Masks what varies between runs and machines in the Smoke view's result:
/// every decimal number (times, probabilities, entropy) and the peak RSS.
/// The right border goes too, since the padding before it varies with them.
fn mask_run(screen: &str) -> String {
    let mut out = String::new();
    for line in screen.lines() {
        let line = line.trim_end_matches('│').trim_end();
        let line = match line.find("peak RSS") {
            Some(i) => format!("{}peak RSS        <rss>", &line[..i]),
            None => line.to_string(),
        };
        // A probability's bar is as long as the probability: masked with it.
        let bars = ['█', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
        let line = match (line.find(bars), line.find("%  id")) {
            (Some(a), Some(b)) if a < b => {
                let number = line[..b].rfind(' ').map_or(b, |i| i + 1);
                format!("{}<bar> {}", &line[..a], &line[number..])
            }
            _ => line,
        };
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let number_at = |j: usize| {
                let mut k = j;
                while k < chars.len() && chars[k].is_ascii_digit() {
                    k += 1;
                }
                if k > j && k + 1 < chars.len() && chars[k] == '.' && chars[k + 1].is_ascii_digit()
                {
                    k += 1;
                    while k < chars.len() && chars[k].is_ascii_digit() {
                        k += 1;
                    }
                    Some(k)
                } else {
                    None
                }
            };
            let starts = i == 0 || !chars[i - 1].is_ascii_digit();
            match number_at(i).filter(|_| starts) {
                Some(end) => {
                    out.push('#');
                    i = end;
                }
                None => {
                    out.push(chars[i]);
                    i += 1;
                }
            }
        }
        out.push('\n');
    }
    out
}

#[test]
fn smoke_view_finished() {
    let r = mri::inspect("fixtures/tiny-llama", &mri::InspectOptions::default()).unwrap();
    let mut app = App::new(r, Theme { color: false });
    press(&mut app, "6 r");
    assert_eq!(wait_for_smoke(&mut app), "done");
    for (w, h) in SIZES {
        let mut screen = mask_run(&text(&app, w, h));
        if h < 24 {
            // Taller than the screen: the end is a scroll away.
            assert!(screen.contains("(j/k scroll)"), "{screen}");
            press(&mut app, "G");
            let end = mask_run(&text(&app, w, h));
            press(&mut app, "g");
            assert!(end.contains("peak RSS"), "{end}");
            screen.push_str(&end);
        }
        assert!(screen.contains("load # ms · forward # ms"), "{screen}");
        insta::assert_snapshot!(format!("smoke_done_{w}x{h}"), screen);
    }
}

/// A rank-4 LoRA adapter for the tiny-llama fixture (q_proj and v_proj of
/// both layers), generated here and opened with the fixture as its base; the
/// temporary path is replaced by a stable name.
fn adapter_report() -> Report {
    use support::fixture_gen::{random_bf16, write_safetensors, Rng};
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("tiny-lora");
    fs::create_dir_all(&dir).unwrap();
    let config = serde_json::json!({
        "peft_type": "LORA", "task_type": "CAUSAL_LM", "r": 4, "lora_alpha": 8,
        "lora_dropout": 0.05, "target_modules": ["q_proj", "v_proj"],
        "base_model_name_or_path": "acme/tiny-llama"
    });
    fs::write(dir.join("adapter_config.json"), config.to_string()).unwrap();
    let mut rng = Rng::new(7);
    let mut tensors = Vec::new();
    for layer in 0..2 {
        for (target, out) in [("q_proj", 32), ("v_proj", 16)] {
            let module = format!("base_model.model.model.layers.{layer}.self_attn.{target}");
            tensors.push(random_bf16(
                &mut rng,
                &format!("{module}.lora_A.weight"),
                &[4, 32],
                0.1,
            ));
            tensors.push(random_bf16(
                &mut rng,
                &format!("{module}.lora_B.weight"),
                &[out, 4],
                0.1,
            ));
        }
    }
    write_safetensors(&dir.join("adapter_model.safetensors"), &tensors).unwrap();
    let options = mri::InspectOptions {
        base: Some("fixtures/tiny-llama".into()),
        ..mri::InspectOptions::default()
    };
    let mut r = mri::inspect(dir.to_str().unwrap(), &options).unwrap();
    r.target.input = "adapter/tiny-lora".into();
    r.target.root = "adapter/tiny-lora".into();
    r
}

#[test]
fn overview_of_an_adapter() {
    snap("overview_adapter", adapter_report, "", |_| {});
    let app = App::new(adapter_report(), Theme { color: false });
    let screen = text(&app, 120, 40);
    for want in [
        " Adapter ",
        "LORA · r 4 · alpha 8 · scale 2",
        "q_proj ×2, v_proj ×2",
        "acme/tiny-llama (checked against fixtures/tiny-llama)",
        "of base",
        "7 Adapter",
    ] {
        assert!(screen.contains(want), "{want:?} missing:\n{screen}");
    }
}

#[test]
fn adapter_view_lists_the_pairs() {
    snap("adapter", adapter_report, "7", |_| {});
    let mut app = App::new(adapter_report(), Theme { color: false });
    press(&mut app, "7 j j");
    assert_eq!(
        app.current_view().selected(&app.ctx()).as_deref(),
        Some("model.layers.1.self_attn.q_proj")
    );
    press(&mut app, "G");
    assert_eq!(
        app.current_view().selected(&app.ctx()).as_deref(),
        Some("model.layers.1.self_attn.v_proj")
    );
    let screen = text(&app, 120, 40);
    for want in [
        "4 LoRA pairs",
        "model.layers.1.self_attn.v_proj",
        "[4, 32]",
        "[16, 4]",
        "192",
    ] {
        assert!(screen.contains(want), "{want:?} missing:\n{screen}");
    }
}

#[test]
fn enter_on_a_pair_shows_its_a_matrix_in_tensors() {
    let mut app = App::new(adapter_report(), Theme { color: false });
    press(&mut app, "7 j Enter");
    assert_eq!(app.current_title(), "Tensors");
    assert_eq!(
        app.current_view().selected(&app.ctx()).as_deref(),
        Some("base_model.model.model.layers.0.self_attn.v_proj.lora_A.weight")
    );
}

#[test]
fn only_adapters_have_an_adapter_view() {
    let mut app = App::new(fixture_report(), Theme { color: false });
    press(&mut app, "7");
    let screen = text(&app, 120, 40);
    assert!(!screen.contains("Adapter"), "{screen}");
    assert!(screen.contains("there is no view 7"), "{screen}");
}

/// The tiny GGUF fixture, by a relative path.
fn gguf_report() -> Report {
    mri::inspect(
        "fixtures/tiny-gguf/tiny-llama.Q8_0.gguf",
        &mri::InspectOptions::default(),
    )
    .expect("GGUF fixture inspects")
}

#[test]
fn overview_of_a_gguf_file() {
    snap("overview_gguf", gguf_report, "", |_| {});
}

#[test]
fn files_of_a_gguf_file() {
    snap("files_gguf", gguf_report, "2", |_| {});
}

#[test]
fn tensors_of_a_gguf_file_grouped_by_block() {
    snap("tensors_gguf", gguf_report, "3 L j Enter", |_| {});
}

#[test]
fn enter_on_a_gguf_file_lists_its_tensors() {
    let mut app = App::new(gguf_report(), Theme { color: false });
    press(&mut app, "2 Enter");
    let screen = text(&app, 120, 40);
    assert!(screen.contains("Tensors"), "{screen}");
    assert!(screen.contains("blk.0.ffn_down.weight"), "{screen}");
    assert!(screen.contains("Q4_K"), "{screen}");
}

/// A file and a tensor named with a right-to-left override, a C1 control
/// and DEL: no cell of any view holds them (a terminal would reorder or
/// act on them), and the names stay visible around them.
#[test]
fn bidirectional_overrides_and_controls_never_reach_the_terminal() {
    let (_tmp, dir) = copy_fixture("tiny-llama");
    let evil = "notes\u{202e}txt.exe\u{9b}\u{7f}.json";
    fs::write(dir.join(evil), "{}").unwrap();
    let report = mri::inspect(dir.to_str().unwrap(), &mri::InspectOptions::default()).unwrap();
    let mut app = App::new(report, Theme { color: false });
    let unsafe_chars = ['\u{202e}', '\u{9b}', '\u{7f}'];
    for view in ["1", "2", "3", "4", "5", "6"] {
        press(&mut app, view);
        let terminal = render(&app, 120, 40);
        let shown = buffer_text(terminal.backend().buffer());
        assert!(
            !shown.chars().any(|c| unsafe_chars.contains(&c)),
            "view {view}: {shown}"
        );
        if view == "2" {
            assert!(shown.contains("notes"), "{shown}");
            assert!(shown.contains("txt.exe"), "{shown}");
        }
    }
}

/// The tensors view's title carries the header's `__metadata__` of a
/// one-file model (and of a shard in view); all shards at once show none.
#[test]
fn tensors_title_shows_the_header_metadata() {
    let mut one = mri::inspect("fixtures/tiny-llama", &mri::InspectOptions::default()).unwrap();
    assert_eq!(one.weights.shards.len(), 1);
    one.weights.shards[0]
        .metadata
        .insert("format".into(), "pt".into());
    one.weights.shards[0]
        .metadata
        .insert("modelspec.license".into(), "apache-2.0".into());
    let mut app = App::new(one, Theme { color: false });
    press(&mut app, "3");
    let screen = text(&app, 120, 20);
    let title = screen.lines().find(|l| l.starts_with("Tensors")).unwrap();
    assert!(
        title.contains("metadata format=pt, modelspec.license=apache-2.0"),
        "{screen}"
    );

    let mut sharded = fixture_report();
    for s in &mut sharded.weights.shards {
        s.metadata.insert("format".into(), "pt".into());
    }
    let mut app = App::new(sharded, Theme { color: false });
    press(&mut app, "3");
    assert!(!text(&app, 120, 20).contains("metadata format"));
}

#[test]
fn the_overview_shows_the_training_data_verdict_beside_the_license() {
    let (tmp, dir) = copy_fixture("tiny-llama-sharded");
    fs::write(
        dir.join("README.md"),
        "---\nlicense: apache-2.0\ndatasets:\n- ms_marco\n- squad\n---\n",
    )
    .unwrap();
    let options = mri::InspectOptions {
        cache: mri::HfCache::new(tmp.path().join("hub")),
        ..mri::InspectOptions::default()
    };
    let r = mri::inspect(dir.to_str().unwrap(), &options).unwrap();
    let app = App::new(r, Theme { color: false });
    let screen = text(&app, 120, 40);
    let license = screen
        .lines()
        .position(|l| l.contains("│[PERMITTED] Apache-2.0"));
    let data = screen
        .lines()
        .position(|l| l.contains("│data [RESEARCH-ONLY] 2 datasets: 1 research-only (ms_marco)"));
    assert!(
        matches!((license, data), (Some(l), Some(d)) if d == l + 1),
        "{screen}"
    );
}

/// The sharded fixture under the Llama 3.1 license as Meta ships it: its
/// LICENSE has lines of up to 720 characters (a paragraph each).
fn llama_long_lines() -> (tempfile::TempDir, Report) {
    let (tmp, r) = llama_licensed();
    let text = fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/license-corpus/texts/llama3_1-license.txt"),
    )
    .unwrap();
    let root = tmp.path().join("tiny-llama-sharded");
    fs::write(root.join("LICENSE"), text).unwrap();
    let mut r2 = mri::inspect(root.to_str().unwrap(), &mri::InspectOptions::default()).unwrap();
    r2.target.input = r.target.input.clone();
    r2.target.root = r.target.root.clone();
    (tmp, r2)
}

/// Opens the obligation that cites the 700-million-users clause.
fn open_threshold_clause(r: &Report) -> App {
    let lic = r.license.as_ref().unwrap();
    let i = lic
        .obligations
        .iter()
        .position(|o| o.quote.contains("700 million") && o.file.as_deref() == Some("LICENSE"))
        .expect("the threshold clause is cited in LICENSE");
    let mut app = App::new(r.clone(), Theme { color: false });
    press(&mut app, "5");
    for _ in 0..i {
        press(&mut app, "j");
    }
    press(&mut app, "Enter");
    assert_eq!(app.viewer().expect("the viewer opens").path(), "LICENSE");
    app
}

#[test]
fn a_license_with_long_lines_wraps_in_the_viewer() {
    let (_tmp, r) = llama_long_lines();
    snap(
        "license_long_viewer",
        || r.clone(),
        "",
        |a| {
            *a = open_threshold_clause(a.report());
        },
    );
    for (w, h) in SIZES {
        let app = open_threshold_clause(&r);
        let screen = text(&app, w, h);
        assert!(app.viewer().unwrap().wraps());
        // Every word of the clause is on screen, the figure included.
        assert!(screen.contains("700 million"), "{screen}");
        assert!(screen.contains("wrapped"), "{screen}");
    }
}

#[test]
fn the_viewer_scrolls_sideways_when_not_wrapping() {
    let (_tmp, r) = llama_long_lines();
    let mut app = open_threshold_clause(&r);
    press(&mut app, "w");
    assert!(!app.viewer().unwrap().wraps());
    let screen = text(&app, 80, 24);
    assert!(!screen.contains("700 million"), "{screen}");
    assert!(
        screen.contains('…'),
        "a cut line ends in an ellipsis:\n{screen}"
    );
    // → and l scroll right until the figure shows; ← back to the start.
    let mut steps = 0;
    while !text(&app, 80, 24).contains("700 million") {
        press(&mut app, if steps % 2 == 0 { "Right" } else { "l" });
        steps += 1;
        assert!(steps < 20, "never scrolled to the figure");
    }
    assert!(app.viewer().unwrap().column() > 0);
    assert!(text(&app, 80, 24).contains("from column"));
    for _ in 0..steps {
        press(&mut app, "Left");
    }
    assert_eq!(app.viewer().unwrap().column(), 0);
    // At the left edge, ← goes back as it does in the lists.
    press(&mut app, "h");
    assert!(app.viewer().is_none());
    assert_eq!(app.current_title(), "License");

    // A search match beyond the right edge is scrolled into view.
    let mut app = open_threshold_clause(&r);
    press(&mut app, "w g");
    let _ = text(&app, 80, 24);
    press(&mut app, "/");
    type_text(&mut app, "700 million");
    let screen = text(&app, 80, 24);
    assert!(screen.contains("1/1 match"), "{screen}");
    assert!(screen.contains("700 million"), "{screen}");
    press(&mut app, "Enter");
    // w wraps again, and the viewer is back at the left edge.
    press(&mut app, "w");
    assert_eq!(app.viewer().unwrap().column(), 0);
    assert!(text(&app, 80, 24).contains("700 million"));
}

#[test]
fn a_search_counts_its_matches_as_it_is_typed() {
    let mut app = App::new(fixture_report(), Theme { color: false });
    press(&mut app, "2 /");
    type_text(&mut app, "tokenizer");
    let last = |a: &App| text(a, 80, 24).lines().last().unwrap().to_string();
    assert!(last(&app).contains("1/2 matches"), "{}", last(&app));
    type_text(&mut app, "zzz");
    assert!(last(&app).contains("no match"), "{}", last(&app));
    press(&mut app, "Esc 3 /");
    type_text(&mut app, "q_proj");
    assert!(last(&app).contains("4 matches"), "{}", last(&app));
    press(&mut app, "Esc 2 g j Enter /");
    type_text(&mut app, "size");
    assert!(last(&app).contains("1/"), "{}", last(&app));
}

#[test]
fn a_gguf_license_is_cited_at_its_metadata_key() {
    let mut app = App::new(gguf_report(), Theme { color: false });
    press(&mut app, "5");
    let screen = text(&app, 120, 40);
    assert!(
        screen.contains("tiny-llama.Q8_0.gguf general.license"),
        "{screen}"
    );
    assert!(!screen.contains(".gguf:1"), "{screen}");
    assert!(
        screen.contains("Enter: show general.license in the metadata of tiny-llama.Q8_0.gguf"),
        "{screen}"
    );
    press(&mut app, "Enter");
    let v = app.viewer().expect("the metadata view opens");
    assert_eq!(v.path(), "tiny-llama.Q8_0.gguf");
    let (line, _) = v.highlighted().expect("the key is marked");
    let screen = text(&app, 120, 40);
    let shown = screen
        .lines()
        .find(|l| l.contains(&format!("{line:>3}▶")))
        .unwrap_or_else(|| panic!("line {line} not marked:\n{screen}"));
    assert!(shown.contains("general.license"), "{shown}");
    assert!(shown.contains("\"apache-2.0\""), "{shown}");
    assert!(
        screen.contains("tiny-llama.Q8_0.gguf · metadata"),
        "{screen}"
    );
    snap("gguf_metadata", gguf_report, "5 Enter", |_| {});
}

#[test]
fn enter_is_offered_only_where_it_leads_somewhere() {
    use mri::report::finding::{Code, Finding};
    let last = |a: &App| text(a, 120, 40).lines().last().unwrap().to_string();
    let mut r = fixture_report();
    r.findings.clear();
    r.findings.push(
        Finding::error(Code::WeightsIndexMismatch, "a tensor in no shard")
            .on_tensor("model.layers.9.ghost.weight"),
    );
    r.findings.push(
        Finding::warning(Code::ConsistencyDtype, "a link leaving the model")
            .in_file("../outside/secret.json"),
    );
    r.findings
        .push(Finding::info(Code::CardMissing, "names a file").in_file("config.json"));
    r.finish_findings();
    let mut app = App::new(r, Theme { color: false });
    press(&mut app, "4");
    let screen = text(&app, 120, 40);
    assert!(!last(&app).contains("Enter"), "{}", last(&app));
    assert!(
        screen.contains("tensor model.layers.9.ghost.weight is in no readable shard"),
        "{screen}"
    );
    press(&mut app, "j");
    assert!(!last(&app).contains("Enter"), "{}", last(&app));
    assert!(text(&app, 120, 40).contains("../outside/secret.json is not in the model directory"));
    press(&mut app, "Enter");
    assert!(app.viewer().is_none());
    press(&mut app, "j");
    assert!(last(&app).contains("Enter open"), "{}", last(&app));
    // Headers say 1 error, 1 warning, 1 info.
    assert!(text(&app, 120, 40).contains("1 error · 1 warning · 1 info"));

    // A binary file in Files: no Enter; the viewer: no Enter either.
    let mut app = App::new(fixture_report(), Theme { color: false });
    press(&mut app, "2 Enter");
    assert!(app.viewer().is_some());
    assert!(!last(&app).contains("Enter"), "{}", last(&app));
}

#[test]
fn below_the_minimum_size_a_screen_says_so() {
    for (w, h) in [(40, 12), (59, 40), (120, 15)] {
        let mut app = App::new(fixture_report(), Theme { color: false });
        let screen = text(&app, w, h);
        assert!(screen.contains("terminal too small"), "{screen}");
        assert!(screen.contains("60×16"), "{screen}");
        assert!(screen.contains(&format!("{w}×{h}")), "{screen}");
        assert!(!screen.contains("PERMITTE"), "{screen}");
        if h >= 4 {
            assert!(
                screen.lines().next().unwrap().contains(" mri │"),
                "{screen}"
            );
        }
        press(&mut app, "q");
        assert!(app.should_quit());
    }
    let app = App::new(fixture_report(), Theme { color: false });
    insta::assert_snapshot!("too_small_40x12", text(&app, 40, 12));
    let screen = text(&App::new(fixture_report(), Theme { color: false }), 60, 16);
    assert!(!screen.contains("too small"), "{screen}");
    // Every tab is named at the minimum width.
    let tabs = screen.lines().next().unwrap().to_string();
    for n in 1..=6 {
        assert!(tabs.contains(&format!(" {n} ")), "{tabs}");
    }
}

/// A one-shard report whose header lists twelve layers sorted as text, as
/// safetensors headers are (`layers.1`, `layers.10`, `layers.11`, `layers.2`…).
fn text_sorted_layers() -> Report {
    let mut r = mri::inspect("fixtures/tiny-llama", &mri::InspectOptions::default()).unwrap();
    let shard = &mut r.weights.shards[0];
    let template = shard.tensors[1].clone();
    let mut names: Vec<String> = (0..12)
        .flat_map(|i| {
            [
                format!("model.layers.{i}.mlp.up_proj.weight"),
                format!("model.layers.{i}.input_layernorm.weight"),
            ]
        })
        .collect();
    names.sort();
    shard.tensors = ["lm_head.weight".to_string()]
        .into_iter()
        .chain(names)
        .chain(["model.norm.weight".to_string()])
        .map(|n| {
            let mut t = template.clone();
            t.info.name = n;
            t
        })
        .collect();
    r
}

#[test]
fn layers_are_listed_by_number() {
    let mut app = App::new(text_sorted_layers(), Theme { color: false });
    let selected = |a: &App| a.current_view().selected(&a.ctx()).unwrap();
    press(&mut app, "3");
    assert_eq!(
        selected(&app),
        "lm_head.weight",
        "the header's first stays first"
    );
    let mut seen = Vec::new();
    for _ in 0..25 {
        press(&mut app, "j");
        seen.push(selected(&app));
    }
    let layers: Vec<u32> = seen
        .iter()
        .filter_map(|n| {
            n.strip_prefix("model.layers.")?
                .split('.')
                .next()?
                .parse()
                .ok()
        })
        .collect();
    let mut sorted = layers.clone();
    sorted.sort();
    assert_eq!(layers, sorted, "{seen:?}");
    assert_eq!(layers.len(), 24);
    // Within a layer, the header's order: up_proj was written after
    // input_layernorm as text, so input_layernorm first.
    assert_eq!(seen[0], "model.layers.0.input_layernorm.weight");
    assert_eq!(seen[24], "model.norm.weight");
    // Folded by layer: one row each, by number.
    press(&mut app, "L g");
    let mut rows = Vec::new();
    for _ in 0..13 {
        rows.push(selected(&app));
        press(&mut app, "j");
    }
    assert_eq!(rows[1], "model.layers.0");
    assert_eq!(rows[3], "model.layers.2");
    assert_eq!(rows[12], "model.layers.11");
    // Sorted by name, numbers compare as numbers too.
    press(&mut app, "L s g j j j");
    assert_eq!(selected(&app), "model.layers.1.input_layernorm.weight");
    press(&mut app, "j j");
    assert_eq!(selected(&app), "model.layers.2.input_layernorm.weight");
}

/// An empty `x.gguf`, its temporary folder replaced by a stable name.
fn empty_gguf_report() -> Report {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("x.gguf");
    fs::write(&path, b"").unwrap();
    let mut r = mri::inspect(path.to_str().unwrap(), &mri::InspectOptions::default()).unwrap();
    r.target.input = "empty/x.gguf".into();
    r.target.root = "empty".into();
    r
}

#[test]
fn an_unreadable_gguf_shows_its_cause_first() {
    snap("overview_empty_gguf", empty_gguf_report, "", |_| {});
    for (w, h) in SIZES {
        let app = App::new(empty_gguf_report(), Theme { color: false });
        let screen = text(&app, w, h);
        let cause = screen
            .lines()
            .position(|l| l.contains("not a GGUF file: it is empty"))
            .unwrap_or_else(|| panic!("the cause is not shown at {w}x{h}:\n{screen}"));
        assert!(cause < 8, "the cause is not near the top:\n{screen}");
        assert!(!screen.contains("no config.json"), "{screen}");
    }
    let app = App::new(empty_gguf_report(), Theme { color: false });
    assert!(text(&app, 120, 40).contains("unknown (GGUF header not read)"));
}

#[test]
fn the_dtype_and_tying_come_from_the_weights_when_the_config_is_silent() {
    let (_tmp, dir) = copy_fixture("tiny-llama-sharded");
    let cfg = dir.join("config.json");
    let mut config: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&cfg).unwrap()).unwrap();
    let obj = config.as_object_mut().unwrap();
    obj.remove("torch_dtype");
    obj.remove("tie_word_embeddings");
    fs::write(&cfg, serde_json::to_string_pretty(&config).unwrap()).unwrap();
    let r = mri::inspect(dir.to_str().unwrap(), &mri::InspectOptions::default()).unwrap();
    let app = App::new(r, Theme { color: false });
    let screen = text(&app, 120, 40);
    // (transformers' Llama default unties the head: the tying is the default's.)
    assert!(
        screen.contains("dtype      BF16 (every weight) · "),
        "{screen}"
    );
    assert!(!screen.contains("dtype      ?"), "{screen}");
}

/// MiniLM (`MRI_MINILM_DIR`, skipped without it): its config states no
/// dtype and no tying; every weight is F32 and there is no head.
#[test]
fn minilm_overview_states_dtype_and_tying_from_the_weights() {
    let Ok(dir) = std::env::var("MRI_MINILM_DIR") else {
        eprintln!("MRI_MINILM_DIR not set: skipped");
        return;
    };
    let r = mri::inspect(&dir, &mri::InspectOptions::default()).unwrap();
    let app = App::new(r, Theme { color: false });
    let screen = text(&app, 120, 40);
    assert!(!screen.contains("dtype      ?"), "{screen}");
    assert!(
        screen.contains("F32 (every float weight) · no head tensor"),
        "{screen}"
    );
}

#[test]
fn license_detail_lists_the_further_lines_an_obligation_is_cited_at() {
    let (_tmp, mut r) = llama_licensed();
    let lic = r.license.as_mut().expect("a license decision");
    let o = &mut lic.obligations[0];
    assert!(o.also_cited.is_empty());
    o.also_cited.push(mri::license::AlsoCited {
        line_start: 90,
        line_end: 91,
        quote: "You shall not use the Llama Materials for military purposes.".into(),
        value: "military".into(),
    });
    let others: Vec<bool> = lic.obligations[1..]
        .iter()
        .map(|o| !o.also_cited.is_empty())
        .collect();
    assert!(
        others.contains(&false),
        "an obligation with no further clauses"
    );
    let mut app = App::new(r, Theme { color: false });
    press(&mut app, "5");
    let screen = text(&app, 120, 40);
    assert!(
        screen.contains("also at lines 90–91 (military)"),
        "{screen}"
    );
    // Each other obligation says "also at" exactly when it has further clauses.
    for has_more in others {
        press(&mut app, "j");
        let screen = text(&app, 120, 40);
        assert_eq!(screen.contains("also at "), has_more, "{screen}");
    }
}
