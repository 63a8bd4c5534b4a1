//! `reftree check` from flags to exit code: run, fix or diff, print, summarise.

use crate::cli::CheckArgs;
use reftree::diag::Severity;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

pub fn check(args: &CheckArgs, stdout: &mut dyn Write) -> std::io::Result<ExitCode> {
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
    let code = exit_code(&outcome);
    // The process ends here: its memory goes back whole, so the findings
    // (tens of thousands of strings on a large tree) are not freed one by one.
    std::mem::forget(outcome);
    Ok(code)
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
