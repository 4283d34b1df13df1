//! The `mri` binary: parse arguments, call the library, map the outcome to an exit code.

mod cli;

use anyhow::Context;
use clap::Parser;
use cli::{Cli, ColorChoice, Command, InspectArgs, OutputFormat, TuiArgs};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match (cli.command, cli.inspect) {
        (Some(Command::Inspect(a)), _) => run_inspect(&a),
        (Some(Command::Tui(a)), _) => run_tui(&a),
        // `mri TARGET`: the browser on a terminal, else the text report.
        (None, Some(a)) if a.format.is_none() => run_tui(&TuiArgs {
            target: a.target,
            revision: a.revision,
            headless: None,
            keys: None,
        }),
        (None, Some(a)) => run_inspect(&a),
        (None, None) => {
            let _ = <Cli as clap::CommandFactory>::command().print_help();
            return ExitCode::from(2);
        }
    };
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("mri: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn options(revision: &Option<String>) -> mri::InspectOptions {
    mri::InspectOptions {
        revision: revision.clone(),
        ..Default::default()
    }
}

fn run_inspect(args: &InspectArgs) -> anyhow::Result<ExitCode> {
    let report = mri::inspect(&args.target, &options(&args.revision))?;
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let format = match args.format.unwrap_or(OutputFormat::Text) {
        OutputFormat::Text => mri::report::Format::Text,
        OutputFormat::Json => mri::report::Format::Json,
        OutputFormat::Markdown => mri::report::Format::Markdown,
    };
    let rendered = mri::report::render(&report, format, color);
    write_stdout(rendered.as_bytes())?;
    // The process ends here: freeing a report of thousands of tensors would
    // only cost time.
    std::mem::forget(report);
    Ok(ExitCode::SUCCESS)
}

fn write_stdout(bytes: &[u8]) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_all(bytes).and_then(|_| stdout.flush()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            return Err(e.into());
        }
    }
    Ok(())
}

fn run_tui(args: &TuiArgs) -> anyhow::Result<ExitCode> {
    let options = options(&args.revision);
    if let Some(size) = &args.headless {
        return run_headless(args, size, &options);
    }
    if !std::io::stdout().is_terminal() {
        eprintln!("mri: stdout is not a terminal: printing the text report instead of the browser");
        return run_inspect(&InspectArgs {
            target: args.target.clone(),
            revision: args.revision.clone(),
            format: Some(OutputFormat::Text),
            color: ColorChoice::Auto,
        });
    }
    mri::tui::run(&args.target, &options)?;
    Ok(ExitCode::SUCCESS)
}

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
        &args.target,
        options,
        w,
        h,
        &keys,
        mri::tui::theme::Theme::from_env(),
    )?;
    write_stdout(out.frame.as_bytes())?;
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
