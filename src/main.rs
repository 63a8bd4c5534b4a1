//! The binary: parse flags, run the library, print, pick the exit code.

mod cli;

use clap::Parser;
use cli::{Cli, Command};
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
        Command::Check(args) => {
            let opts = match args.options() {
                Ok(o) => o,
                Err(e) => {
                    eprintln!("{}", e.trim_end());
                    return Ok(ExitCode::from(2));
                }
            };
            let outcome = match reftree::check(&opts) {
                Ok(o) => o,
                Err(e) => {
                    eprintln!("error: {e}");
                    return Ok(ExitCode::from(2));
                }
            };
            match &args.output {
                Some(path) => {
                    let mut buf = Vec::new();
                    reftree::report::write(
                        &mut buf,
                        &outcome,
                        &opts.root,
                        args.format.into(),
                        false,
                    )?;
                    if let Err(e) = std::fs::write(path, buf) {
                        eprintln!("error: cannot write `{}`: {e}", path.display());
                        return Ok(ExitCode::from(2));
                    }
                }
                None => {
                    let color = std::io::stdout().is_terminal()
                        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
                    reftree::report::write(
                        &mut stdout,
                        &outcome,
                        &opts.root,
                        args.format.into(),
                        color,
                    )?;
                    stdout.flush()?;
                }
            }
            if !args.quiet {
                eprint!("{}", reftree::report::summary::render(&outcome));
            }
            Ok(if outcome.unreadable {
                ExitCode::from(2)
            } else if outcome.count(reftree::diag::Severity::Error) > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
    }
}
