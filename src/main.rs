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

fn main() -> ExitCode {
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
