//! The `mri` binary: parse arguments, call the library, map the outcome to an exit code.

mod cli;

use anyhow::Context;
use clap::Parser;
use cli::{
    CheckArgs, CheckFormat, Cli, ColorChoice, Command, DiffArgs, DiffFormat, DownloadArgs,
    DtypeArg, InspectArgs, LicensesCommand, ListFormat, LockArgs, LsArgs, LsFormat, OutputFormat,
    PolicyCommand, SignArgs, SmokeArgs, SmokeFormat, TuiArgs, VerifyArgs, VerifyFormat,
};
use mri::report::json::Layout;
use mri::report::license_view;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

/// mimalloc: a `mri license` on a text mri does not know spends a fifth of
/// its time allocating (compiling clause patterns, growing their lazy DFAs);
/// glibc's malloc took twice as long for it (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// What a command prints.
enum View {
    Inspect,
    License,
}

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // `mri` alone on a terminal: the list of every model found, to browse;
    // otherwise that list printed, as `mri ls` prints it.
    let mut args = args;
    if args.len() == 1 {
        if std::io::stdout().is_terminal() && std::io::stdin().is_terminal() {
            return finish(run_fleet_browser());
        }
        eprintln!("mri: not on a terminal: listing the models as `mri ls` does (`mri --help` for the commands)");
        args.push("ls".into());
    }
    let cli = match cli::parse_inspect_quickly(&args) {
        Some(inspect) => Cli {
            command: Some(Command::Inspect(inspect)),
            inspect: None,
        },
        None => Cli::parse_from(args),
    };
    let result = match (cli.command, cli.inspect) {
        (Some(Command::Inspect(a)), _) => run_report(&a, View::Inspect),
        // `mri TARGET`: the browser on a terminal, else the text report;
        // with --format it is `mri inspect`.
        (None, Some(a)) if a.format.is_none() => run_tui(&TuiArgs {
            target: a.target_args(),
            base: a.base,
            headless: None,
            keys: None,
            tokenizer: a.tokenizer,
            locked: None,
        }),
        (None, Some(a)) => run_report(&a, View::Inspect),
        (Some(Command::Tui(a)), _) => run_tui(&a),
        (Some(Command::License(a)), _) => run_report(&a, View::License),
        (Some(Command::Licenses(c)), _) => run_licenses(c),
        (Some(Command::Check(a)), _) => run_check(&a),
        (Some(Command::Policy(c)), _) => run_policy(c),
        (Some(Command::Lock(a)), _) => run_lock(&a),
        (Some(Command::Diff(a)), _) => run_diff(&a),
        (Some(Command::Verify(a)), _) => run_verify(&a),
        (Some(Command::Sign(a)), _) => run_sign(&a),
        (Some(Command::Smoke(a)), _) => run_smoke(&a),
        (Some(Command::Download(a)), _) => run_download(&a),
        (Some(Command::Ls(a)), _) => run_ls(&a),
        (None, None) => {
            let _ = <Cli as clap::CommandFactory>::command().print_help();
            return ExitCode::from(2);
        }
    };
    finish(result)
}

/// The exit code of a command's result; an error is printed (exit 2).
fn finish(result: anyhow::Result<ExitCode>) -> ExitCode {
    match result {
        Ok(code) => code,
        Err(e) => {
            // Errors can quote model-supplied strings (tensor names).
            eprintln!("mri: error: {}", mri::util::term::safe(&describe(&e)));
            ExitCode::from(2)
        }
    }
}

/// The error and its causes, each cause left out when the message already
/// says it (library errors quote their source: "cannot read `x`: denied").
fn describe(e: &anyhow::Error) -> String {
    let mut msg = e.to_string();
    for cause in e.chain().skip(1) {
        let c = cause.to_string();
        if !msg.contains(&c) {
            msg.push_str(": ");
            msg.push_str(&c);
        }
    }
    msg
}

fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
fn emit(write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> anyhow::Result<()> {
    let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    match write(&mut stdout).and_then(|_| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

fn run_report(args: &InspectArgs, view: View) -> anyhow::Result<ExitCode> {
    // `--policy`: the license decision takes its clarifications, as `mri
    // check` does with the same file (one decision, two faces).
    let policy = match &args.policy {
        Some(path) => match mri::gate::read_policy(path) {
            Ok(p) => Some(p),
            Err(e) => {
                eprintln!("mri: error: {e}");
                return Ok(ExitCode::from(2));
            }
        },
        None => None,
    };
    let options = mri::InspectOptions {
        base: args.base.clone(),
        remote: mri::hub::RemoteOptions {
            tokenizer: args.tokenizer,
        },
        clarify: policy
            .as_ref()
            .map(|p| p.clarify.clone())
            .unwrap_or_default(),
        policy_dir: policy
            .as_ref()
            .map_or_else(|| ".".into(), mri::gate::evaluate::policy_base),
        ..args.target_args().inspect_options()
    };
    // The header maps are left to the kernel at exit (see BENCHMARKS.md).
    let (report, maps) = mri::inspect_keeping_maps(&args.target, &options)?;
    std::mem::forget(maps);
    // A clarification that no longer holds is never silent, whatever the format.
    for w in report
        .license
        .iter()
        .flat_map(|l| l.clarification_warnings())
    {
        eprintln!("mri: warning: {}", mri::util::term::safe(&w));
    }
    let format = args.format.unwrap_or(OutputFormat::Text);
    if (args.hash || args.timestamp)
        && !matches!(format, OutputFormat::Cyclonedx | OutputFormat::Spdx)
    {
        eprintln!("mri: warning: --hash and --timestamp apply to --format cyclonedx|spdx only");
    }
    let color = use_color(args.color);
    emit(|out| match (view, format) {
        (_, OutputFormat::Json) => mri::report::json::write(&report, Layout::for_stdout(), out),
        (View::Inspect, OutputFormat::Text) => {
            out.write_all(mri::report::text::render(&report, color).as_bytes())
        }
        (View::Inspect, OutputFormat::Markdown) => {
            out.write_all(mri::report::markdown::render(&report).as_bytes())
        }
        (View::License, OutputFormat::Text) => {
            out.write_all(license_view::render_text(&report, color).as_bytes())
        }
        (View::License, OutputFormat::Markdown) => {
            out.write_all(license_view::render_markdown(&report).as_bytes())
        }
        (_, OutputFormat::Cyclonedx) => out.write_all(
            bom_text(&[&report], BomFormat::Cyclonedx, args.hash, args.timestamp).as_bytes(),
        ),
        (_, OutputFormat::Spdx) => out
            .write_all(bom_text(&[&report], BomFormat::Spdx, args.hash, args.timestamp).as_bytes()),
    })?;
    // The process ends here: freeing a report of thousands of tensors would
    // only cost time.
    std::mem::forget(report);
    Ok(ExitCode::SUCCESS)
}

/// The two bill-of-materials formats.
#[derive(Clone, Copy)]
enum BomFormat {
    Cyclonedx,
    Spdx,
}

/// The BOM of `reports`: with `hash`, every local file whose SHA-256 the
/// Report does not already know (cache blob names, the Hub's listing) is
/// read and hashed by `mri verify`'s hasher first; with `timestamp`, the
/// creation time is written (`SOURCE_DATE_EPOCH`, when set, is that time).
fn bom_text(reports: &[&mri::Report], format: BomFormat, hash: bool, timestamp: bool) -> String {
    use mri::report::bom::{self, BomModel, BomOptions};
    let models: Vec<BomModel<'_>> = reports
        .iter()
        .map(|&report| BomModel {
            report,
            computed: if hash {
                hash_files(report)
            } else {
                Default::default()
            },
        })
        .collect();
    // SOURCE_DATE_EPOCH (reproducible-builds.org) gives the time a BOM
    // records when set: the same document on every run, with a real date.
    let source_date = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok());
    let options = BomOptions {
        timestamp: source_date
            .or_else(|| {
                timestamp.then(|| {
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(0, |d| d.as_secs())
                })
            })
            .map(mri::util::time::rfc3339_utc),
    };
    match format {
        BomFormat::Cyclonedx => bom::cyclonedx::render(&models, &options),
        BomFormat::Spdx => bom::spdx::render(&models, &options),
    }
}

/// SHA-256 of every local file of the report whose hash is not known yet;
/// a file that cannot be read is named on stderr and left without a hash.
fn hash_files(report: &mri::Report) -> std::collections::BTreeMap<String, String> {
    let known = mri::report::bom::known_sha256(report, &Default::default());
    let work: Vec<(
        &mri::scan::FileEntry,
        Vec<mri::verify::references::Reference>,
    )> = report
        .files
        .iter()
        .filter(|f| !f.remote_only && f.lfs_pointer.is_none() && !known.contains_key(&f.path))
        .map(|f| (f, Vec::new()))
        .collect();
    let jobs = std::thread::available_parallelism().map_or(4, |n| n.get());
    let results = mri::verify::hashing::hash_all(&work, jobs, std::io::stderr().is_terminal());
    let mut out = std::collections::BTreeMap::new();
    for ((f, _), r) in work.iter().zip(results) {
        match r {
            Ok(h) => {
                out.insert(f.path.clone(), h.sha256);
            }
            Err(e) => eprintln!(
                "mri: warning: {}: not hashed ({})",
                mri::util::term::safe(&f.path),
                mri::util::term::safe(&e)
            ),
        }
    }
    out
}

fn run_tui(args: &TuiArgs) -> anyhow::Result<ExitCode> {
    let options = mri::InspectOptions {
        base: args.base.clone(),
        remote: mri::hub::RemoteOptions {
            tokenizer: args.tokenizer,
        },
        ..args.target.inspect_options()
    };
    if let Some(size) = &args.headless {
        return run_headless(args, size, &options);
    }
    if !std::io::stdout().is_terminal() {
        eprintln!("mri: stdout is not a terminal: printing the text report instead of the browser");
        let inspect = InspectArgs {
            target: args.target.name.clone(),
            revision: args.target.revision.clone(),
            base: args.base.clone(),
            tokenizer: args.tokenizer,
            policy: None,
            format: Some(OutputFormat::Text),
            color: ColorChoice::Auto,
            hash: false,
            timestamp: false,
        };
        return run_report(&inspect, View::Inspect);
    }
    mri::tui::run(&args.target.name, &options, args.locked.as_deref())?;
    Ok(ExitCode::SUCCESS)
}

/// `mri tui TARGET --headless WxH [--keys ...]`: the browser drawn off-screen,
/// the last frame on stdout and the timings on stderr.
fn run_headless(
    args: &TuiArgs,
    size: &str,
    options: &mri::InspectOptions,
) -> anyhow::Result<ExitCode> {
    let (w, h) = size
        .split_once('x')
        .and_then(|(w, h)| Some((w.parse::<u16>().ok()?, h.parse::<u16>().ok()?)))
        .filter(|(w, h)| *w > 0 && *h > 0)
        .with_context(|| format!("--headless wants WIDTHxHEIGHT such as 80x24, not {size}"))?;
    let mut keys = Vec::new();
    for name in args.keys.as_deref().unwrap_or("").split_whitespace() {
        keys.push(
            mri::tui::keys::parse_key(name)
                .with_context(|| format!("--keys: unknown key name {name}"))?,
        );
    }
    let out = mri::tui::headless(
        &args.target.name,
        options,
        w,
        h,
        &keys,
        mri::tui::theme::Theme::from_env(),
        args.locked.as_deref(),
    )?;
    emit(|o| o.write_all(out.frame.as_bytes()))?;
    eprintln!(
        "mri: first frame {:.2} ms (report {:.2} ms); {} keys with redraws {:.2} ms ({:.3} ms each)",
        out.first_frame.as_secs_f64() * 1e3,
        out.inspect.as_secs_f64() * 1e3,
        out.keys,
        out.keys_time.as_secs_f64() * 1e3,
        if out.keys == 0 {
            0.0
        } else {
            out.keys_time.as_secs_f64() * 1e3 / out.keys as f64
        }
    );
    Ok(ExitCode::SUCCESS)
}

fn run_licenses(command: LicensesCommand) -> anyhow::Result<ExitCode> {
    match command {
        LicensesCommand::List { format } => {
            let text = match format {
                ListFormat::Text => license_view::list_text(),
                ListFormat::Json => license_view::list_json(Layout::for_stdout()),
            };
            emit(|out| out.write_all(text.as_bytes()))?;
            Ok(ExitCode::SUCCESS)
        }
        LicensesCommand::Show { id } => match license_view::show_text(&id) {
            Some(text) => {
                emit(|out| out.write_all(text.as_bytes()))?;
                Ok(ExitCode::SUCCESS)
            }
            None => {
                eprintln!("mri: error: `{id}` is neither in the knowledge base nor an SPDX id; see `mri licenses list`");
                Ok(ExitCode::from(2))
            }
        },
    }
}

fn run_check(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let policy_path = args.policy.clone().or_else(|| {
        let default = std::path::PathBuf::from("mri.toml");
        default.is_file().then(|| {
            eprintln!("mri: using policy ./mri.toml");
            default
        })
    });
    // `-o mri.toml` would overwrite the policy it is about to read.
    if let (Some(out), Some(pol)) = (&args.output, &policy_path) {
        let same = std::fs::canonicalize(out)
            .ok()
            .is_some_and(|o| std::fs::canonicalize(pol).is_ok_and(|p| p == o));
        if same {
            eprintln!(
                "mri: error: --output {} is the policy file; write the outcome elsewhere",
                out.display()
            );
            return Ok(ExitCode::from(2));
        }
    }
    let policy = match &policy_path {
        Some(path) => match mri::gate::read_policy(path) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("mri: error: {e}");
                return Ok(ExitCode::from(2));
            }
        },
        None => mri::gate::Policy::default(),
    };
    if (args.hash || args.timestamp)
        && !matches!(args.format, CheckFormat::Cyclonedx | CheckFormat::Spdx)
    {
        eprintln!("mri: warning: --hash and --timestamp apply to --format cyclonedx|spdx only");
    }
    // `--locked`: a lock file that does not read is exit 2, before any work.
    let lock = match &args.locked {
        Some(path) => match mri::lock::read(path) {
            Ok(lock) => Some((lock, path)),
            Err(e) => {
                eprintln!("mri: error: {}", mri::util::term::safe(&e.to_string()));
                return Ok(ExitCode::from(2));
            }
        },
        None => None,
    };
    let (targets, found_errors) = match check_targets(args) {
        Ok(t) => t,
        Err(code) => return Ok(code),
    };
    // `--all` may gate thousands: only `--format json` keeps whole Reports.
    let mut outcome = if args.all && args.format != CheckFormat::Json {
        mri::gate::check_lean(&targets, &policy, mri::gate::keep_for_outputs)
    } else {
        mri::gate::check(&targets, &policy)
    };
    if !found_errors.is_empty() {
        // Models `--all` found that cannot be inspected (a dangling ref).
        let mut errors = found_errors;
        errors.append(&mut outcome.errors);
        outcome = mri::gate::GateOutcome::new(&policy, outcome.models, errors);
    }
    if let Some((lock, path)) = &lock {
        let hashing = mri::lock::HashOptions {
            progress: std::io::stderr().is_terminal(),
            ..Default::default()
        };
        mri::lock::apply(&mut outcome, lock, path, &hashing);
    }
    for e in &outcome.errors {
        eprintln!("mri: error: {}", mri::util::term::safe(&e.message));
    }
    let color = args.output.is_none() && use_color(args.color);
    let cwd = std::env::current_dir()?;
    let rendered = match args.format {
        CheckFormat::Text => mri::gate::text::render(&outcome, color),
        // A file (`--output`) is indented, for the person who opens it later.
        CheckFormat::Json => match args.output {
            Some(_) => Layout::Pretty.to_string(&outcome)?,
            None => Layout::for_stdout().to_string(&outcome)?,
        },
        CheckFormat::Sarif => mri::gate::sarif::render(&outcome, &cwd),
        CheckFormat::Junit => mri::gate::junit::render(&outcome),
        CheckFormat::Cyclonedx | CheckFormat::Spdx => {
            let reports: Vec<&mri::Report> = outcome.models.iter().map(|m| &m.report).collect();
            let format = match args.format {
                CheckFormat::Spdx => BomFormat::Spdx,
                _ => BomFormat::Cyclonedx,
            };
            bom_text(&reports, format, args.hash, args.timestamp)
        }
        CheckFormat::Jsonl => mri::gate::jsonl::render(&outcome),
    };
    match &args.output {
        Some(path) => {
            std::fs::write(path, rendered.as_bytes())
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
            eprintln!(
                "mri: {}; wrote {}",
                mri::gate::text::summary_line(&outcome),
                path.display()
            );
        }
        None => emit(|out| out.write_all(rendered.as_bytes()))?,
    }
    Ok(ExitCode::from(outcome.exit_code()))
}

/// The policy `mri lock` takes clarifications from: `--policy`, else
/// ./mri.toml when present (as `mri check`), else none.
fn lock_policy(args: &LockArgs) -> Result<Option<mri::gate::Policy>, mri::gate::PolicyError> {
    let path = args.policy.clone().or_else(|| {
        let default = std::path::PathBuf::from("mri.toml");
        default.is_file().then(|| {
            eprintln!("mri: using policy ./mri.toml");
            default
        })
    });
    path.map(|p| mri::gate::read_policy(&p)).transpose()
}

fn run_lock(args: &LockArgs) -> anyhow::Result<ExitCode> {
    let fail = |e: &dyn std::fmt::Display| {
        eprintln!("mri: error: {}", mri::util::term::safe(&e.to_string()));
        Ok(ExitCode::from(2))
    };
    let policy = match lock_policy(args) {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    let exists = args.output.exists();
    let mut lock = match (exists, args.update) {
        (true, false) => {
            return fail(&format!(
                "{} exists; `mri lock --update` rewrites its entries, printing what changed",
                args.output.display()
            ))
        }
        (true, true) => match mri::lock::read(&args.output) {
            Ok(lock) => lock,
            Err(e) => return fail(&e),
        },
        (false, _) => mri::lock::LockFile::new(),
    };
    let given = if args.targets.is_empty() {
        lock.models.iter().map(|m| m.target.clone()).collect()
    } else {
        args.targets.clone()
    };
    if given.is_empty() {
        return fail(&format!(
            "{} holds no model and no TARGET was given: nothing to lock",
            args.output.display()
        ));
    }
    let (targets, notes) = mri::gate::distinct_targets(&given);
    for note in notes {
        eprintln!("mri: {}", mri::util::term::safe(&note));
    }
    let inspect = mri::InspectOptions {
        clarify: policy
            .as_ref()
            .map(|p| p.clarify.clone())
            .unwrap_or_default(),
        policy_dir: policy
            .as_ref()
            .map(mri::gate::evaluate::policy_base)
            .unwrap_or_else(|| ".".into()),
        ..Default::default()
    };
    let hashing = mri::lock::HashOptions {
        rehash: args.rehash,
        jobs: args.jobs,
        progress: !args.quiet && std::io::stderr().is_terminal(),
    };
    let entries = match mri::lock::lock_targets(&targets, &inspect, &lock, &hashing) {
        Ok(entries) => entries,
        Err(e) => return fail(&e),
    };
    let mut report = String::new();
    for entry in entries {
        let target = entry.target.clone();
        let files = entry.files.len();
        let verdict = entry.verdict.clone();
        match lock.upsert(entry.clone()) {
            None => report.push_str(&format!(
                "locked     {target}: {files} files, verdict {verdict}\n"
            )),
            Some(old) => {
                let drift = mri::lock::compare(&old, &entry);
                if drift.is_empty() {
                    report.push_str(&format!("unchanged  {target}\n"));
                } else {
                    report.push_str(&format!("updated    {target}:\n"));
                    for d in drift {
                        report.push_str(&format!(
                            "  {}  {}\n",
                            d.rule,
                            d.message.replace('\n', "\n    ")
                        ));
                    }
                }
            }
        }
    }
    lock.version = mri::lock::LOCK_VERSION;
    lock.mri = env!("CARGO_PKG_VERSION").into();
    lock.knowledge_base = mri::license::kb::fingerprint().into();
    // Written beside, then renamed over: an interrupted run leaves the old
    // lock whole.
    let mut partial = args.output.clone().into_os_string();
    partial.push(".partial");
    let written = std::fs::write(&partial, mri::lock::render(&lock))
        .and_then(|()| std::fs::rename(&partial, &args.output));
    if let Err(cause) = written {
        let _ = std::fs::remove_file(&partial);
        return fail(&mri::lock::LockError::Write {
            path: args.output.display().to_string(),
            cause,
        });
    }
    emit(|out| out.write_all(mri::util::term::safe(&report).as_bytes()))?;
    eprintln!("mri: wrote {}", args.output.display());
    Ok(ExitCode::SUCCESS)
}

fn run_diff(args: &DiffArgs) -> anyhow::Result<ExitCode> {
    let hashing = mri::lock::HashOptions {
        progress: !args.quiet && std::io::stderr().is_terminal(),
        ..Default::default()
    };
    let d = mri::diff::diff(&args.a, &args.b, &hashing)?;
    let text = match args.format {
        DiffFormat::Text => mri::diff::render::render_text(&d, use_color(args.color)),
        DiffFormat::Json => Layout::for_stdout().to_string(&d)?,
        DiffFormat::Markdown => mri::diff::render::render_markdown(&d),
    };
    emit(|out| out.write_all(text.as_bytes()))?;
    Ok(ExitCode::from(d.exit_code()))
}

/// The targets of `mri check`: those typed (each model once), or with
/// `--all` those `mri ls` finds; `--shard` keeps its share. Models found
/// that cannot be inspected come back as input errors; a search path that
/// does not exist is exit code 2.
fn check_targets(args: &CheckArgs) -> Result<(Vec<String>, Vec<mri::gate::InputError>), ExitCode> {
    if !args.all {
        if args.fleet.cache.is_some() {
            eprintln!("mri: error: --cache applies to --all only");
            return Err(ExitCode::from(2));
        }
        let (targets, notes) = mri::gate::distinct_targets(&args.targets);
        for note in notes {
            eprintln!("mri: {}", mri::util::term::safe(&note));
        }
        let targets = match args.fleet.shard {
            Some(s) => targets.into_iter().filter(|t| s.holds(t)).collect(),
            None => targets,
        };
        return Ok((targets, Vec::new()));
    }
    let found = discover_fleet(&args.targets, &args.fleet)?;
    let mut targets = Vec::new();
    let mut errors = Vec::new();
    for f in found {
        match f.problem {
            Some(message) => errors.push(mri::gate::InputError {
                input: f.target,
                message: format!("{}: {message}", f.name),
            }),
            None => targets.push(f.target),
        }
    }
    Ok((targets, errors))
}

/// The models `mri ls` and `mri check --all` work on: found in the
/// sources the paths and `--cache` name, in `--shard`'s share. A path that
/// does not exist is an error (exit 2) after it is named.
fn discover_fleet(
    paths: &[impl AsRef<std::path::Path>],
    fleet: &cli::FleetArgs,
) -> Result<Vec<mri::locate::discover::Found>, ExitCode> {
    use mri::locate::discover::{discover, Sources};
    let paths: Vec<std::path::PathBuf> = paths.iter().map(|p| p.as_ref().to_path_buf()).collect();
    let d = discover(&Sources::for_command(&paths, fleet.cache.as_deref()));
    if !d.unusable.is_empty() {
        for (path, why) in &d.unusable {
            eprintln!("mri: error: {}: {why}", mri::util::term::safe(path));
        }
        return Err(ExitCode::from(2));
    }
    Ok(mri::fleet::in_shard(d.found, fleet.shard))
}

/// `mri` alone on a terminal: the models of the cache and the Ollama
/// store listed (with a progress bar), then browsed.
fn run_fleet_browser() -> anyhow::Result<ExitCode> {
    let fleet = cli::FleetArgs {
        cache: None,
        shard: None,
    };
    let found = match discover_fleet(&[] as &[&str], &fleet) {
        Ok(f) => f,
        Err(code) => return Ok(code),
    };
    let options = mri::fleet::ListOptions::default();
    let bar = fleet_progress(found.len(), false);
    let mut listing = mri::fleet::list(&found, &options, &|done, _| bar.set_position(done as u64));
    bar.finish_and_clear();
    listing.select(&[], &mri::fleet::Sort::default());
    mri::tui::fleet::run(listing, &options.inspect)?;
    Ok(ExitCode::SUCCESS)
}

/// A bar of models inspected on stderr (hidden when it is not a terminal
/// or with `quiet`).
fn fleet_progress(total: usize, quiet: bool) -> indicatif::ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let pb = indicatif::ProgressBar::with_draw_target(
        Some(total as u64),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("inspecting {bar:30} {pos}/{len} models {elapsed}")
    {
        pb.set_style(style);
    }
    pb
}

fn run_ls(args: &LsArgs) -> anyhow::Result<ExitCode> {
    let found = match discover_fleet(&args.paths, &args.fleet) {
        Ok(f) => f,
        Err(code) => return Ok(code),
    };
    let bar = fleet_progress(found.len(), args.quiet);
    let options = mri::fleet::ListOptions {
        jobs: args.jobs,
        inspect: mri::InspectOptions {
            cache: args
                .fleet
                .cache
                .as_ref()
                .map_or_else(mri::HfCache::from_env, mri::HfCache::new),
            ..Default::default()
        },
    };
    let mut listing = mri::fleet::list(&found, &options, &|done, _| bar.set_position(done as u64));
    bar.finish_and_clear();
    listing.select(&args.filter, &args.sort.unwrap_or_default());
    let color = use_color(args.color);
    let rendered = match args.format {
        LsFormat::Text => mri::fleet::render::text(&listing, color),
        LsFormat::Json => Layout::for_stdout().to_string(&listing)?,
        LsFormat::Jsonl => mri::fleet::render::jsonl(&listing),
        LsFormat::Csv => mri::fleet::render::csv(&listing),
        LsFormat::Markdown => mri::fleet::render::markdown(&listing),
    };
    emit(|out| out.write_all(rendered.as_bytes()))?;
    Ok(ExitCode::SUCCESS)
}

fn run_policy(command: PolicyCommand) -> anyhow::Result<ExitCode> {
    match command {
        PolicyCommand::Init { output, force } => {
            if output.exists() && !force {
                eprintln!(
                    "mri: error: {} exists; pass --force to overwrite it",
                    output.display()
                );
                return Ok(ExitCode::from(2));
            }
            std::fs::write(&output, mri::gate::policy::STARTER)
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", output.display()))?;
            eprintln!(
                "mri: wrote {}; edit it, then run `mri check MODEL --policy {}`",
                output.display(),
                output.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        PolicyCommand::Check { file } => match mri::gate::read_policy(&file) {
            Ok(_) => {
                eprintln!("mri: {} is a valid policy", file.display());
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => {
                eprintln!("mri: error: {e}");
                Ok(ExitCode::from(2))
            }
        },
    }
}

fn run_verify(args: &VerifyArgs) -> anyhow::Result<ExitCode> {
    let inspect = args.target.inspect_options();
    if let Some(signature) = &args.signature {
        return run_verify_signature(args, signature);
    }
    let options = mri::verify::VerifyOptions {
        jobs: args.jobs,
        manifest: args.manifest.clone(),
        pointers: args.pointers.clone(),
        progress: !args.quiet && std::io::stderr().is_terminal(),
        allow_unreferenced: args.allow_unreferenced,
    };
    let report = mri::verify::verify(&args.target.name, &inspect, &options)?;
    let text = match args.format {
        VerifyFormat::Text => mri::verify::render_text(&report),
        VerifyFormat::Json => Layout::for_stdout().to_string(&report)?,
    };
    emit(|out| out.write_all(text.as_bytes()))?;
    Ok(ExitCode::from(report.exit_code()))
}

/// `mri verify --signature`: the model signature instead of the references.
fn run_verify_signature(
    args: &VerifyArgs,
    signature: &std::path::Path,
) -> anyhow::Result<ExitCode> {
    if args.manifest.is_some() || args.pointers.is_some() || args.allow_unreferenced {
        anyhow::bail!(
            "--signature checks the files the signature lists; --manifest, --pointers and --allow-unreferenced do not apply"
        );
    }
    let options = mri::sign::CheckOptions {
        signature: signature.to_path_buf(),
        key: args.key.clone(),
        certificate_chain: args.certificate_chain.clone(),
        identity: args.identity.clone(),
        issuer: args.issuer.clone(),
        trust_root: args.trust_root.clone(),
        jobs: args.jobs,
        progress: !args.quiet && std::io::stderr().is_terminal(),
    };
    let report = mri::sign::check(&args.target.name, &args.target.inspect_options(), &options)?;
    let text = match args.format {
        VerifyFormat::Text => mri::sign::render_text(&report),
        VerifyFormat::Json => Layout::for_stdout().to_string(&report)?,
    };
    emit(|out| out.write_all(text.as_bytes()))?;
    Ok(ExitCode::from(report.exit_code()))
}

fn run_sign(args: &SignArgs) -> anyhow::Result<ExitCode> {
    let options = mri::sign::SignOptions {
        key: args.key.clone(),
        certificate: args.certificate.clone(),
        certificate_chain: args.certificate_chain.clone(),
        output: args.output.clone(),
        jobs: args.jobs,
        progress: !args.quiet && std::io::stderr().is_terminal(),
    };
    let signed = mri::sign::sign(&args.target.name, &args.target.inspect_options(), &options)?;
    eprintln!(
        "mri: signed {} files ({}) into {}: subject sha256:{}, key sha256:{}{}",
        signed.files,
        mri::util::human::bytes(signed.bytes),
        signed.path.display(),
        signed.root_digest,
        signed.key_fingerprint,
        if signed.identities.is_empty() {
            String::new()
        } else {
            format!(", certificate {}", signed.identities.join(", "))
        }
    );
    Ok(ExitCode::SUCCESS)
}

fn run_smoke(args: &SmokeArgs) -> anyhow::Result<ExitCode> {
    use mri::smoke::SmokeOptions;

    let device = args
        .device
        .parse::<mri::smoke::DeviceChoice>()
        .map_err(anyhow::Error::msg)?;
    let memory_limit = smoke_memory_limit(args)?;
    let options = args.target.inspect_options();
    let target_report = mri::inspect(&args.target.name, &options)?;
    let (bar, progress) = scan_progress_bar();
    let smoke_options = SmokeOptions {
        device,
        dtype: match args.dtype {
            DtypeArg::Auto => mri::smoke::DtypeChoice::Auto,
            DtypeArg::F32 => mri::smoke::DtypeChoice::F32,
            DtypeArg::Bf16 => mri::smoke::DtypeChoice::Bf16,
            DtypeArg::F16 => mri::smoke::DtypeChoice::F16,
        },
        prompt: args.prompt.clone(),
        max_tokens: args.max_tokens,
        scan_weights: args.scan_weights,
        memory_limit,
        progress: Some(progress),
        lora: None,
        stream: args.stream,
    };
    // An adapter runs on its base, merged as the weights load.
    let result = mri::smoke::run_target(
        target_report,
        args.base.as_deref(),
        &options,
        &smoke_options,
    );
    if let Ok(mut slot) = bar.lock() {
        if let Some(pb) = slot.take() {
            pb.finish_and_clear();
        }
    }
    let mri::smoke::TargetRun { mut report, run } = match result {
        Ok(done) => done,
        // The model ran but its output is degenerate: the smoke test failed.
        Err(mri::smoke::TargetError::Smoke(e @ mri::smoke::SmokeError::DegenerateOutput(_))) => {
            eprintln!(
                "mri: smoke test failed: {}",
                mri::util::term::safe(&e.to_string())
            );
            return Ok(ExitCode::from(1));
        }
        Err(e) => return Err(e.into()),
    };
    let failed = run.failed();
    let rendered = match args.format {
        SmokeFormat::Text => {
            let mut text = mri::smoke::report::render_text(&run, &report.display_name());
            text.push_str(&mri::smoke::report::render_weight_findings(
                &run,
                args.scan_weights,
            ));
            text
        }
        SmokeFormat::Json => {
            report.attach_smoke(run.summary.clone(), &run.weight_findings);
            Layout::for_stdout().to_string(&report)?
        }
    };
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(rendered.as_bytes())
        .and_then(|_| stdout.flush())
    {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            return Err(e.into());
        }
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The memory `mri smoke` may use: `--memory-limit`, else a non-empty
/// `MRI_SMOKE_MEMORY_LIMIT`, else none (what the machine has available).
fn smoke_memory_limit(args: &SmokeArgs) -> anyhow::Result<Option<u64>> {
    mri::smoke::memory::limit(args.memory_limit.as_deref()).map_err(anyhow::Error::msg)
}

/// A byte progress bar for `--scan-weights`, made on the first scan event
/// and cleared when the next stage starts; indicatif hides it when stderr
/// is not a terminal. Returns the bar's slot (to clear it after the run)
/// and the progress callback that drives it.
fn scan_progress_bar() -> (
    std::sync::Arc<std::sync::Mutex<Option<indicatif::ProgressBar>>>,
    mri::smoke::Progress,
) {
    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
    use mri::smoke::SmokeEvent;
    use std::sync::{Arc, Mutex};

    let bar: Arc<Mutex<Option<ProgressBar>>> = Arc::new(Mutex::new(None));
    let bar_events = Arc::clone(&bar);
    let progress = Arc::new(move |event: SmokeEvent| {
        let Ok(mut slot) = bar_events.lock() else {
            return;
        };
        match event {
            SmokeEvent::ScanBytes { done, total } => {
                let pb = slot.get_or_insert_with(|| {
                    let pb = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
                    if let Ok(style) = ProgressStyle::with_template(
                        "scanning weights {bar:30} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} eta {eta}",
                    ) {
                        pb.set_style(style);
                    }
                    pb
                });
                pb.set_position(done.max(pb.position()));
            }
            SmokeEvent::Stage(_) => {
                if let Some(pb) = slot.take() {
                    pb.finish_and_clear();
                }
            }
            SmokeEvent::Token { .. } => {}
        }
    });
    (bar, progress)
}

fn run_download(args: &DownloadArgs) -> anyhow::Result<ExitCode> {
    let hub = match mri::locate::hub_ref::parse(&args.target) {
        Some(Ok(hub)) => hub,
        Some(Err(why)) => anyhow::bail!(
            "`{}` is not a Hub model: {why} (write hf://ORG/NAME[@REVISION])",
            args.target
        ),
        None => anyhow::bail!(
            "mri download takes hf://ORG/NAME[@REVISION], not `{}`",
            args.target
        ),
    };
    let revision = hub
        .revision_with(args.revision.as_deref())
        .map_err(anyhow::Error::msg)?;
    let options = mri::hub::download::DownloadOptions {
        include: args.include.clone(),
        progress: !args.quiet && std::io::stderr().is_terminal(),
    };
    let client = mri::hub::HubClient::shared()?;
    let cache = mri::HfCache::from_env();
    let s = mri::hub::download::download(client, &hub, &revision, &cache, &options)?;
    for path in &s.skipped_unsafe {
        eprintln!("mri: warning: skipped `{path}`: not a safe relative path");
    }
    eprintln!(
        "mri: {} @ {} ({}): {} files, {}: {} downloaded ({} resumed), {} already in the cache; fetched {}",
        s.repo,
        s.revision,
        &s.commit[..s.commit.len().min(12)],
        s.files,
        mri::util::human::bytes(s.bytes),
        s.downloaded,
        s.resumed,
        s.cached,
        mri::util::human::bytes(s.bytes_fetched)
    );
    emit(|out| writeln!(out, "{}", s.snapshot.display()))?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::describe;

    #[test]
    fn a_cause_the_message_already_quotes_is_not_repeated() {
        let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "denied");
        let e = anyhow::Error::new(mri::locate::LocateError::Io {
            path: "m".into(),
            source: io,
        });
        assert_eq!(describe(&e), "cannot read `m`: denied");
        let e = anyhow::anyhow!("inner").context("outer");
        assert_eq!(describe(&e), "outer: inner");
    }
}
