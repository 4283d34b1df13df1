//! Adapter: a PEFT adapter's LoRA pairs — module, layer, target, the A and B
//! shapes, rank and parameters — under a header with the type, rank, alpha,
//! scale and base. Listed only when the report is of an adapter. Enter shows
//! the pair's lora_A tensor in Tensors.

use super::{truncate_left, truncate_right, Ctx, Effect, Jump, View};
use crate::adapter::{AdapterSummary, LoraPair};
use crate::report::Report;
use crate::tui::cursor::Cursor;
use crate::tui::filter::Query;
use crate::tui::keys::Action;
use crate::tui::list;
use crate::tui::theme::Theme;
use crate::util::human::{count, grouped};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};
use ratatui::Frame;

/// The Adapter view.
#[derive(Debug)]
pub struct Adapter {
    cursor: Cursor,
    query: Option<Query>,
    len: usize,
}

/// A shape as `[4, 32]`.
pub fn shape(s: &[u64]) -> String {
    let parts: Vec<String> = s.iter().map(u64::to_string).collect();
    format!("[{}]", parts.join(", "))
}

/// `r 4 · alpha 8 · scale 2` (with `rsLoRA` / `DoRA` when set).
pub fn rank_line(a: &AdapterSummary) -> String {
    let num = |v: Option<f64>| {
        v.map(|x| {
            if x.fract() == 0.0 {
                format!("{x:.0}")
            } else {
                format!("{x:.3}")
            }
        })
        .unwrap_or_else(|| "?".into())
    };
    let mut s = format!(
        "r {} · alpha {} · scale {}",
        a.r.map(|r| r.to_string()).unwrap_or_else(|| "?".into()),
        num(a.lora_alpha),
        num(a.scale)
    );
    if a.use_rslora {
        s.push_str(" · rsLoRA");
    }
    if a.use_dora {
        s.push_str(" · DoRA");
    }
    s
}

/// `q_proj ×2, v_proj ×2` from the pairs, else the configured targets.
pub fn targets_line(a: &AdapterSummary) -> String {
    if a.pairs_by_target.is_empty() {
        return if a.target_modules.is_empty() {
            "none".into()
        } else {
            a.target_modules.join(", ")
        };
    }
    a.pairs_by_target
        .iter()
        .map(|(t, n)| format!("{t} ×{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `acme/tiny-llama (checked against fixtures/tiny-llama)`, or why not.
pub fn base_line(a: &AdapterSummary) -> String {
    let named = a.base_model.as_deref().unwrap_or("not named");
    match &a.base_checked {
        Some(c) => format!("{named} (checked against {c})"),
        None => format!("{named} (not checked: pass --base)"),
    }
}

/// `1,536 (0.0120% of base)`, the share only when the base was read.
pub fn trainable_line(a: &AdapterSummary) -> String {
    let mut s = format!(
        "{} ({})",
        count(a.trainable_parameters),
        grouped(a.trainable_parameters)
    );
    if let Some(share) = a.share_of_base {
        s.push_str(&format!(" · {:.4}% of base", share * 100.0));
    }
    s
}

/// The adapter tensor holding a pair's A matrix (`….{module}.lora_A.weight`),
/// with its shard.
pub fn lora_a_tensor(r: &Report, p: &LoraPair) -> Option<(String, String)> {
    let suffixes = [
        format!("{}.lora_A.weight", p.module),
        format!("{}.lora_embedding_A", p.module),
    ];
    r.weights
        .shards
        .iter()
        .filter(|s| s.counted)
        .flat_map(|s| s.tensors.iter().map(move |t| (s, t)))
        .find(|(_, t)| suffixes.iter().any(|x| t.info.name.ends_with(x.as_str())))
        .map(|(s, t)| (t.info.name.clone(), s.path.clone()))
}

impl Adapter {
    /// The pairs of a report's adapter (none when it is not an adapter).
    pub fn new(report: &Report) -> Adapter {
        Adapter {
            cursor: Cursor::default(),
            query: None,
            len: report.adapter.as_ref().map_or(0, |a| a.pairs.len()),
        }
    }

    fn matches(q: &Query, p: &LoraPair) -> bool {
        q.matches(&p.module) || q.matches(&p.target)
    }

    fn step_match(&mut self, r: &Report, forward: bool, include_current: bool) -> Effect {
        let Some(q) = &self.query else {
            return Effect::Status("no search: press / to search".into());
        };
        let pairs = r
            .adapter
            .as_ref()
            .map(|a| a.pairs.as_slice())
            .unwrap_or(&[]);
        let found = list::step_match(
            Some(q),
            self.len,
            self.cursor.selected(),
            forward,
            include_current,
            "LoRA pair",
            |q, i| pairs.get(i).is_some_and(|p| Self::matches(q, p)),
        );
        match found {
            Ok(Some(i)) => {
                self.cursor.select(i, self.len);
                Effect::Done
            }
            Ok(None) => Effect::Status(format!("no LoRA pair matches {}", q.text())),
            Err(status) => Effect::Status(status),
        }
    }
}

fn header(a: &AdapterSummary, t: Theme, width: usize) -> Vec<Line<'static>> {
    let label = |s: &str| Span::styled(format!("{s:<10}"), t.dim());
    let fit = |s: String| truncate_right(&s, width.saturating_sub(10));
    vec![
        Line::from(vec![
            label("type"),
            Span::styled(
                fit(format!(
                    "{}{} · {}",
                    a.peft_type,
                    a.task_type
                        .as_deref()
                        .map(|t| format!(" {t}"))
                        .unwrap_or_default(),
                    rank_line(a)
                )),
                t.accent(),
            ),
        ]),
        Line::from(vec![label("targets"), Span::raw(fit(targets_line(a)))]),
        Line::from(vec![label("base"), Span::raw(fit(base_line(a)))]),
        Line::from(vec![label("trainable"), Span::raw(fit(trainable_line(a)))]),
    ]
}

impl View for Adapter {
    fn title(&self) -> &'static str {
        "Adapter"
    }

    fn update(&mut self, action: Action, ctx: &Ctx) -> Effect {
        if self.cursor.apply(action, self.len) {
            return Effect::Done;
        }
        match action {
            Action::Open => {
                let r = ctx.report;
                let pair = r
                    .adapter
                    .as_ref()
                    .and_then(|a| a.pairs.get(self.cursor.selected()));
                match pair.and_then(|p| lora_a_tensor(r, p)) {
                    Some((name, shard)) => Effect::Jump(Jump::Tensor {
                        name,
                        shard: Some(shard),
                    }),
                    None => Effect::Done,
                }
            }
            Action::Back if self.query.is_some() => {
                self.query = None;
                Effect::Done
            }
            Action::NextMatch => self.step_match(ctx.report, true, false),
            Action::PrevMatch => self.step_match(ctx.report, false, false),
            _ => Effect::Unhandled,
        }
    }

    fn set_query(&mut self, query: Option<Query>, ctx: &Ctx) {
        self.query = query;
        if self.query.is_some() {
            let _ = self.step_match(ctx.report, true, true);
        }
    }

    fn query(&self) -> Option<&Query> {
        self.query.as_ref()
    }

    fn rows(&self) -> usize {
        self.len
    }

    fn selected(&self, ctx: &Ctx) -> Option<String> {
        let a = ctx.report.adapter.as_ref()?;
        a.pairs
            .get(self.cursor.selected())
            .map(|p| p.module.clone())
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let t = ctx.theme;
        let Some(a) = &ctx.report.adapter else {
            frame.render_widget(Paragraph::new("Not a PEFT adapter."), area);
            return;
        };
        let width = area.width as usize;
        // The head's long values (the base and where it was checked) wrap.
        let head = super::wrap_styled(header(a, t, usize::MAX), width);
        let [title_area, head_area, columns, body, detail] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(head.len() as u16 + 1),
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(1),
        ])
        .areas(area);
        let mut title = vec![
            Span::styled("Adapter", t.title()),
            Span::raw(format!(
                "  {} LoRA pair{}",
                a.pairs.len(),
                if a.pairs.len() == 1 { "" } else { "s" }
            )),
        ];
        if let Some(q) = &self.query {
            title.push(Span::styled(format!("  search: {}", q.text()), t.dim()));
        }
        frame.render_widget(Paragraph::new(Line::from(title)), title_area);
        frame.render_widget(Paragraph::new(head), head_area);

        // module | layer | target | A shape | B shape | rank | parameters;
        // narrow, the shapes go (the detail line has them).
        let narrow = width < 80;
        let (target_w, shape_w, rank_w, params_w) = if narrow {
            (8usize, 0usize, 4usize, 8usize)
        } else {
            (10, 12, 4, 10)
        };
        let shapes = if narrow { 0 } else { 2 * shape_w + 2 };
        let fixed = 5 + target_w + shapes + rank_w + params_w + 5;
        let module_w = width.saturating_sub(fixed).max(8);
        let mut widths = vec![
            Constraint::Length(module_w as u16),
            Constraint::Length(5),
            Constraint::Length(target_w as u16),
        ];
        let mut heads = vec![
            Cell::from("module"),
            Cell::from("layer"),
            Cell::from("target"),
        ];
        if !narrow {
            widths.extend([Constraint::Length(shape_w as u16); 2]);
            heads.extend([Cell::from("A shape"), Cell::from("B shape")]);
        }
        widths.extend([
            Constraint::Length(rank_w as u16),
            Constraint::Length(params_w as u16),
        ]);
        heads.extend([
            Cell::from("rank"),
            Cell::from(format!("{:>params_w$}", "params")),
        ]);
        let heading = Row::new(heads).style(t.title());
        frame.render_widget(
            Table::new(vec![heading], widths.clone()).column_spacing(1),
            columns,
        );
        if let Some(p) = a.pairs.get(self.cursor.selected()) {
            draw_detail(frame, detail, p, t);
        }

        if a.pairs.is_empty() {
            frame.render_widget(
                Paragraph::new("No LoRA pairs: the adapter holds no lora_A/lora_B tensors."),
                body,
            );
            return;
        }
        let rows = list::visible_rows(
            &self.cursor,
            self.len,
            body.height as usize,
            |i| {
                let p = &a.pairs[i];
                let matched = self.query.as_ref().is_some_and(|q| Self::matches(q, p));
                let module = Cell::from(truncate_left(&p.module, module_w));
                let mut cells = vec![
                    if matched {
                        module.style(t.matched())
                    } else {
                        module
                    },
                    Cell::from(p.layer.map(|l| l.to_string()).unwrap_or_else(|| "-".into())),
                    Cell::from(truncate_right(&p.target, target_w)),
                ];
                if !narrow {
                    cells.push(Cell::from(truncate_right(&shape(&p.a_shape), shape_w)));
                    cells.push(Cell::from(truncate_right(&shape(&p.b_shape), shape_w)));
                }
                cells.push(Cell::from(p.rank.to_string()));
                cells.push(Cell::from(format!("{:>params_w$}", grouped(p.parameters))));
                Row::new(cells)
            },
            |row| row.style(t.selected()),
        );
        frame.render_widget(Table::new(rows, widths).column_spacing(1), body);
    }
}

/// The selected pair in full: module, shapes, rank, parameters, and what
/// Enter does.
fn draw_detail(frame: &mut Frame, area: Rect, p: &LoraPair, t: Theme) {
    let text = format!(
        "{} · A {} · B {} · rank {} · {} params · Enter: show its lora_A tensor",
        p.module,
        shape(&p.a_shape),
        shape(&p.b_shape),
        p.rank,
        grouped(p.parameters)
    );
    frame.render_widget(
        Paragraph::new(Line::styled(
            truncate_right(&text, area.width as usize),
            t.dim(),
        )),
        area,
    );
}
