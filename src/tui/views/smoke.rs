//! Smoke: `r` runs one forward pass with candle (`mri::smoke::run_target`: an
//! adapter on its base) on a
//! background thread; progress arrives over a channel that the event loop
//! drains before each draw (so the UI never waits), then the result or the
//! error is shown.

use super::{Ctx, Effect, View};
use crate::smoke::{self, SmokeEvent, SmokeOptions, SmokeRun, Stage};
use crate::tui::keys::{Action, Scope, SMOKE};
use crate::tui::theme::Theme;
use crate::util::human::bytes;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::sync::Arc;
use std::time::Instant;

/// Greedy tokens generated after the prompt.
pub const MAX_TOKENS: usize = 8;

/// What the background run sends.
enum Msg {
    Event(SmokeEvent),
    Done(Box<Result<SmokeRun, String>>),
}

/// Where a smoke test stands.
#[derive(Debug, Clone, PartialEq)]
pub enum SmokeState {
    /// Not started.
    Idle,
    /// Running: the last stage reported, scan bytes and tokens so far.
    Running {
        /// The current stage.
        stage: Stage,
        /// Weight bytes scanned, of the total.
        scan: Option<(u64, u64)>,
        /// Tokens generated, of the most.
        tokens: Option<(usize, usize)>,
    },
    /// Finished.
    Done(Box<SmokeRun>),
    /// Failed, with the message.
    Failed(String),
}

impl SmokeState {
    /// A short label: `idle`, `running: <stage>`, `done`, `failed: <message>`.
    pub fn label(&self) -> String {
        match self {
            SmokeState::Idle => "idle".into(),
            SmokeState::Running { stage, .. } => format!("running: {}", stage_name(*stage)),
            SmokeState::Done(_) => "done".into(),
            SmokeState::Failed(e) => format!("failed: {e}"),
        }
    }
}

/// The Smoke view.
pub struct Smoke {
    state: SmokeState,
    rx: Option<Receiver<Msg>>,
    started: Option<Instant>,
    /// Lines scrolled past (j/k, PgUp/PgDn), when the text is taller than the view.
    scroll: usize,
    /// Lines that fit and lines there are, as of the last draw.
    fit: std::cell::Cell<(usize, usize)>,
}

impl Default for Smoke {
    fn default() -> Self {
        Smoke {
            state: SmokeState::Idle,
            rx: None,
            started: None,
            scroll: 0,
            fit: std::cell::Cell::new((0, 0)),
        }
    }
}

impl std::fmt::Debug for Smoke {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Smoke")
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

fn stage_name(s: Stage) -> &'static str {
    match s {
        Stage::Checking => "checking (preflight, tokenizing, dry run)",
        Stage::ScanningWeights => "scanning the weights",
        Stage::Loading => "loading the weights",
        Stage::Forward => "forward pass",
        Stage::Generating => "generating",
    }
}

impl Smoke {
    /// Where the run stands.
    pub fn state(&self) -> &SmokeState {
        &self.state
    }

    fn start(&mut self, ctx: &Ctx) -> Effect {
        if matches!(self.state, SmokeState::Running { .. }) {
            return Effect::Status("the smoke test is running".into());
        }
        let (tx, rx) = mpsc::channel();
        let report = ctx.report.clone();
        let progress_tx = tx.clone();
        let options = SmokeOptions {
            max_tokens: MAX_TOKENS,
            progress: Some(Arc::new(move |e: SmokeEvent| {
                let _ = progress_tx.send(Msg::Event(e));
            })),
            ..SmokeOptions::default()
        };
        let spawned = std::thread::Builder::new()
            .name("mri-smoke".into())
            .spawn(move || {
                // An adapter runs on its base (the one it was checked
                // against), merged as the weights load, as `mri smoke` does.
                let inspect = crate::InspectOptions::default();
                let result = smoke::run_target(report, None, &inspect, &options)
                    .map(|t| t.run)
                    .map_err(|e| e.to_string());
                let _ = tx.send(Msg::Done(Box::new(result)));
            });
        match spawned {
            Ok(_) => {
                self.rx = Some(rx);
                self.started = Some(Instant::now());
                self.state = SmokeState::Running {
                    stage: Stage::Checking,
                    scan: None,
                    tokens: None,
                };
                Effect::Done
            }
            Err(e) => {
                self.state = SmokeState::Failed(format!("could not start a thread: {e}"));
                Effect::Done
            }
        }
    }

    fn apply(&mut self, msg: Msg) {
        match msg {
            Msg::Event(e) => {
                if let SmokeState::Running {
                    stage,
                    scan,
                    tokens,
                } = &mut self.state
                {
                    match e {
                        SmokeEvent::Stage(s) => *stage = s,
                        SmokeEvent::ScanBytes { done, total } => *scan = Some((done, total)),
                        SmokeEvent::Token { done, total } => *tokens = Some((done, total)),
                    }
                }
            }
            Msg::Done(result) => {
                self.rx = None;
                self.state = match *result {
                    Ok(run) => SmokeState::Done(Box::new(run)),
                    Err(e) => SmokeState::Failed(e),
                };
            }
        }
    }
}

impl View for Smoke {
    fn title(&self) -> &'static str {
        SMOKE
    }

    fn scopes(&self) -> &'static [Scope] {
        // The list keys scroll a result taller than the screen.
        &[Scope::Lists, Scope::View(SMOKE)]
    }

    fn can_open(&self, _ctx: &Ctx) -> bool {
        false
    }

    fn searchable(&self) -> bool {
        false
    }

    fn update(&mut self, action: Action, ctx: &Ctx) -> Effect {
        let (fit, total) = self.fit.get();
        let last = total.saturating_sub(fit);
        let page = fit.max(1);
        self.scroll = match action {
            Action::Run => {
                self.scroll = 0;
                return self.start(ctx);
            }
            Action::Down => self.scroll + 1,
            Action::Up => self.scroll.saturating_sub(1),
            Action::PageDown => self.scroll + page,
            Action::PageUp => self.scroll.saturating_sub(page),
            Action::Top => 0,
            Action::Bottom => last,
            Action::Open => return Effect::Done,
            _ => return Effect::Unhandled,
        }
        .min(last);
        Effect::Done
    }

    fn tick(&mut self) -> bool {
        let mut changed = false;
        while let Some(rx) = &self.rx {
            match rx.try_recv() {
                Ok(msg) => {
                    self.apply(msg);
                    changed = true;
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    self.rx = None;
                    if matches!(self.state, SmokeState::Running { .. }) {
                        self.state = SmokeState::Failed(
                            "the smoke test thread stopped without a result".into(),
                        );
                    }
                    changed = true;
                }
            }
        }
        changed
    }

    /// The state of the run, as [`SmokeState::label`] writes it.
    fn selected(&self, _ctx: &Ctx) -> Option<String> {
        Some(self.state.label())
    }

    fn busy(&self) -> bool {
        matches!(self.state, SmokeState::Running { .. })
    }

    fn tab_mark(&self) -> Option<&'static str> {
        match &self.state {
            SmokeState::Idle => None,
            SmokeState::Running { .. } => Some("⟳"),
            SmokeState::Done(run) if !run.failed() => Some("✓"),
            SmokeState::Done(_) | SmokeState::Failed(_) => Some("✗"),
        }
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let t = ctx.theme;
        let kv = Kv {
            t,
            width: area.width.saturating_sub(2) as usize,
        };
        let mut lines = vec![
            Line::from(vec![
                Span::styled("Smoke test ", t.title()),
                Span::styled("one forward pass with candle, in the background", t.dim()),
            ]),
            kv.line(
                "options",
                format!(
                    "cpu · dtype auto · {MAX_TOKENS} tokens · prompt {:?}",
                    smoke::DEFAULT_PROMPT
                ),
            ),
            Line::raw(""),
        ];
        match &self.state {
            SmokeState::Idle => {
                lines.push(Line::raw("Not run yet. Press r to run it."));
                lines.push(Line::styled(
                    "It maps the weights and runs them on the CPU: a large model needs its size in memory.",
                    t.dim(),
                ));
            }
            SmokeState::Running {
                stage,
                scan,
                tokens,
            } => {
                let secs = self.started.map_or(0.0, |s| s.elapsed().as_secs_f64());
                lines.push(kv.line("running", format!("{} ({secs:.1} s)", stage_name(*stage))));
                if let Some((d, total)) = scan {
                    lines.push(kv.line("scanned", format!("{} of {}", bytes(*d), bytes(*total))));
                }
                if let Some((d, total)) = tokens {
                    lines.push(kv.line("tokens", format!("{d} of {total}")));
                }
            }
            SmokeState::Failed(e) => {
                lines.push(Line::from(vec![
                    result_badge(false, t),
                    Span::raw(" the model did not run (r runs it again)"),
                ]));
                for l in e.lines() {
                    lines.push(Line::raw(l.to_string()));
                }
            }
            SmokeState::Done(run) => {
                lines.push(Line::from(vec![
                    result_badge(!run.failed(), t),
                    Span::raw(if run.failed() {
                        " the model ran, but its output or weights are not finite (r runs it again)"
                    } else {
                        " the model ran and its output is finite (r runs it again)"
                    }),
                ]));
                done_lines(run, &kv, &mut lines)
            }
        }
        let block = Block::bordered().title(" Smoke ");
        let inner = block.inner(area);
        let lines = super::wrap_styled(lines, inner.width as usize);
        let fit = inner.height as usize;
        self.fit.set((fit, lines.len()));
        let scroll = self.scroll.min(lines.len().saturating_sub(fit));
        let block = if lines.len() > fit {
            block.title_bottom(format!(
                " lines {}-{} of {} (j/k scroll) ",
                scroll + 1,
                (scroll + fit).min(lines.len()),
                lines.len()
            ))
        } else {
            block
        };
        frame.render_widget(
            Paragraph::new(lines.into_iter().skip(scroll).take(fit).collect::<Vec<_>>())
                .block(block),
            area,
        );
    }
}

/// `PASS` or `FAIL`: reverse-coloured (green, red) with colour,
/// `[BRACKETED]` and bold without.
fn result_badge(pass: bool, t: Theme) -> Span<'static> {
    use crate::license::verdict::Verdict;
    let word = if pass { "PASS" } else { "FAIL" };
    let text = if t.color {
        format!(" {word} ")
    } else {
        format!("[{word}]")
    };
    // The verdict badge's colours: green for a pass, red for a failure.
    let style = t.verdict(if pass {
        Verdict::Permitted
    } else {
        Verdict::Prohibited
    });
    Span::styled(text, style)
}

/// The name of a control character: `<EOT>`, `<ESC>`; `\n`, `\t`, `\r`
/// as escapes; other characters as they are.
fn char_name(c: char) -> Option<String> {
    const C0: [&str; 32] = [
        "NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "HT", "LF", "VT", "FF", "CR",
        "SO", "SI", "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM", "SUB",
        "ESC", "FS", "GS", "RS", "US",
    ];
    match c {
        '\n' => Some("\\n".into()),
        '\t' => Some("\\t".into()),
        '\r' => Some("\\r".into()),
        c if (c as u32) < 32 => Some(format!("<{}>", C0[c as usize])),
        '\u{7f}' => Some("<DEL>".into()),
        c if c.is_control() || crate::util::term::is_unsafe(c) => {
            Some(format!("<U+{:04X}>", c as u32))
        }
        _ => None,
    }
}

/// A token's text as shown: quoted, control characters by name
/// (`"<EOT>"`), so that no byte of it reaches the terminal as is.
pub fn token_text(token: &str) -> String {
    let mut out = String::from("\"");
    for c in token.chars() {
        match char_name(c) {
            Some(name) => out.push_str(&name),
            None => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Notes about what the user asked for: the browser runs with its own
/// settings (8 tokens), so a note that an encoder ignores `--max-tokens`
/// is about nothing the user set.
fn user_notes(run: &SmokeRun) -> impl Iterator<Item = &String> {
    run.notes.iter().filter(|n| !n.starts_with("--max-tokens"))
}

/// Builds the view's `label  value` lines: the label dim in 16 columns, the
/// value after it.
struct Kv {
    /// Styles.
    t: Theme,
    /// Columns inside the border.
    width: usize,
}

impl Kv {
    /// One `label  value` line (the view wraps what is longer than the screen).
    fn line(&self, label: &str, value: String) -> Line<'static> {
        Line::from(vec![
            Span::styled(format!("{label:<16}"), self.t.dim()),
            Span::raw(value),
        ])
    }
}

/// The lines of a finished run, appended to `lines`: what ran, the output's
/// shape and health, the top next tokens, the continuation, timings, peak
/// memory and notes.
fn done_lines(run: &SmokeRun, kv: &Kv, lines: &mut Vec<Line<'static>>) {
    let t = kv.t;
    let s = &run.summary;
    lines.push(kv.line(
        "ran",
        format!("{} on {} in {}", s.architecture, s.device, s.dtype),
    ));
    lines.push(kv.line(
        "prompt tokens",
        crate::util::human::grouped(run.prompt_ids.len() as u64),
    ));
    let dims: Vec<String> = s
        .logits_shape
        .iter()
        .map(|&d| crate::util::human::grouped(d as u64))
        .collect();
    lines.push(kv.line("output shape", format!("[{}]", dims.join(" × "))));
    lines.push(if s.finite {
        kv.line("finite", "yes: no NaN or inf".into())
    } else {
        Line::from(vec![
            Span::styled(format!("{:<16}", "finite"), t.dim()),
            Span::styled(
                format!(
                    "NO: {} non-finite values",
                    crate::util::human::grouped(s.non_finite)
                ),
                t.severity(crate::finding::Severity::Error),
            ),
        ])
    });
    // NaN or infinite weights found before loading (GGUF runs
    // check every tensor they read): the run failed.
    for f in &run.weight_findings {
        lines.push(Line::from(vec![
            Span::styled(format!("{:<16}", "weights"), t.dim()),
            Span::styled(f.message.clone(), t.severity(f.severity)),
        ]));
    }
    if let Some(e) = s.entropy {
        lines.push(kv.line("entropy", format!("{e:.4} nats")));
    }
    if let Some(n) = s.embedding_norm {
        lines.push(kv.line(
            "embedding norm",
            format!(
                "{n:.6} ({} pooling)",
                run.pooling.as_deref().unwrap_or("mean")
            ),
        ));
    }
    if !s.top_next.is_empty() {
        lines.push(Line::styled("top next tokens", t.dim()));
        let bar_w = (kv.width / 4).clamp(8, 30);
        for tok in &s.top_next {
            lines.push(Line::from(vec![
                Span::raw("  "),
                Span::styled(super::bar(tok.prob, bar_w), t.bar()),
                Span::raw(format!(
                    " {:>6.2}%  id {:>7}  {}",
                    tok.prob * 100.0,
                    crate::util::human::grouped(u64::from(tok.id)),
                    token_text(&tok.token)
                )),
            ]));
        }
    }
    if let Some(c) = &s.continuation {
        lines.push(kv.line(
            "continuation",
            format!(
                "{} ({} tokens)",
                token_text(c),
                crate::util::human::grouped(run.continuation_ids.len() as u64)
            ),
        ));
    }
    lines.push(kv.line(
        "time",
        format!(
            "load {:.1} ms · forward {:.1} ms{}",
            s.load_ms,
            s.forward_ms,
            s.tokens_per_second
                .map(|x| format!(" · {x:.1} tokens/s"))
                .unwrap_or_default()
        ),
    ));
    lines.push(
        kv.line(
            "peak RSS",
            s.peak_rss_bytes
                .map(bytes)
                .unwrap_or_else(|| "unknown".into()),
        ),
    );
    for n in user_notes(run) {
        lines.push(Line::styled(format!("note: {n}"), t.dim()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_tokens_are_shown_by_name() {
        assert_eq!(token_text("\u{4}"), "\"<EOT>\"");
        assert_eq!(token_text("a\nb\u{1b}"), "\"a\\nb<ESC>\"");
        assert_eq!(token_text(" the"), "\" the\"");
        assert_eq!(token_text("\u{202e}x\u{7f}"), "\"<U+202E>x<DEL>\"");
    }
}
