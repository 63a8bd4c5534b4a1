//! The binary: parse flags, run the library, print, pick the exit code.

/// `eprint!` that never panics: when stderr is closed or full
/// (`2>/dev/full`), the message is dropped and the exit code still tells.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr(), $($arg)*);
    }};
}

/// `eprintln!` that never panics (see `say!`).
macro_rules! sayln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod cli;
mod run;

use clap::Parser;
use cli::{Cli, Command};
use std::io::Write;
use std::process::ExitCode;

/// A parse makes about 50 allocations per page on two threads: mimalloc
/// serves them in less time than glibc's malloc (BENCHMARKS.md, session 11).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `purge_delay` option: `mi_option_purge_delay` in its v2
/// header, right after `eager_commit_delay` (14); the crate names neither.
/// A test checks that it reads back mimalloc's documented default, 10 ms.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Keep the memory a run frees for the run to use again, unless the user
/// set mimalloc's own `MIMALLOC_PURGE_DELAY` (or its old name). By default
/// mimalloc gives back memory left free for 10 ms (100 ms in an arena), and
/// the next allocation there faults it in again, zeroed: over a million
/// pages that cost 5.0 to 20.7 s of kernel time from run to run (20.4-32.4
/// s in all), against 4.8-5.5 s (19.9-20.7 s) without giving back. Peak
/// memory grows by 5-10% at 100,000 pages and more, not measurably on
/// smaller trees (BENCHMARKS.md, session 21).
fn keep_freed_memory() {
    let set = |name| std::env::var_os(name).is_some();
    if !set("MIMALLOC_PURGE_DELAY") && !set("MIMALLOC_RESET_DELAY") {
        // SAFETY: called first in `main`, before any other thread exists,
        // so no thread reads mimalloc's option table while this writes it
        // (a plain store); `mi_option_set` takes no pointers, and ignores
        // an option number out of range.
        unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, -1) };
    }
}

fn main() -> ExitCode {
    keep_freed_memory();
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            sayln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> std::io::Result<ExitCode> {
    // Buffered: thousands of findings are thousands of lines, not thousands of writes.
    let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let code = match cli.command {
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
                sayln!("error: unknown rule `{rule}`; `reftree rules` lists them");
                Ok(ExitCode::from(2))
            }
        },
        Command::Check(args) => run::check(&args, &mut stdout),
        Command::Init { root, print, force } => {
            let root = root.unwrap_or_else(|| {
                reftree::default_root(&std::env::current_dir().unwrap_or_default())
            });
            let text = match reftree::init(&root) {
                Ok(t) => t,
                Err(e) => {
                    sayln!("error: {e}");
                    return Ok(ExitCode::from(2));
                }
            };
            if print {
                stdout.write_all(text.as_bytes())?;
                stdout.flush()?;
                return Ok(ExitCode::SUCCESS);
            }
            let path = root.join("reftree.toml");
            // A symlink counts as there, dangling or not: never written through.
            if std::fs::symlink_metadata(&path).is_ok() && !force {
                sayln!(
                    "error: `{}` exists; use --force to overwrite it, or --print",
                    path.display()
                );
                return Ok(ExitCode::from(2));
            }
            if let Err(e) = reftree::fix::write_new(&path, text.as_bytes()) {
                sayln!("error: cannot write `{}`: {e}", path.display());
                return Ok(ExitCode::from(2));
            }
            sayln!(
                "wrote `{}`: review it, then run `reftree check`",
                path.display()
            );
            Ok(ExitCode::SUCCESS)
        }
    };
    stdout.flush()?;
    code
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_purge_delay_option_is_the_one_kept() {
        let set = |name| std::env::var_os(name).is_some();
        if set("MIMALLOC_PURGE_DELAY") || set("MIMALLOC_RESET_DELAY") {
            eprintln!("skipped: MIMALLOC_PURGE_DELAY is set, so the default cannot be read");
            return;
        }
        // SAFETY: a read of mimalloc's option table, which no thread of
        // this test binary writes (`keep_freed_memory` runs only in `main`).
        let default = unsafe { libmimalloc_sys::mi_option_get(super::PURGE_DELAY) };
        assert_eq!(
            default,
            10,
            "option {} is not purge_delay (10 ms)",
            super::PURGE_DELAY
        );
    }
}
