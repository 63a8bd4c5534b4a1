//! The binary: parse flags, run the library, print, pick the exit code.

mod cli;

use clap::Parser;
use cli::{CheckArgs, Cli, Command};
use reftree::diag::Severity;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> std::io::Result<ExitCode> {
    let mut stdout = std::io::stdout().lock();
    match cli.command {
        Command::Rules => {
            for r in reftree::rules::ALL {
                let fix = if r.fixable { "fixable" } else { "" };
                let sev = if r.default_enabled {
                    r.severity.as_str()
                } else {
                    "off"
                };
                writeln!(stdout, "{:<26} {:<8} {:<8} {}", r.id, sev, fix, r.summary)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Explain { rule } => match reftree::rules::by_id(&rule) {
            Some(r) => {
                stdout.write_all(r.doc.as_bytes())?;
                Ok(ExitCode::SUCCESS)
            }
            None => {
                eprintln!("error: unknown rule `{rule}`; `reftree rules` lists them");
                Ok(ExitCode::from(2))
            }
        },
        Command::Check(args) => check(&args, &mut stdout),
        Command::Init { root, print, force } => {
            let root = root.unwrap_or_else(|| {
                reftree::default_root(&std::env::current_dir().unwrap_or_default())
            });
            let text = match reftree::init(&root) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("error: {e}");
                    return Ok(ExitCode::from(2));
                }
            };
            if print {
                stdout.write_all(text.as_bytes())?;
                return Ok(ExitCode::SUCCESS);
            }
            let path = root.join("reftree.toml");
            if path.exists() && !force {
                eprintln!(
                    "error: `{}` exists; use --force to overwrite it, or --print",
                    path.display()
                );
                return Ok(ExitCode::from(2));
            }
            std::fs::write(&path, text)?;
            eprintln!(
                "wrote `{}`: review it, then run `reftree check`",
                path.display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn check(args: &CheckArgs, stdout: &mut dyn Write) -> std::io::Result<ExitCode> {
    let opts = match args.options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{}", e.trim_end());
            return Ok(ExitCode::from(2));
        }
    };
    let run = |opts: &reftree::Options| match reftree::check(opts) {
        Ok(o) => Some(o),
        Err(e) => {
            eprintln!("error: {e}");
            None
        }
    };
    let progress = show_progress(&opts);
    let first = run(&opts);
    drop(progress);
    let Some(mut outcome) = first else {
        return Ok(ExitCode::from(2));
    };
    let mut fixed = None;
    if args.fix || args.fix_unsafe || args.diff {
        let plan = reftree::fix::Plan::new(&outcome.diagnostics, args.fix_unsafe);
        if args.diff {
            stdout.write_all(reftree::fix::diff(&opts.root, &plan)?.as_bytes())?;
            eprintln!(
                "{} fix(es) in {} file(s) shown; nothing was written",
                plan.edit_count(),
                plan.files.len()
            );
            return Ok(exit_code(&outcome));
        }
        let applied = reftree::fix::apply(&opts.root, &plan)?;
        for path in &applied.skipped {
            eprintln!("warning: `{path}` changed since it was checked; it was not fixed");
        }
        // What is left, as the tree now is.
        let Some(after) = run(&opts) else {
            return Ok(ExitCode::from(2));
        };
        outcome = after;
        fixed = Some(applied);
    }
    match &args.output {
        Some(path) => {
            let mut buf = Vec::new();
            reftree::report::write(&mut buf, &outcome, &opts.root, args.format.into(), false)?;
            if let Err(e) = std::fs::write(path, buf) {
                eprintln!("error: cannot write `{}`: {e}", path.display());
                return Ok(ExitCode::from(2));
            }
        }
        None => {
            let color = std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            reftree::report::write(stdout, &outcome, &opts.root, args.format.into(), color)?;
            stdout.flush()?;
        }
    }
    if !args.quiet {
        if let Some(a) = &fixed {
            let fixable = outcome
                .diagnostics
                .iter()
                .filter(|d| d.fix.is_some())
                .count();
            eprintln!(
                "fixed {} finding(s) in {} file(s); {} left ({fixable} with a fix that is not certain: --fix-unsafe or --diff to see)",
                a.edits,
                a.files,
                outcome.diagnostics.len()
            );
        }
        eprint!("{}", reftree::report::summary::render(&outcome));
    }
    Ok(exit_code(&outcome))
}

fn exit_code(outcome: &reftree::Outcome) -> ExitCode {
    if outcome.unreadable {
        ExitCode::from(2)
    } else if outcome.count(Severity::Error) > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Shows progress on stderr while it lives: only on a terminal, not in CI,
/// and only once the run has taken a second.
struct ProgressLine {
    done: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for ProgressLine {
    fn drop(&mut self) {
        self.done.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn show_progress(opts: &reftree::Options) -> Option<ProgressLine> {
    use std::sync::atomic::Ordering::Relaxed;
    if !std::io::stderr().is_terminal() || std::env::var_os("CI").is_some() {
        return None;
    }
    let counters = opts.progress.clone()?;
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop = done.clone();
    let thread = std::thread::spawn(move || {
        let start = std::time::Instant::now();
        let mut shown = false;
        while !stop.load(Relaxed) {
            std::thread::sleep(std::time::Duration::from_millis(100));
            if start.elapsed().as_secs() >= 1 {
                let (n, total) = (
                    counters.pages_done.load(Relaxed),
                    counters.pages_total.load(Relaxed),
                );
                eprint!(
                    "\rreftree: {n}/{total} pages parsed, {:.0}s",
                    start.elapsed().as_secs_f64()
                );
                shown = true;
            }
        }
        if shown {
            eprint!("\r\x1b[2K");
        }
    });
    Some(ProgressLine {
        done,
        thread: Some(thread),
    })
}
