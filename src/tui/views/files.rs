//! Files: every file grouped by class, with sizes. Enter opens a text file in
//! the viewer, or shows the tensors of a safetensors shard.

use super::{truncate_left, truncate_right, Ctx, Effect, View};
use crate::report::Report;
use crate::scan::classify::FileClass;
use crate::tui::cursor::Cursor;
use crate::tui::filter::Query;
use crate::tui::keys::Action;
use crate::tui::list;
use crate::util::human::{bytes, grouped};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};
use ratatui::Frame;
use std::collections::{HashMap, HashSet};

/// One row of the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Item {
    /// A class heading (index into `groups`).
    Group(usize),
    /// A file (index into `report.files`).
    File(usize),
}

/// The Files view.
#[derive(Debug)]
pub struct Files {
    groups: Vec<(FileClass, Vec<usize>)>,
    folded: HashSet<FileClass>,
    rows: Vec<Item>,
    cursor: Cursor,
    query: Option<Query>,
    shard_tensors: HashMap<String, u64>,
}

impl Files {
    /// Builds the tree of a report's files.
    pub fn new(report: &Report) -> Files {
        let groups = FileClass::ALL
            .iter()
            .filter_map(|&class| {
                let files: Vec<usize> = report
                    .files
                    .iter()
                    .enumerate()
                    .filter(|(_, f)| f.class == class)
                    .map(|(i, _)| i)
                    .collect();
                (!files.is_empty()).then_some((class, files))
            })
            .collect();
        let shard_tensors = report
            .weights
            .shards
            .iter()
            .map(|s| (s.path.clone(), s.tensor_count))
            .collect();
        let mut view = Files {
            groups,
            folded: HashSet::new(),
            rows: Vec::new(),
            cursor: Cursor::default(),
            query: None,
            shard_tensors,
        };
        view.rebuild();
        // Start on the first file rather than on a heading.
        if view.rows.len() > 1 {
            view.cursor.select(1, view.rows.len());
        }
        view
    }

    fn rebuild(&mut self) {
        let current = self.rows.get(self.cursor.selected()).copied();
        self.rows.clear();
        for (g, (class, files)) in self.groups.iter().enumerate() {
            self.rows.push(Item::Group(g));
            if !self.folded.contains(class) {
                self.rows.extend(files.iter().map(|&f| Item::File(f)));
            }
        }
        if let Some(pos) = current.and_then(|c| self.rows.iter().position(|r| *r == c)) {
            self.cursor.select(pos, self.rows.len());
        } else {
            self.cursor.clamp(self.rows.len());
        }
    }

    fn group_of(&self, file: usize) -> Option<usize> {
        self.groups.iter().position(|(_, fs)| fs.contains(&file))
    }

    fn step_match(&mut self, ctx: &Ctx, forward: bool, include_current: bool) -> Effect {
        let Some(q) = &self.query else {
            return Effect::Status("no search: press / to search".into());
        };
        // Search every file, unfolding the group of the match.
        let order: Vec<usize> = self.groups.iter().flat_map(|(_, fs)| fs.clone()).collect();
        if order.is_empty() {
            return Effect::Done;
        }
        let here = match self.rows.get(self.cursor.selected()) {
            Some(Item::File(f)) => order.iter().position(|x| x == f).unwrap_or(0),
            _ => 0,
        };
        let found = list::step_match(
            Some(q),
            order.len(),
            here,
            forward,
            include_current,
            "file",
            |q, i| q.matches(&ctx.report.files[order[i]].path),
        );
        let f = match found {
            Ok(Some(i)) => order[i],
            Ok(None) => return Effect::Done,
            Err(status) => return Effect::Status(status),
        };
        if let Some(g) = self.group_of(f) {
            self.folded.remove(&self.groups[g].0);
        }
        self.rebuild();
        if let Some(pos) = self.rows.iter().position(|r| *r == Item::File(f)) {
            self.cursor.select(pos, self.rows.len());
        }
        Effect::Done
    }

    fn open(&mut self, ctx: &Ctx) -> Effect {
        match self.rows.get(self.cursor.selected()).copied() {
            Some(Item::Group(g)) => {
                let class = self.groups[g].0;
                if !self.folded.remove(&class) {
                    self.folded.insert(class);
                }
                self.rebuild();
                Effect::Done
            }
            Some(Item::File(f)) => super::open_file(ctx.report, &ctx.report.files[f].path, None)
                .unwrap_or_else(Effect::Status),
            None => Effect::Done,
        }
    }

    fn back(&mut self) -> Effect {
        if self.query.is_some() {
            self.query = None;
            return Effect::Done;
        }
        match self.rows.get(self.cursor.selected()).copied() {
            Some(Item::File(f)) => {
                if let Some(g) = self.group_of(f) {
                    self.folded.insert(self.groups[g].0);
                    self.rebuild();
                    if let Some(pos) = self.rows.iter().position(|r| *r == Item::Group(g)) {
                        self.cursor.select(pos, self.rows.len());
                    }
                }
                Effect::Done
            }
            Some(Item::Group(g)) if !self.folded.contains(&self.groups[g].0) => {
                self.folded.insert(self.groups[g].0);
                self.rebuild();
                Effect::Done
            }
            _ => Effect::Unhandled,
        }
    }
}

impl View for Files {
    fn title(&self) -> &'static str {
        "Files"
    }

    fn update(&mut self, action: Action, ctx: &Ctx) -> Effect {
        if self.cursor.apply(action, self.rows.len()) {
            return Effect::Done;
        }
        match action {
            Action::Open => self.open(ctx),
            Action::Back => self.back(),
            Action::NextMatch => self.step_match(ctx, true, false),
            Action::PrevMatch => self.step_match(ctx, false, false),
            _ => Effect::Unhandled,
        }
    }

    fn set_query(&mut self, query: Option<Query>, ctx: &Ctx) {
        self.query = query;
        if self.query.is_some() {
            let _ = self.step_match(ctx, true, true);
        }
    }

    fn query(&self) -> Option<&Query> {
        self.query.as_ref()
    }

    fn rows(&self) -> usize {
        self.rows.len()
    }

    fn can_open(&self, ctx: &Ctx) -> bool {
        match self.rows.get(self.cursor.selected()) {
            Some(Item::Group(_)) => true,
            Some(Item::File(f)) => {
                super::open_file(ctx.report, &ctx.report.files[*f].path, None).is_ok()
            }
            None => false,
        }
    }

    fn search_count(&self, ctx: &Ctx) -> Option<(usize, usize)> {
        let q = self.query.as_ref()?;
        let here = match self.rows.get(self.cursor.selected()) {
            Some(Item::File(f)) => Some(*f),
            _ => None,
        };
        let mut at = 0;
        let mut total = 0;
        for f in self.groups.iter().flat_map(|(_, fs)| fs) {
            if q.matches(&ctx.report.files[*f].path) {
                total += 1;
                if Some(*f) == here {
                    at = total;
                }
            }
        }
        Some((at, total))
    }

    fn selected(&self, ctx: &Ctx) -> Option<String> {
        match self.rows.get(self.cursor.selected())? {
            Item::Group(g) => Some(self.groups[*g].0.as_str().to_string()),
            Item::File(f) => Some(ctx.report.files[*f].path.clone()),
        }
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let t = ctx.theme;
        let r = ctx.report;
        let [head, body, detail] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(1),
        ])
        .areas(area);
        let total: u64 = r.files.iter().map(|f| f.size).sum();
        let mut title = vec![
            Span::styled("Files", t.title()),
            Span::raw(format!(
                "  {} file{} · {}",
                grouped(r.files.len() as u64),
                if r.files.len() == 1 { "" } else { "s" },
                bytes(total)
            )),
        ];
        if let (Some(q), Some((n, m))) = (&self.query, self.search_count(ctx)) {
            title.push(Span::styled(
                super::viewer::search_label(q.text(), n, m),
                t.dim(),
            ));
        }
        frame.render_widget(Paragraph::new(Line::from(title)), head);

        let note_width = if body.width >= 80 { 26usize } else { 16 };
        let name_width = (body.width as usize).saturating_sub(note_width + 10 + 2 + 2 + 4);
        let rows = list::visible_rows(
            &self.cursor,
            self.rows.len(),
            body.height as usize,
            |i| match self.rows[i] {
                Item::Group(g) => {
                    let (class, files) = &self.groups[g];
                    let size: u64 = files.iter().map(|&f| r.files[f].size).sum();
                    let mark = if self.folded.contains(class) {
                        "▸"
                    } else {
                        "▾"
                    };
                    Row::new(vec![
                        Cell::from(format!("{mark} {}", class.as_str())).style(t.title()),
                        Cell::from(format!("{:>10}", bytes(size))),
                        Cell::from(format!(
                            "{} file{}",
                            grouped(files.len() as u64),
                            if files.len() == 1 { "" } else { "s" }
                        ))
                        .style(t.dim()),
                    ])
                }
                Item::File(f) => {
                    let file = &r.files[f];
                    let note = if let Some(p) = &file.lfs_pointer {
                        format!("LFS pointer ({})", bytes(p.size))
                    } else if let Some(n) = self.shard_tensors.get(&file.path) {
                        format!("{} tensors", grouped(*n))
                    } else {
                        String::new()
                    };
                    let matched = self.query.as_ref().is_some_and(|q| q.matches(&file.path));
                    let name = Cell::from(format!("    {}", truncate_left(&file.path, name_width)));
                    Row::new(vec![
                        if matched {
                            name.style(t.matched())
                        } else {
                            name
                        },
                        Cell::from(format!("{:>10}", bytes(file.size))),
                        Cell::from(truncate_right(&note, note_width)).style(t.dim()),
                    ])
                }
            },
            |row| row.style(t.selected()),
        );
        let table = Table::new(
            rows,
            [
                Constraint::Fill(1),
                Constraint::Length(10),
                Constraint::Length(note_width as u16),
            ],
        )
        .column_spacing(2);
        frame.render_widget(table, body);
        frame.render_widget(
            Paragraph::new(Line::styled(
                truncate_right(&self.detail_text(ctx), detail.width as usize),
                t.dim(),
            )),
            detail,
        );
    }
}

impl Files {
    /// The detail line: the selected file in full (path, exact size, class,
    /// link, what Enter does or why it does nothing).
    fn detail_text(&self, ctx: &Ctx) -> String {
        let r = ctx.report;
        match self.rows.get(self.cursor.selected()) {
            Some(Item::File(f)) => {
                let file = &r.files[*f];
                let mut s = format!(
                    "{} · {} bytes · {}",
                    file.path,
                    grouped(file.size),
                    file.class.as_str()
                );
                if let Some(link) = &file.link_target {
                    s.push_str(&format!(" · → {link}"));
                }
                match super::open_file(r, &file.path, None) {
                    Ok(e) => {
                        if let Some(go) = super::enter_label(&e) {
                            s.push_str(&format!(" · {go}"));
                        }
                    }
                    Err(why) => s.push_str(&format!(" · {why}")),
                }
                s
            }
            Some(Item::Group(g)) => {
                let (class, files) = &self.groups[*g];
                let size: u64 = files.iter().map(|&f| r.files[f].size).sum();
                format!(
                    "{} · {} file{} · {} bytes · Enter folds or unfolds",
                    class.as_str(),
                    grouped(files.len() as u64),
                    if files.len() == 1 { "" } else { "s" },
                    grouped(size)
                )
            }
            None => String::new(),
        }
    }
}
