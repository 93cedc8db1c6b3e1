//! Scale-out (docs/SCALE.md): `scripts/spark-report.py` runs logveil on every Spark partition (PySpark,
//! local mode) and merges the partials; the result equals a merge of one partial of the same log.
//! `scripts/test` installs pyspark and a Java runtime when they are missing.

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

#[test]
fn spark_pipe_and_merge_equal_one_report() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let log = common::corpus("combined-elastic-apache_logs.log");
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("sketch.key");
    assert!(
        common::run(&["keygen", key.to_str().unwrap()])
            .status
            .success()
    );
    let spark_out = dir.path().join("spark");
    let run = Command::new("python3")
        .arg(root.join("scripts/spark-report.py"))
        .arg(&log)
        .arg(&spark_out)
        .arg(&key)
        .env("LOGVEIL", env!("CARGO_BIN_EXE_logveil"))
        .env("SPARK_MASTER", "local[2]")
        .env("PARTITIONS", "3")
        // Partitions are separate runs: merge folds more than one report would (docs/REPORTS.md), so
        // the tables are compared unfolded.
        .env("MIN_VISITORS", "1")
        .stdin(Stdio::null())
        .output()
        .expect("python3 must be installed (scripts/test installs pyspark)");
    assert!(
        run.status.success(),
        "spark-report.py failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    // The reference is one partial of the whole log, merged: a merge estimates distinct visitors over
    // days from the day sketches (where one `report` run counts them exactly), and the sketches of the
    // partitions, made under one key, join into the whole log's.
    let direct = dir.path().join("direct");
    let whole = dir.path().join("whole.partial");
    let out = common::run(&[
        "report",
        log.to_str().unwrap(),
        "--partial",
        whole.to_str().unwrap(),
        "--sketch-key",
        key.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let out = common::run(&[
        "merge",
        whole.to_str().unwrap(),
        "--csv",
        direct.to_str().unwrap(),
        "--min-visitors",
        "1",
    ]);
    assert!(out.status.success());
    let mut names: Vec<_> = fs::read_dir(&direct)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    assert_eq!(names.len(), 23);
    for name in names {
        let a = fs::read_to_string(direct.join(&name)).unwrap();
        let b = fs::read_to_string(spark_out.join(&name)).unwrap();
        assert_eq!(a, b, "{name:?}");
    }
}
