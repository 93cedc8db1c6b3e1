//! Scale-out (docs/SCALE.md): `scripts/spark-report.py` cuts a job by visitor. Stage 1 pipes each input
//! slice through `report --emit-events`, Spark moves only the events to their shard, stage 2 makes one
//! partial per shard (`report --from-events`), and `merge` adds the shards. Every table must equal one
//! `logveil report` of the same log, byte for byte, whatever the slices and shards; and Spark's local
//! dirs (shuffle and spill files) must hold no address, email or token of the input.
//! `scripts/test` installs pyspark and a Java runtime when they are missing.

mod common;

#[path = "common/adversary.rs"]
mod adversary;
#[path = "../benches/common/realistic.rs"]
mod realistic;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The CSV files of a report directory, by name.
fn tables(dir: &Path) -> Vec<(String, String)> {
    files_under(dir)
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, fs::read_to_string(&p).unwrap())
        })
        .collect()
}

#[test]
fn spark_by_visitor_equals_one_report_and_shuffles_no_identifier() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let key = d.join("sketch.key");
    assert!(
        common::run(&["keygen", key.to_str().unwrap()])
            .status
            .success()
    );

    // Corpus logs of four families, adversarial logs of the same families (planted identifiers), and a
    // realistic month of ~200 MB.
    let mut inputs: Vec<(String, PathBuf)> = [
        "combined-elastic-apache_logs.log",
        "w3c-iis85-lnav-w3c_big.log",
        "caddy-json-lnav-mirror.log",
        "nginx-json-matomo.log",
        "alb-nlb-mixed-elastic-integrations.log",
    ]
    .into_iter()
    .map(|n| (n.to_string(), common::corpus(n)))
    .collect();
    let mut needles: Vec<String> = Vec::new();
    for format in [
        adversary::Format::Combined,
        adversary::Format::W3c,
        adversary::Format::NginxJson,
        adversary::Format::Alb,
    ] {
        let log = adversary::generate(format, 7);
        let path = d.join(format!("adversary-{}.log", format.name()));
        fs::write(&path, &log.text).unwrap();
        inputs.push((format!("adversary-{}", format.name()), path));
        needles.extend(log.planted.iter().flat_map(|p| p.plant.needles.clone()));
    }
    let month = d.join("month-200m.log");
    {
        let mut f = std::io::BufWriter::new(fs::File::create(&month).unwrap());
        realistic::generate(realistic::Profile::Month, 200_000_000, 1, &mut f).unwrap();
    }

    // One Spark session runs every job: the small logs with 1, 3 and 8 slices and shards, the month
    // with 3 slices into 8 shards and 8 slices into 3.
    let mut jobs: Vec<(String, PathBuf, usize, usize)> = Vec::new();
    for (name, path) in &inputs {
        for n in [1, 3, 8] {
            jobs.push((format!("{name}-{n}"), path.clone(), n, n));
        }
    }
    jobs.push(("month-3-8".into(), month.clone(), 3, 8));
    jobs.push(("month-8-3".into(), month.clone(), 8, 3));
    let batch: String = jobs
        .iter()
        .map(|(name, path, parts, shards)| {
            format!(
                "{}\t{}\t{parts}\t{shards}\n",
                path.display(),
                d.join("spark").join(name).display()
            )
        })
        .collect();
    fs::write(d.join("jobs.tsv"), batch).unwrap();
    // Uncompressed shuffle and spill files, so that the scan below reads what Spark wrote.
    let conf = d.join("conf");
    fs::create_dir(&conf).unwrap();
    fs::write(
        conf.join("spark-defaults.conf"),
        "spark.shuffle.compress false\nspark.shuffle.spill.compress false\n",
    )
    .unwrap();
    let local = d.join("spark-local");
    let snapshot = d.join("spark-local-after");
    fs::create_dir(&local).unwrap();
    let run = Command::new("python3")
        .arg(root.join("scripts/spark-report.py"))
        .arg(&key)
        .env("BATCH", d.join("jobs.tsv"))
        .env("LOGVEIL", env!("CARGO_BIN_EXE_logveil"))
        .env("SPARK_MASTER", "local[2]")
        .env("SPARK_CONF_DIR", &conf)
        .env("SPARK_LOCAL_DIR", &local)
        .env("SPARK_LOCAL_SNAPSHOT", &snapshot)
        .stdin(Stdio::null())
        .output()
        .expect("python3 must be installed (scripts/test installs pyspark)");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "spark-report.py failed: {stderr}");

    // Every table equals one report of the same log (the default --min-visitors: rare rows fold the
    // same way, since the shards' distinct visitors add exactly).
    for (name, path, _, _) in &jobs {
        let direct = d.join("direct").join(path.file_name().unwrap());
        if !direct.exists() {
            let out = common::run(&[
                "report",
                path.to_str().unwrap(),
                "-q",
                "--csv",
                direct.to_str().unwrap(),
                "--sketch-key",
                key.to_str().unwrap(),
            ]);
            assert!(out.status.success(), "{name}: {out:?}");
        }
        let want = tables(&direct);
        let got = tables(&d.join("spark").join(name));
        assert!(want.len() >= 23, "{name}: {} tables", want.len());
        assert_eq!(
            want.iter().map(|t| &t.0).collect::<Vec<_>>(),
            got.iter().map(|t| &t.0).collect::<Vec<_>>(),
            "{name}"
        );
        for ((table, a), (_, b)) in want.iter().zip(&got) {
            assert_eq!(a, b, "{name}: {table} differs");
        }
    }

    // Spark's local dirs after the jobs: shuffle and spill files hold events, and no identifier.
    let files = files_under(&snapshot);
    let shuffled: Vec<&PathBuf> = files
        .iter()
        .filter(|p| {
            p.to_string_lossy().contains("shuffle_") && p.extension().is_some_and(|e| e == "data")
        })
        .collect();
    assert!(!shuffled.is_empty(), "no shuffle file in {files:?}");
    let mut events_seen = false;
    for f in &files {
        // The keys shipped with the job are keys, not data of the log.
        if f.extension().is_some_and(|e| e == "key") {
            continue;
        }
        let bytes = fs::read(f).unwrap();
        events_seen |= memchr::memmem::find(&bytes, b"logveil-events").is_some();
        let text = String::from_utf8_lossy(&bytes).to_ascii_lowercase();
        assert_eq!(common::full_ipv4s(&bytes), Vec::<String>::new(), "{f:?}");
        assert_eq!(common::emails(&bytes), Vec::<String>::new(), "{f:?}");
        for n in &needles {
            assert!(
                !text.contains(&n.to_ascii_lowercase()),
                "{f:?} holds planted {n:?}"
            );
        }
    }
    // The scan read the events in clear (so it would have seen raw lines had they been shuffled).
    assert!(events_seen, "no event stream found in the shuffle files");
}
