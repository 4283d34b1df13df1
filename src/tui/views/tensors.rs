//! Tensors: every tensor of every shard in one table. Sort by any column,
//! filter by substring or glob, fold `model.layers.N.*` into one row per
//! layer. Only the visible rows are built when drawing.

use super::{short_shard, truncate_left, truncate_right, Ctx, Effect, Jump, View};
use crate::analyze::components::{component_of, Component};
use crate::analyze::weights::TensorEntry;
use crate::report::Report;
use crate::tui::cursor::Cursor;
use crate::tui::filter::Query;
use crate::tui::keys::{Action, Scope, TENSORS};
use crate::tui::list;
use crate::util::human::{bytes, count, grouped};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};
use ratatui::Frame;
use std::cmp::Ordering;
use std::collections::HashSet;

/// The column the table is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    /// Shard, then header order (the order of the files).
    Shard,
    /// Tensor name, numbers compared as numbers.
    Name,
    /// Stored dtype.
    Dtype,
    /// Rank, then dimensions.
    Shape,
    /// Logical parameters.
    Params,
    /// Data bytes.
    Bytes,
}

impl SortKey {
    /// The next column in the `s` cycle.
    pub fn next(self) -> SortKey {
        match self {
            SortKey::Shard => SortKey::Name,
            SortKey::Name => SortKey::Dtype,
            SortKey::Dtype => SortKey::Shape,
            SortKey::Shape => SortKey::Params,
            SortKey::Params => SortKey::Bytes,
            SortKey::Bytes => SortKey::Shard,
        }
    }

    /// The column name.
    pub fn label(self) -> &'static str {
        match self {
            SortKey::Shard => "shard",
            SortKey::Name => "name",
            SortKey::Dtype => "dtype",
            SortKey::Shape => "shape",
            SortKey::Params => "params",
            SortKey::Bytes => "bytes",
        }
    }
}

/// Where a tensor is: shard and position in its header, and its place in
/// the shard's order as listed (layers by number).
#[derive(Debug, Clone, Copy)]
struct Loc {
    shard: u32,
    index: u32,
    group: Option<u32>,
    order: u32,
}

/// One table row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Item {
    /// A folded or unfolded layer.
    Group(u32),
    /// A tensor (index into `all`).
    Tensor(u32),
}

/// Totals of a layer over the tensors that pass the filter.
#[derive(Debug, Clone, Default)]
struct GroupStats {
    tensors: u64,
    params: u64,
    bytes: u64,
    dtype: Option<String>,
    mixed_dtype: bool,
    shards: Vec<u32>,
}

/// The Tensors view.
#[derive(Debug)]
pub struct Tensors {
    all: Vec<Loc>,
    groups: Vec<String>,
    stats: Vec<GroupStats>,
    sort: SortKey,
    descending: bool,
    query: Option<Query>,
    scope: Option<u32>,
    grouped: bool,
    expanded: HashSet<u32>,
    rows: Vec<Item>,
    matched: usize,
    cursor: Cursor,
}

fn entry<'r>(r: &'r Report, l: &Loc) -> &'r TensorEntry {
    &r.weights.shards[l.shard as usize].tensors[l.index as usize]
}

/// Compares names with runs of digits compared as numbers (`layers.2` < `layers.10`).
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        match (a.first(), b.first()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let da = a.iter().take_while(|c| c.is_ascii_digit()).count();
                let db = b.iter().take_while(|c| c.is_ascii_digit()).count();
                let (na, nb) = (&a[..da], &b[..db]);
                let ta = na.iter().skip_while(|&&c| c == b'0').count();
                let tb = nb.iter().skip_while(|&&c| c == b'0').count();
                let ord = ta
                    .cmp(&tb)
                    .then_with(|| na[da - ta..].cmp(&nb[db - tb..]))
                    .then_with(|| da.cmp(&db));
                if ord != Ordering::Equal {
                    return ord;
                }
                a = &a[da..];
                b = &b[db..];
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(y);
                }
                a = &a[1..];
                b = &b[1..];
            }
        }
    }
}

/// Orders each shard's layer tensors by layer number (`blk.2` before
/// `blk.10`, whatever order the header has: safetensors headers are
/// sorted as text), keeping each layer's tensors in header order and every
/// other tensor where the header has it: the layer tensors are put, in
/// number order, into the places the header gave layer tensors.
fn layers_by_number(r: &Report, all: &mut [Loc]) {
    let mut start = 0;
    while start < all.len() {
        let shard = all[start].shard;
        let end = start + all[start..].iter().take_while(|l| l.shard == shard).count();
        let slots: Vec<usize> = (start..end).filter(|&i| all[i].group.is_some()).collect();
        let mut layer: Vec<Loc> = slots.iter().map(|&i| all[i]).collect();
        layer.sort_by(|a, b| {
            let (na, nb) = (&entry(r, a).info.name, &entry(r, b).info.name);
            let key = |n: &str| match component_of(n) {
                Component::Layer(prefix, k) => (prefix.to_string(), k),
                _ => (String::new(), 0),
            };
            key(na).cmp(&key(nb)).then(a.index.cmp(&b.index))
        });
        let orders: Vec<u32> = slots.iter().map(|&i| all[i].order).collect();
        for (l, order) in layer.iter_mut().zip(orders) {
            l.order = order;
        }
        for (slot, l) in slots.into_iter().zip(layer) {
            all[slot] = l;
        }
        start = end;
    }
    all.sort_by_key(|l| (l.shard, l.order));
}

/// A tensor name in `width` columns, without a leading `model.` when
/// `strip_model`, shortened from the left when still too long.
fn fit_name(name: &str, width: usize, strip_model: bool) -> String {
    let name = if strip_model {
        name.strip_prefix("model.").unwrap_or(name)
    } else {
        name
    };
    truncate_left(name, width)
}

fn fmt_shape(shape: &[u64]) -> String {
    let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    format!("[{}]", dims.join(", "))
}

impl Tensors {
    /// Lists every tensor of every shard of a report.
    pub fn new(report: &Report) -> Tensors {
        let mut groups: Vec<String> = Vec::new();
        let mut group_ids: std::collections::HashMap<(String, u64), u32> =
            std::collections::HashMap::new();
        let mut all = Vec::new();
        for (s, shard) in report.weights.shards.iter().enumerate() {
            for (i, t) in shard.tensors.iter().enumerate() {
                let group = match component_of(&t.info.name) {
                    Component::Layer(prefix, n) => {
                        let key = (prefix.to_string(), n);
                        let next = groups.len() as u32;
                        let id = *group_ids.entry(key).or_insert(next);
                        if id == next {
                            groups.push(format!("{prefix}.{n}"));
                        }
                        Some(id)
                    }
                    _ => None,
                };
                all.push(Loc {
                    shard: s as u32,
                    index: i as u32,
                    group,
                    order: i as u32,
                });
            }
        }
        layers_by_number(report, &mut all);
        let mut view = Tensors {
            stats: vec![GroupStats::default(); groups.len()],
            all,
            groups,
            sort: SortKey::Shard,
            descending: false,
            query: None,
            scope: None,
            grouped: false,
            expanded: HashSet::new(),
            rows: Vec::new(),
            matched: 0,
            cursor: Cursor::default(),
        };
        view.rebuild(report);
        view
    }

    fn compare(&self, r: &Report, a: &Loc, b: &Loc) -> Ordering {
        let (ea, eb) = (entry(r, a), entry(r, b));
        let file_order = || (a.shard, a.order).cmp(&(b.shard, b.order));
        let ord = match self.sort {
            SortKey::Shard => file_order(),
            SortKey::Name => natural_cmp(&ea.info.name, &eb.info.name),
            SortKey::Dtype => ea.info.dtype.cmp(&eb.info.dtype),
            SortKey::Shape => ea
                .info
                .shape
                .len()
                .cmp(&eb.info.shape.len())
                .then_with(|| ea.info.shape.cmp(&eb.info.shape)),
            SortKey::Params => ea.parameters.cmp(&eb.parameters),
            SortKey::Bytes => ea.info.byte_len().cmp(&eb.info.byte_len()),
        };
        let ord = if self.descending { ord.reverse() } else { ord };
        ord.then_with(file_order)
    }

    fn rebuild(&mut self, r: &Report) {
        let current = self.rows.get(self.cursor.selected()).copied();
        let mut idx: Vec<u32> = (0..self.all.len() as u32)
            .filter(|&i| {
                let l = &self.all[i as usize];
                self.scope.is_none_or(|s| s == l.shard)
                    && self
                        .query
                        .as_ref()
                        .is_none_or(|q| q.matches(&entry(r, l).info.name))
            })
            .collect();
        idx.sort_by(|&a, &b| self.compare(r, &self.all[a as usize], &self.all[b as usize]));
        self.matched = idx.len();
        self.rows.clear();
        if !self.grouped {
            self.rows.extend(idx.iter().map(|&i| Item::Tensor(i)));
        } else {
            let mut members: Vec<Vec<u32>> = vec![Vec::new(); self.groups.len()];
            let mut stats = vec![GroupStats::default(); self.groups.len()];
            for &i in &idx {
                let l = self.all[i as usize];
                if let Some(g) = l.group {
                    members[g as usize].push(i);
                    let e = entry(r, &l);
                    let s = &mut stats[g as usize];
                    s.tensors += 1;
                    s.params += e.parameters;
                    s.bytes += e.info.byte_len();
                    match &s.dtype {
                        None => s.dtype = Some(e.info.dtype.clone()),
                        Some(d) if *d != e.info.dtype => s.mixed_dtype = true,
                        _ => {}
                    }
                    if !s.shards.contains(&l.shard) {
                        s.shards.push(l.shard);
                    }
                }
            }
            let mut emitted = vec![false; self.groups.len()];
            for &i in &idx {
                match self.all[i as usize].group {
                    None => self.rows.push(Item::Tensor(i)),
                    Some(g) if !emitted[g as usize] => {
                        emitted[g as usize] = true;
                        self.rows.push(Item::Group(g));
                        if self.expanded.contains(&g) {
                            self.rows
                                .extend(members[g as usize].iter().map(|&m| Item::Tensor(m)));
                        }
                    }
                    Some(_) => {}
                }
            }
            self.stats = stats;
        }
        let target = current.and_then(|c| {
            self.rows.iter().position(|r| *r == c).or_else(|| match c {
                // A tensor now folded away: select its layer.
                Item::Tensor(i) => self.all[i as usize]
                    .group
                    .and_then(|g| self.rows.iter().position(|r| *r == Item::Group(g))),
                // Layers unfolded: select the layer's first tensor.
                Item::Group(g) => self.rows.iter().position(
                    |r| matches!(r, Item::Tensor(i) if self.all[*i as usize].group == Some(g)),
                ),
            })
        });
        match target {
            Some(pos) => self.cursor.select(pos, self.rows.len()),
            None => self.cursor.clamp(self.rows.len()),
        }
    }

    fn open(&mut self, r: &Report) -> Effect {
        match self.rows.get(self.cursor.selected()).copied() {
            Some(Item::Group(g)) => {
                if !self.expanded.remove(&g) {
                    self.expanded.insert(g);
                }
                self.rebuild(r);
                if let Some(pos) = self.rows.iter().position(|x| *x == Item::Group(g)) {
                    self.cursor.select(pos, self.rows.len());
                }
                Effect::Done
            }
            Some(Item::Tensor(i)) => {
                let l = self.all[i as usize];
                let shard = &r.weights.shards[l.shard as usize];
                let e = entry(r, &l);
                Effect::Status(format!(
                    "{} · {} {} · bytes {}–{} of {}{}",
                    e.info.name,
                    e.info.dtype,
                    fmt_shape(&e.info.shape),
                    grouped(e.info.data_offsets[0]),
                    grouped(e.info.data_offsets[1]),
                    shard.path,
                    if shard.counted { "" } else { " (not counted)" }
                ))
            }
            None => Effect::Done,
        }
    }

    fn back(&mut self, r: &Report) -> Effect {
        if self.query.is_some() {
            self.query = None;
            self.rebuild(r);
            return Effect::Done;
        }
        if self.grouped {
            let here = self.rows.get(self.cursor.selected()).copied();
            let group = match here {
                Some(Item::Tensor(i)) => self.all[i as usize].group,
                Some(Item::Group(g)) if self.expanded.contains(&g) => Some(g),
                _ => None,
            };
            if let Some(g) = group.filter(|g| self.expanded.contains(g)) {
                self.expanded.remove(&g);
                self.rebuild(r);
                if let Some(pos) = self.rows.iter().position(|x| *x == Item::Group(g)) {
                    self.cursor.select(pos, self.rows.len());
                }
                return Effect::Done;
            }
        }
        if self.scope.take().is_some() {
            self.rebuild(r);
            self.cursor.select(0, self.rows.len());
        }
        Effect::Unhandled
    }
}

impl View for Tensors {
    fn title(&self) -> &'static str {
        TENSORS
    }

    fn scopes(&self) -> &'static [Scope] {
        &[Scope::Lists, Scope::View(TENSORS)]
    }

    fn update(&mut self, action: Action, ctx: &Ctx) -> Effect {
        let r = ctx.report;
        if self.cursor.apply(action, self.rows.len()) {
            return Effect::Done;
        }
        match action {
            Action::Open => self.open(r),
            Action::Back => self.back(r),
            Action::SortNext => {
                self.sort = self.sort.next();
                self.descending = matches!(self.sort, SortKey::Params | SortKey::Bytes);
                self.rebuild(r);
                Effect::Done
            }
            Action::SortReverse => {
                self.descending = !self.descending;
                self.rebuild(r);
                Effect::Done
            }
            Action::GroupLayers => {
                self.grouped = !self.grouped;
                self.rebuild(r);
                Effect::Done
            }
            Action::NextMatch | Action::PrevMatch => {
                if self.query.is_none() {
                    return Effect::Status("no filter: press / to filter".into());
                }
                let step = if action == Action::NextMatch {
                    Action::Down
                } else {
                    Action::Up
                };
                self.cursor.apply(step, self.rows.len());
                Effect::Done
            }
            _ => Effect::Unhandled,
        }
    }

    fn set_query(&mut self, query: Option<Query>, ctx: &Ctx) {
        self.query = query;
        self.rebuild(ctx.report);
    }

    fn rows(&self) -> usize {
        self.rows.len()
    }

    /// A filter keeps its matches only: their number.
    fn search_count(&self, _ctx: &Ctx) -> Option<(usize, usize)> {
        self.query.as_ref().map(|_| (0, self.matched))
    }

    fn selected(&self, ctx: &Ctx) -> Option<String> {
        match self.rows.get(self.cursor.selected())? {
            Item::Group(g) => Some(self.groups[*g as usize].clone()),
            Item::Tensor(i) => Some(entry(ctx.report, &self.all[*i as usize]).info.name.clone()),
        }
    }

    fn query(&self) -> Option<&Query> {
        self.query.as_ref()
    }

    fn accept(&mut self, jump: &Jump, ctx: &Ctx) -> bool {
        let r = ctx.report;
        match jump {
            Jump::Shard(path) => {
                let Some(s) = r.weights.shards.iter().position(|s| &s.path == path) else {
                    return false;
                };
                self.scope = Some(s as u32);
                self.query = None;
                self.rebuild(r);
                self.cursor.select(0, self.rows.len());
                true
            }
            Jump::Tensor { name, shard } => {
                let found = self.all.iter().position(|l| {
                    let e = entry(r, l);
                    &e.info.name == name
                        && shard
                            .as_ref()
                            .is_none_or(|p| r.weights.shards[l.shard as usize].path == *p)
                });
                let Some(i) = found else {
                    return false;
                };
                self.scope = None;
                self.query = None;
                if let Some(g) = self.all[i].group {
                    self.expanded.insert(g);
                }
                self.rebuild(r);
                if let Some(pos) = self.rows.iter().position(|x| *x == Item::Tensor(i as u32)) {
                    self.cursor.select(pos, self.rows.len());
                }
                true
            }
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

        frame.render_widget(
            Paragraph::new(self.title_line(ctx)),
            head.intersection(frame.area()),
        );

        let cols = Columns::new(r, body.width as usize);
        let height = (body.height as usize).saturating_sub(1);
        let range = self.cursor.window(self.rows.len(), height);
        let selected = self.cursor.selected();
        // Within one frame, names either all keep or all drop a leading `model.`.
        let strip_model = range.clone().any(|i| match self.rows[i] {
            Item::Tensor(ti) if !self.grouped || self.all[ti as usize].group.is_none() => {
                entry(r, &self.all[ti as usize]).info.name.chars().count() > cols.name_w
            }
            _ => false,
        });
        let rows = list::visible_rows(
            &self.cursor,
            self.rows.len(),
            height,
            |i| match self.rows[i] {
                Item::Group(g) => self.group_row(g, &cols, ctx),
                Item::Tensor(ti) => self.tensor_row(ti, &cols, strip_model, ctx),
            },
            |row| row.style(t.selected()),
        );
        let table = Table::new(
            rows,
            [
                Constraint::Fill(1),
                Constraint::Length(cols.dtype_w as u16),
                Constraint::Length(cols.shape_w as u16),
                Constraint::Length(cols.params_w as u16),
                Constraint::Length(9),
                Constraint::Length(cols.shard_w as u16),
            ],
        )
        .header(self.header_row(&cols, ctx))
        .column_spacing(1);
        frame.render_widget(table, body);

        let info = self.detail_text(selected, r);
        frame.render_widget(
            // The list cuts names from the left: here the start shows.
            Paragraph::new(Line::styled(
                truncate_right(&info, detail.width as usize),
                t.dim(),
            )),
            detail,
        );
    }
}

/// The table's column widths for a body `width` columns wide, and how
/// shards are named in it.
struct Columns {
    /// Wide enough for full shard names and wider columns.
    wide: bool,
    /// Shards in the report.
    nshards: usize,
    /// Width of the shard column.
    shard_w: usize,
    /// Width of the dtype column.
    dtype_w: usize,
    /// Width of the shape column.
    shape_w: usize,
    /// Width of the params column.
    params_w: usize,
    /// Width left for names.
    name_w: usize,
}

impl Columns {
    /// The widths for a report's table in `width` columns.
    fn new(r: &Report, width: usize) -> Columns {
        let wide = width >= 100;
        let nshards = r.weights.shards.len();
        let shard_w = if wide {
            r.weights
                .shards
                .iter()
                .map(|s| short_shard(&s.path).chars().count())
                .max()
                .unwrap_or(5)
                .clamp(5, 32)
        } else {
            (2 * nshards.to_string().len() + 1).max(5)
        };
        let (dtype_w, shape_w, params_w) = if wide { (7, 16, 8) } else { (5, 13, 7) };
        let fixed = dtype_w + shape_w + params_w + 9 + shard_w + 5;
        let name_w = width.saturating_sub(fixed).max(8);
        Columns {
            wide,
            nshards,
            shard_w,
            dtype_w,
            shape_w,
            params_w,
            name_w,
        }
    }

    /// Shard `s` as the shard column names it: its short file name when
    /// wide, `i/n` otherwise.
    fn shard_label(&self, r: &Report, s: u32) -> String {
        if self.wide {
            short_shard(&r.weights.shards[s as usize].path).to_string()
        } else {
            format!("{}/{}", s + 1, self.nshards)
        }
    }
}

impl Tensors {
    /// The head line: counts, folding, shard scope, the shown shard's
    /// `__metadata__` and the active filter.
    fn title_line(&self, ctx: &Ctx) -> Line<'static> {
        let t = ctx.theme;
        let r = ctx.report;
        let mut title = vec![
            Span::styled("Tensors", t.title()),
            Span::raw(format!(
                "  {} of {}",
                grouped(self.matched as u64),
                grouped(self.all.len() as u64)
            )),
        ];
        if self.grouped {
            title.push(Span::raw(format!(
                " · {} rows, layers folded",
                grouped(self.rows.len() as u64)
            )));
        }
        if let Some(s) = self.scope {
            title.push(Span::styled(
                format!(
                    "  shard {}",
                    short_shard(&r.weights.shards[s as usize].path)
                ),
                t.accent(),
            ));
        }
        // The header's `__metadata__` of the shard in view (or of the one
        // file), as far as the line reaches.
        let shown = self
            .scope
            .map(|s| s as usize)
            .or((r.weights.shards.len() == 1).then_some(0));
        if let Some(shard) = shown.and_then(|s| r.weights.shards.get(s)) {
            if !shard.metadata.is_empty() {
                let pairs: Vec<String> = shard
                    .metadata
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect();
                title.push(Span::styled(
                    format!("  metadata {}", pairs.join(", ")),
                    t.dim(),
                ));
            }
        }
        if let Some(q) = &self.query {
            title.push(Span::styled(
                format!(
                    "  {} {}",
                    if q.is_glob() { "glob" } else { "filter" },
                    q.text()
                ),
                t.accent(),
            ));
        }
        Line::from(title)
    }

    /// The column headers, the sorted one marked with its direction.
    fn header_row(&self, cols: &Columns, ctx: &Ctx) -> Row<'static> {
        let arrow = if self.descending { "▼" } else { "▲" };
        let header_cell = |key: SortKey, text: &str, right: bool| {
            let label = if self.sort == key {
                format!("{text}{arrow}")
            } else {
                text.to_string()
            };
            let w = match key {
                SortKey::Params => cols.params_w,
                SortKey::Bytes => 9,
                _ => 0,
            };
            let s = if right { format!("{label:>w$}") } else { label };
            Cell::from(s)
        };
        Row::new(vec![
            header_cell(SortKey::Name, "name", false),
            header_cell(SortKey::Dtype, "dtype", false),
            header_cell(SortKey::Shape, "shape", false),
            header_cell(SortKey::Params, "params", true),
            header_cell(SortKey::Bytes, "bytes", true),
            header_cell(SortKey::Shard, "shard", false),
        ])
        .style(ctx.theme.title())
    }

    /// The row of layer `g`: its fold mark and name, then its totals over
    /// the tensors that pass the filter.
    fn group_row(&self, g: u32, cols: &Columns, ctx: &Ctx) -> Row<'static> {
        let t = ctx.theme;
        let params_w = cols.params_w;
        let s = &self.stats[g as usize];
        let mark = if self.expanded.contains(&g) {
            "▾"
        } else {
            "▸"
        };
        let dtype = if s.mixed_dtype {
            "mixed".to_string()
        } else {
            s.dtype.clone().unwrap_or_default()
        };
        let shard = match s.shards.as_slice() {
            [one] => cols.shard_label(ctx.report, *one),
            many if cols.shard_w >= 8 => format!("{} shards", many.len()),
            many => format!("{}×", many.len()),
        };
        Row::new(vec![
            Cell::from(truncate_right(
                &format!("{mark} {}", self.groups[g as usize]),
                cols.name_w,
            ))
            .style(t.title()),
            Cell::from(dtype),
            Cell::from(format!("{} tensors", grouped(s.tensors))).style(t.dim()),
            Cell::from(format!("{:>params_w$}", count(s.params))),
            Cell::from(format!("{:>9}", bytes(s.bytes))),
            Cell::from(truncate_left(&shard, cols.shard_w)),
        ])
    }

    /// The row of tensor `ti`: indented under its layer when folded,
    /// otherwise its name fitted (dropping `model.` when `strip_model`).
    fn tensor_row(&self, ti: u32, cols: &Columns, strip_model: bool, ctx: &Ctx) -> Row<'static> {
        let t = ctx.theme;
        let r = ctx.report;
        let (name_w, params_w, shard_w) = (cols.name_w, cols.params_w, cols.shard_w);
        let l = self.all[ti as usize];
        let e = entry(r, &l);
        let name = match (self.grouped, l.group) {
            (true, Some(g)) => {
                let prefix = &self.groups[g as usize];
                let rest = e
                    .info
                    .name
                    .strip_prefix(prefix.as_str())
                    .map(|s| s.trim_start_matches('.'))
                    .unwrap_or(&e.info.name);
                format!("  {}", truncate_left(rest, name_w.saturating_sub(2)))
            }
            _ => fit_name(&e.info.name, name_w, strip_model),
        };
        Row::new(vec![
            Cell::from(name),
            Cell::from(e.info.dtype.clone()),
            Cell::from(truncate_right(&fmt_shape(&e.info.shape), cols.shape_w)),
            Cell::from(format!("{:>params_w$}", count(e.parameters))),
            Cell::from(format!("{:>9}", bytes(e.info.byte_len()))),
            Cell::from(truncate_left(&cols.shard_label(r, l.shard), shard_w)).style(t.dim()),
        ])
    }

    /// The detail line under the table: the selected row (at `selected`)
    /// in full, or why there is none.
    fn detail_text(&self, selected: usize, r: &Report) -> String {
        match self.rows.get(selected) {
            Some(Item::Tensor(ti)) => {
                let l = self.all[*ti as usize];
                let e = entry(r, &l);
                format!(
                    "{} · {} params · bytes {}–{}",
                    e.info.name,
                    grouped(e.parameters),
                    grouped(e.info.data_offsets[0]),
                    grouped(e.info.data_offsets[1])
                )
            }
            Some(Item::Group(g)) => {
                let s = &self.stats[*g as usize];
                format!(
                    "{} · {} tensors · {} params",
                    self.groups[*g as usize],
                    grouped(s.tensors),
                    grouped(s.params)
                )
            }
            None if self.query.is_some() => "no tensor matches the filter".into(),
            None => "no tensors".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::natural_cmp;
    use std::cmp::Ordering;

    #[test]
    fn natural_order_compares_numbers_as_numbers() {
        assert_eq!(natural_cmp("layers.2.w", "layers.10.w"), Ordering::Less);
        assert_eq!(natural_cmp("layers.10.w", "layers.10.w"), Ordering::Equal);
        assert_eq!(natural_cmp("a", "b"), Ordering::Less);
        assert_eq!(natural_cmp("a01", "a1"), Ordering::Greater);
        assert_eq!(natural_cmp("x", "x.1"), Ordering::Less);
    }
}
