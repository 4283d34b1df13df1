//! The terminal browser (`mri TARGET`, `mri tui TARGET`).
//!
//! State, events and drawing are kept apart: [`app::App`] holds the state and
//! turns actions into changes, [`keys`] is the one key table (dispatch, hint
//! bar and help all read it), [`views`] holds one file per view, and [`ui`]
//! draws. The event loop is generic over the ratatui backend and the event
//! source, so tests run it against `TestBackend` with scripted keys.
//!
//! The browser reads the Report and, when asked, small text files of the
//! model (capped at [`views::viewer::VIEW_CAP`]); it never reads tensor data
//! and never writes into the model directory.

pub mod app;
pub mod cursor;
pub mod filter;
pub mod fleet;
pub mod keys;
pub mod list;
pub mod lock_badge;
pub mod theme;
pub mod ui;
pub mod views;

use crate::report::Report;
use crate::InspectOptions;
use app::App;
use crossterm::event::{self, DisableMouseCapture, EnableMouseCapture, Event, KeyCode, KeyEvent};
use ratatui::backend::{Backend, TestBackend};
use ratatui::buffer::Buffer;
use ratatui::Terminal;
use std::collections::VecDeque;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};
use theme::Theme;

/// How long `run` waits for the report before showing the loading screen.
/// Most models are read well within it, so their first frame is the report;
/// an unusable target fails before the terminal is touched.
const EARLY_WAIT: Duration = Duration::from_millis(40);

/// Events handled before the next redraw, so held keys do not queue up frames.
const MAX_EVENTS_PER_FRAME: usize = 64;

/// Why the browser stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum TuiError {
    /// The terminal could not be set up, drawn to, or read from.
    #[error("terminal: {0}")]
    Terminal(#[from] std::io::Error),
    /// The target could not be inspected.
    #[error(transparent)]
    Inspect(#[from] crate::Error),
    /// The thread reading the model stopped without a result.
    #[error("the thread reading the model stopped without a report")]
    LoaderGone,
}

impl From<std::convert::Infallible> for TuiError {
    fn from(e: std::convert::Infallible) -> Self {
        match e {}
    }
}

/// Where terminal events come from.
pub trait EventSource {
    /// The next event, waiting at most `timeout`; `None` when none came.
    fn next(&mut self, timeout: Duration) -> std::io::Result<Option<Event>>;
}

/// Set by SIGTERM and SIGHUP while the browser holds the terminal (see
/// [`RestoreGuard`]); the terminal's event source then answers Ctrl-c, which
/// quits from every screen, so the terminal is put back as on `q`.
static STOP: std::sync::LazyLock<Arc<AtomicBool>> =
    std::sync::LazyLock::new(|| Arc::new(AtomicBool::new(false)));

/// The longest wait for a terminal event between looks at [`STOP`].
const SIGNAL_CHECK: Duration = Duration::from_millis(100);

/// Events from the real terminal (crossterm), and Ctrl-c once a SIGTERM or
/// SIGHUP has come.
#[derive(Debug, Default)]
pub struct TerminalEvents;

impl EventSource for TerminalEvents {
    fn next(&mut self, timeout: Duration) -> std::io::Result<Option<Event>> {
        let deadline = Instant::now() + timeout;
        loop {
            if STOP.load(Ordering::Relaxed) {
                return Ok(Some(Event::Key(KeyEvent::new(
                    KeyCode::Char('c'),
                    crossterm::event::KeyModifiers::CONTROL,
                ))));
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match event::poll(left.min(SIGNAL_CHECK)) {
                Ok(true) => return Ok(Some(event::read()?)),
                Ok(false) if left.is_zero() => return Ok(None),
                Ok(false) => {}
                // A signal interrupted the wait: look at the flag.
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

/// A fixed list of events, for tests and the headless mode. When the list
/// runs out it presses `q`, so a loop over it always ends.
#[derive(Debug, Default)]
pub struct ScriptedEvents(pub VecDeque<Event>);

impl EventSource for ScriptedEvents {
    fn next(&mut self, _timeout: Duration) -> std::io::Result<Option<Event>> {
        Ok(Some(
            self.0
                .pop_front()
                .unwrap_or(Event::Key(KeyEvent::from(KeyCode::Char('q')))),
        ))
    }
}

/// Runs the browser until the user quits: draw, wait for events, apply them.
/// A resize needs nothing more than the next draw.
pub fn run_loop<B, E>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    events: &mut E,
) -> Result<(), TuiError>
where
    B: Backend,
    E: EventSource,
    TuiError: From<B::Error>,
{
    loop {
        app.tick();
        terminal.draw(|f| ui::draw(f, app))?;
        if app.should_quit() {
            return Ok(());
        }
        // While a smoke test runs, wake up often to show its progress.
        let wait = if app.busy() {
            Duration::from_millis(50)
        } else {
            Duration::from_millis(250)
        };
        let Some(ev) = events.next(wait)? else {
            continue;
        };
        app.handle_event(&ev);
        for _ in 0..MAX_EVENTS_PER_FRAME {
            if app.should_quit() {
                break;
            }
            match events.next(Duration::ZERO)? {
                Some(ev) => app.handle_event(&ev),
                None => break,
            }
        }
    }
}

/// Shows the loading screen until the report arrives; `None` if the user quit.
fn wait_for_report<B, E>(
    terminal: &mut Terminal<B>,
    input: &str,
    theme: Theme,
    rx: &Receiver<Result<Report, crate::Error>>,
    events: &mut E,
) -> Result<Option<Report>, TuiError>
where
    B: Backend,
    E: EventSource,
    TuiError: From<B::Error>,
{
    loop {
        terminal.draw(|f| ui::draw_loading(f, input, theme))?;
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(result) => return Ok(Some(result?)),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return Err(TuiError::LoaderGone),
        }
        while let Some(ev) = events.next(Duration::ZERO)? {
            if let Event::Key(k) = ev {
                if keys::action_for(&k) == Some(keys::Action::Quit) {
                    return Ok(None);
                }
            }
        }
    }
}

/// Puts the terminal back (mouse, raw mode, alternate screen) when dropped,
/// on return and on error alike; the panic hook does the same on panic.
/// While it lives, SIGTERM and SIGHUP set [`STOP`] instead of killing the
/// process with the terminal left in raw mode on the alternate screen.
struct RestoreGuard {
    signals: Vec<signal_hook::SigId>,
}

impl RestoreGuard {
    fn install() -> std::io::Result<RestoreGuard> {
        STOP.store(false, Ordering::Relaxed);
        // ratatui's hook (set by try_init) restores raw mode and the screen;
        // this one also turns mouse reporting off first.
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let _ = crossterm::execute!(std::io::stdout(), DisableMouseCapture);
            previous(info);
        }));
        // Made before the signals and mouse reporting are set up, so a
        // failure there restores too.
        let mut guard = RestoreGuard {
            signals: Vec::new(),
        };
        for sig in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGHUP] {
            guard
                .signals
                .push(signal_hook::flag::register(sig, Arc::clone(&STOP))?);
        }
        crossterm::execute!(std::io::stdout(), EnableMouseCapture)?;
        Ok(guard)
    }
}

impl Drop for RestoreGuard {
    fn drop(&mut self) {
        let _ = crossterm::execute!(std::io::stdout(), DisableMouseCapture);
        ratatui::restore();
        // The signals kill again, as before the browser.
        for id in self.signals.drain(..) {
            signal_hook::low_level::unregister(id);
        }
    }
}

/// Opens the browser on `input` in the terminal. The model is read on
/// another thread; the terminal is restored on quit, on error and on panic.
///
/// The "changed since lock" badge (against `lock`, else an `mri.lock`
/// beside the model or in the working folder; see [`lock_badge`]) is
/// worked out on another thread once the report is in, as files may need
/// hashing, and appears when it is ready.
pub fn run(input: &str, options: &InspectOptions, lock: Option<&Path>) -> Result<(), TuiError> {
    let (tx, rx) = mpsc::channel();
    let (owned_input, owned_options) = (input.to_string(), options.clone());
    std::thread::Builder::new()
        .name("mri-inspect".into())
        .spawn(move || {
            let _ = tx.send(crate::inspect(&owned_input, &owned_options));
        })?;
    let early = match rx.recv_timeout(EARLY_WAIT) {
        Ok(result) => Some(result?),
        Err(RecvTimeoutError::Timeout) => None,
        Err(RecvTimeoutError::Disconnected) => return Err(TuiError::LoaderGone),
    };
    let theme = Theme::from_env();
    in_terminal(|terminal| {
        let mut events = TerminalEvents;
        let report = match early {
            Some(r) => r,
            None => match wait_for_report(terminal, input, theme, &rx, &mut events)? {
                Some(r) => r,
                None => return Ok(()),
            },
        };
        let mut app = App::new(report, theme);
        if lock_badge::find_lock(app.report(), lock).is_some() {
            let (badge_tx, badge_rx) = mpsc::channel();
            let (report, input, lock) = (
                app.report().clone(),
                input.to_string(),
                lock.map(Path::to_path_buf),
            );
            std::thread::Builder::new()
                .name("mri-lock".into())
                .spawn(move || {
                    let _ = badge_tx.send(lock_badge::badge(&input, &report, lock.as_deref()));
                })?;
            app.watch_lock(badge_rx);
        }
        run_loop(terminal, &mut app, &mut events)
    })
}

/// Runs `f` on the real terminal (raw mode, alternate screen, mouse
/// reporting) and puts the terminal back afterwards: on return, on error,
/// and on panic (through the panic hook, before the message is printed).
pub fn in_terminal<T>(
    f: impl FnOnce(&mut ratatui::DefaultTerminal) -> Result<T, TuiError>,
) -> Result<T, TuiError> {
    let mut terminal = match ratatui::try_init() {
        Ok(t) => t,
        Err(e) => {
            ratatui::restore();
            return Err(e.into());
        }
    };
    let _guard = RestoreGuard::install()?;
    f(&mut terminal)
}

/// What the headless mode measured.
#[derive(Debug, Clone)]
pub struct Headless {
    /// The last frame, as text.
    pub frame: String,
    /// Time to make the report.
    pub inspect: Duration,
    /// Time from the start until the first frame with the report was drawn.
    pub first_frame: Duration,
    /// Keys applied after the first frame (each followed by a redraw).
    pub keys: usize,
    /// Time for those keys and redraws together.
    pub keys_time: Duration,
}

/// Renders the browser into an off-screen buffer of `width` × `height`,
/// applies `keys` (redrawing after each), and returns the last frame with
/// timings. Used to benchmark the time to first frame and in end-to-end tests.
pub fn headless(
    input: &str,
    options: &InspectOptions,
    width: u16,
    height: u16,
    keys: &[KeyEvent],
    theme: Theme,
    lock: Option<&Path>,
) -> Result<Headless, TuiError> {
    let start = Instant::now();
    let report = crate::inspect(input, options)?;
    let inspect = start.elapsed();
    let mut app = App::new(report, theme);
    // Off-screen, the lock badge is worked out before the first frame.
    app.set_lock_badge(lock_badge::badge(input, app.report(), lock));
    let mut terminal = Terminal::new(TestBackend::new(width, height))?;
    terminal.draw(|f| ui::draw(f, &app))?;
    let first_frame = start.elapsed();
    let keys_start = Instant::now();
    for k in keys {
        app.handle_key(*k);
        app.tick();
        terminal.draw(|f| ui::draw(f, &app))?;
    }
    let keys_time = keys_start.elapsed();
    Ok(Headless {
        frame: buffer_text(terminal.backend().buffer()),
        inspect,
        first_frame,
        keys: keys.len(),
        keys_time,
    })
}

/// A buffer as plain text: one line per row, trailing spaces removed.
pub fn buffer_text(buffer: &Buffer) -> String {
    let width = buffer.area.width.max(1) as usize;
    let mut out = String::new();
    for row in buffer.content.chunks(width) {
        let line: String = row.iter().map(|c| c.symbol()).collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terminal() -> Terminal<TestBackend> {
        Terminal::new(TestBackend::new(60, 10)).expect("test backend")
    }

    #[test]
    fn loading_screen_until_the_report_arrives() {
        let (tx, rx) = mpsc::channel();
        let report = crate::inspect("fixtures/tiny-llama", &InspectOptions::default());
        tx.send(report).expect("send");
        let mut t = terminal();
        let mut events = ScriptedEvents::default();
        let got = wait_for_report(&mut t, "x", Theme { color: false }, &rx, &mut events);
        assert!(matches!(got, Ok(Some(_))));
        assert!(buffer_text(t.backend().buffer()).contains("reading x"));
    }

    #[test]
    fn q_while_loading_leaves_and_a_lost_loader_is_an_error() {
        let (tx, rx) = mpsc::channel::<Result<Report, crate::Error>>();
        let mut t = terminal();
        // The script is empty, so it presses q.
        let got = wait_for_report(
            &mut t,
            "x",
            Theme { color: false },
            &rx,
            &mut ScriptedEvents::default(),
        );
        assert!(matches!(got, Ok(None)));
        drop(tx);
        let got = wait_for_report(
            &mut t,
            "x",
            Theme { color: false },
            &rx,
            &mut ScriptedEvents::default(),
        );
        assert!(matches!(got, Err(TuiError::LoaderGone)));
    }

    #[test]
    fn an_unusable_target_fails_in_headless_mode() {
        let got = headless(
            "/definitely/not/here",
            &InspectOptions::default(),
            80,
            24,
            &[],
            Theme { color: false },
            None,
        );
        assert!(matches!(got, Err(TuiError::Inspect(_))));
    }
}
