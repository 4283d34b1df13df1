//! The `mri` binary: parse arguments, call the library, map the outcome to an exit code.

mod cli;

use clap::Parser;
use cli::{Cli, ColorChoice, Command, InspectArgs, LicensesCommand, ListFormat, OutputFormat};
use mri::report::license_view;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

/// What a command prints.
enum View {
    Inspect,
    License,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match (cli.command, cli.inspect) {
        (Some(Command::Inspect(a)), _) | (None, Some(a)) => run_report(&a, View::Inspect),
        (Some(Command::License(a)), _) => run_report(&a, View::License),
        (Some(Command::Licenses(c)), _) => run_licenses(c),
        (None, None) => {
            let _ = <Cli as clap::CommandFactory>::command().print_help();
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("mri: error: {e:#}");
            ExitCode::from(2)
        }
    }
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
    let options = mri::InspectOptions {
        revision: args.revision.clone(),
        base: args.base.clone(),
        ..Default::default()
    };
    let report = mri::inspect(&args.target, &options)?;
    let color = use_color(args.color);
    emit(|out| match (view, args.format) {
        (_, OutputFormat::Json) => mri::report::json::write(&report, out),
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
    })?;
    // The process ends here: freeing a report of thousands of tensors would
    // only cost time.
    std::mem::forget(report);
    Ok(ExitCode::SUCCESS)
}

fn run_licenses(command: LicensesCommand) -> anyhow::Result<ExitCode> {
    match command {
        LicensesCommand::List { format } => {
            let text = match format {
                ListFormat::Text => license_view::list_text(),
                ListFormat::Json => license_view::list_json(),
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
