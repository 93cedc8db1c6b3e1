//! Writes a realistic benchmark log (see `benches/common/realistic.rs` for its shape and parameters).
//!
//! `cargo run --release --example genlog -- --profile day --size 1G --seed 1 -o day-1g.log`

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use clap::Parser;

#[path = "common/realistic.rs"]
mod realistic;

/// Writes a seeded, deterministic, realistic combined access log.
#[derive(Parser)]
struct Args {
    /// `day` (one busy day) or `month` (30 days, returning visitors).
    #[arg(long, default_value = "day")]
    profile: String,
    /// About how many bytes to write: 1G, 20M, 500k, 1GiB (decimal units unless `i`).
    #[arg(long, default_value = "20M")]
    size: String,
    /// The seed: the same profile, size and seed give the same bytes.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Where to write (`-`: standard output).
    #[arg(short, long, default_value = "-")]
    output: String,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let Some(profile) = realistic::Profile::from_name(&args.profile) else {
        eprintln!("genlog: unknown profile '{}' (day or month)", args.profile);
        return ExitCode::from(2);
    };
    let Some(size) = realistic::parse_size(&args.size) else {
        eprintln!("genlog: cannot read size '{}' (e.g. 1G, 20M)", args.size);
        return ExitCode::from(2);
    };
    let result = if args.output == "-" {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        realistic::generate(profile, size, args.seed, &mut out)
            .and_then(|n| out.flush().map(|()| n))
    } else {
        std::fs::File::create(&args.output).and_then(|file| {
            let mut out = BufWriter::with_capacity(1 << 20, file);
            let n = realistic::generate(profile, size, args.seed, &mut out)?;
            out.flush()?;
            Ok(n)
        })
    };
    match result {
        Ok(_) => ExitCode::SUCCESS,
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("genlog: {}: {err}", args.output);
            ExitCode::FAILURE
        }
    }
}
