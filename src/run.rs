//! `reftree check` from flags to exit code: run, fix or diff, print, summarise.

use crate::cli::CheckArgs;
use reftree::diag::Severity;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

pub fn check(args: &CheckArgs, stdout: &mut dyn Write) -> std::io::Result<ExitCode> {
    let opts = match args.options() {
        Ok(o) => o,
        Err(e) => {
            sayln!("{}", e.trim_end());
            return Ok(ExitCode::from(2));
        }
    };
    let fixing = args.writes();
    // Two `--fix` runs on one tree take turns: the lock is held from the
    // first check to the last write.
    let _lock = if fixing {
        let root = opts
            .root
            .canonicalize()
            .unwrap_or_else(|_| opts.root.clone());
        let waiting = || sayln!("waiting for another `reftree check --fix` on this tree to finish");
        match reftree::fix::Lock::take(&root, waiting) {
            Ok(l) => Some(l),
            Err(e) => {
                sayln!("error: cannot lock `{}` for fixing: {e}", root.display());
                return Ok(ExitCode::from(2));
            }
        }
    } else {
        None
    };
    let progress = show_progress(&opts);
    let mut dry = None;
    let first = if fixing {
        reftree::fix::fix_tree(&opts, args.fix_unsafe).map(|(o, r)| (o, Some(r)))
    } else if args.diff {
        reftree::fix::dry_run(&opts, args.fix_unsafe).map(|(o, d)| {
            dry = Some(d);
            (o, None)
        })
    } else {
        reftree::check(&opts).map(|o| (o, None))
    };
    drop(progress);
    let (mut outcome, fixed) = match first {
        Ok(o) => o,
        Err(e) => {
            sayln!("error: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    if let Some(d) = dry {
        stdout.write_all(reftree::fix::diff_pages(&d.pages).as_bytes())?;
        let passes = if d.passes > 1 {
            format!(
                " (in {} passes, as `--fix` makes them: some fixes change what others fix)",
                d.passes
            )
        } else {
            String::new()
        };
        sayln!(
            "{} fix(es) in {} file(s) shown{passes}; nothing was written",
            d.edits,
            d.pages.len()
        );
        if d.unsettled > 0 {
            sayln!(
                "warning: {} fix(es) still planned after {} passes; `--fix` would leave them too",
                d.unsettled,
                reftree::fix::MAX_PASSES
            );
        }
        return Ok(exit_code(&outcome));
    }
    if let Some(r) = &fixed {
        for (t, err) in &r.removed_temporaries {
            match err {
                None => sayln!("removed `{t}`, a temporary file left by an interrupted `--fix`"),
                Some(e) => sayln!(
                    "warning: cannot remove `{t}`, a temporary file left by an interrupted `--fix`: {e}"
                ),
            }
        }
        for s in &r.skipped {
            let level = if s.failed { "error" } else { "warning" };
            sayln!("{level}: `{}` was not fixed: {}", s.path, s.reason);
        }
        if r.unsettled > 0 {
            sayln!(
                "warning: fixes kept appearing after {} passes; {} fix(es) were not made (run `--fix` again, and please report this)",
                reftree::fix::MAX_PASSES,
                r.unsettled
            );
        }
    } else if !outcome.stale_temporaries.is_empty() && !args.quiet {
        sayln!(
            "note: {} temporary file(s) left by an interrupted `--fix` (the next `--fix` removes them): {}",
            outcome.stale_temporaries.len(),
            outcome.stale_temporaries.join(", ")
        );
    }
    if let Some(path) = &args.write_baseline {
        let base = reftree::baseline::Baseline::of(&outcome.diagnostics, &Default::default());
        if let Err(e) = std::fs::write(path, base.to_json()) {
            sayln!("error: cannot write `{}`: {e}", path.display());
            return Ok(ExitCode::from(2));
        }
        if !args.quiet {
            sayln!(
                "wrote {} finding(s) to the baseline `{}`; `--baseline {}` reports only findings not in it",
                base.len(),
                path.display(),
                path.display()
            );
        }
        return Ok(if outcome.unreadable {
            ExitCode::from(2)
        } else {
            ExitCode::SUCCESS
        });
    }
    let cwd = std::env::current_dir().and_then(|d| d.canonicalize());
    let paths = match &cwd {
        Ok(cwd) => reftree::report::Paths::new(&outcome.root, cwd),
        Err(_) => reftree::report::Paths::from_root(&outcome.root),
    };
    match &args.output {
        Some(path) => {
            // Written as it is rendered, not rendered whole first (tens of
            // MB at 100,000 pages).
            let written = std::fs::File::create(path).and_then(|file| {
                let mut out = std::io::BufWriter::new(file);
                reftree::report::write(&mut out, &outcome, &paths, args.format.into(), false)?;
                out.into_inner().map(drop).map_err(|e| e.into_error())
            });
            if let Err(e) = written {
                sayln!("error: cannot write `{}`: {e}", path.display());
                return Ok(ExitCode::from(2));
            }
        }
        None => {
            let color = std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            reftree::report::write(stdout, &outcome, &paths, args.format.into(), color)?;
            stdout.flush()?;
        }
    }
    if !args.quiet {
        if let Some(a) = &fixed {
            // Every change made, for a reviewer: file, line, before -> after.
            for c in &a.changes {
                let how = if c.certain { "" } else { " (not certain)" };
                sayln!(
                    "fixed {}{}:{}: [{}] `{}` -> `{}`{how}",
                    paths.from_cwd,
                    reftree::report::escape_controls(&c.path),
                    c.line,
                    c.rule,
                    reftree::report::escape_controls(&c.before),
                    reftree::report::escape_controls(&c.after)
                );
            }
            let fixable = outcome
                .diagnostics
                .iter()
                .filter(|d| d.fix.is_some())
                .count();
            sayln!(
                "fixed {} finding(s) in {} file(s); {} left ({fixable} with a fix that is not certain: --fix-unsafe to apply them, --diff --fix-unsafe to see them)",
                a.edits,
                a.files.len(),
                outcome.diagnostics.len()
            );
        }
        say!("{}", reftree::report::summary::render(&outcome));
    }
    if std::env::var_os("REFTREE_TIMINGS").is_some_and(|v| !v.is_empty()) {
        for (stage, took) in &outcome.stats.stages {
            sayln!("timing: {stage}: {:.1} ms", took.as_secs_f64() * 1e3);
        }
        if outcome.stats.read_ahead {
            sayln!("timing: the pages were not in memory: read ahead");
        }
    }
    let mut code = exit_code(&outcome);
    if fixed.as_ref().is_some_and(|r| r.failed()) {
        code = ExitCode::from(2);
    }
    // The run cache is in place before the process ends (it was written
    // while the findings were printed).
    drop(std::mem::take(&mut outcome.saving));
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
                say!(
                    "\rreftree: {n}/{total} pages parsed, {:.0}s",
                    start.elapsed().as_secs_f64()
                );
                shown = true;
            }
        }
        if shown {
            say!("\r\x1b[2K");
        }
    });
    Some(ProgressLine {
        done,
        thread: Some(thread),
    })
}
