//! The `mri` binary: parse arguments, call the library, map the outcome to an exit code.

mod cli;

use clap::Parser;
use cli::{Cli, ColorChoice, Command, InspectArgs, OutputFormat};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let args = match (cli.command, cli.inspect) {
        (Some(Command::Inspect(a)), _) => a,
        (None, Some(a)) => a,
        (None, None) => {
            let _ = <Cli as clap::CommandFactory>::command().print_help();
            return ExitCode::from(2);
        }
    };
    match run_inspect(&args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("mri: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run_inspect(args: &InspectArgs) -> anyhow::Result<ExitCode> {
    let options = mri::InspectOptions {
        revision: args.revision.clone(),
        ..Default::default()
    };
    let report = mri::inspect(&args.target, &options)?;
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let format = match args.format {
        OutputFormat::Text => mri::report::Format::Text,
        OutputFormat::Json => mri::report::Format::Json,
        OutputFormat::Markdown => mri::report::Format::Markdown,
    };
    let rendered = mri::report::render(&report, format, color);
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(rendered.as_bytes())
        .and_then(|_| stdout.flush())
    {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            return Err(e.into());
        }
    }
    // The process ends here: freeing a report of thousands of tensors would
    // only cost time.
    std::mem::forget(report);
    Ok(ExitCode::SUCCESS)
}
