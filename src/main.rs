//! The `mri` binary: parse arguments, call the library, map the outcome to an exit code.

mod cli;

use clap::Parser;
use cli::{Cli, ColorChoice, Command, DtypeArg, InspectArgs, OutputFormat, SmokeArgs, SmokeFormat};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let args = match (cli.command, cli.inspect) {
        (Some(Command::Smoke(a)), _) => {
            return match run_smoke(&a) {
                Ok(code) => code,
                Err(e) => {
                    eprintln!("mri: error: {e:#}");
                    ExitCode::from(2)
                }
            }
        }
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

fn run_smoke(args: &SmokeArgs) -> anyhow::Result<ExitCode> {
    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
    use mri::smoke::{SmokeEvent, SmokeOptions};
    use std::sync::{Arc, Mutex};

    let device = args
        .device
        .parse::<mri::smoke::DeviceChoice>()
        .map_err(anyhow::Error::msg)?;
    let memory_limit = match args.memory_limit.clone().or_else(|| {
        std::env::var("MRI_SMOKE_MEMORY_LIMIT")
            .ok()
            .filter(|v| !v.is_empty())
    }) {
        Some(text) => Some(mri::smoke::memory::parse_size(&text).ok_or_else(|| {
            anyhow::anyhow!("memory limit `{text}` is not a size (e.g. 8G, 512MiB, 1000000)")
        })?),
        None => None,
    };
    let options = mri::InspectOptions {
        revision: args.revision.clone(),
        ..Default::default()
    };
    let mut report = mri::inspect(&args.target, &options)?;

    // A byte progress bar for --scan-weights; indicatif hides it when stderr
    // is not a terminal.
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
    };
    let run = mri::smoke::run(&report, &smoke_options)?;
    if let Ok(mut slot) = bar.lock() {
        if let Some(pb) = slot.take() {
            pb.finish_and_clear();
        }
    }
    let failed = !run.summary.finite
        || run
            .weight_findings
            .iter()
            .any(|f| f.code == mri::report::finding::Code::WeightsNonFinite);
    let rendered = match args.format {
        SmokeFormat::Text => {
            let mut text = mri::smoke::report::render_text(&run, &report.display_name());
            for f in &run.weight_findings {
                text.push_str(&format!("  {}: {} [{}]\n", f.severity, f.message, f.code));
            }
            if args.scan_weights && run.weight_findings.is_empty() {
                text.push_str("  weights scanned: every tensor finite, none all zeros\n");
            }
            text
        }
        SmokeFormat::Json => {
            report.findings.extend(run.weight_findings.iter().cloned());
            report.finish_findings();
            report.smoke = Some(run.summary.clone());
            mri::report::render(&report, mri::report::Format::Json, false)
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
