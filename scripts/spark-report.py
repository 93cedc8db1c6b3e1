#!/usr/bin/env python3
"""Report on access logs with Apache Spark, cut by visitor, without moving raw log lines (docs/SCALE.md).

Stage 1: every task pipes its own slice of the logs through `logveil report --emit-events`, which parses
it (any format), analyses it and writes only pseudonymous events, each line tagged with the shard of its
visitor. Stage 2: Spark moves the events (and nothing else) to their shard, and every shard's task pipes
them through `logveil report --from-events --partial -`. The driver merges the shards' partials with
`logveil merge`, which adds them exactly: the tables equal one `logveil report` of the same logs.

Usage: spark-report.py LOGS OUT_DIR [SKETCH_KEY]
       BATCH=FILE spark-report.py [SKETCH_KEY]
  LOGS        a file, directory or glob Spark can read (local, hdfs://, s3a://; plain, .gz or .bz2)
  OUT_DIR     where `logveil merge --csv` writes the report (on the driver)
  SKETCH_KEY  optional key file (`logveil keygen`): the partials' day sketches are made under it, so that
              they join partials of other runs made under the same key
Environment:
  LOGVEIL        the logveil binary on every executor (default "logveil"); with spark-submit, ship it
                 with --files and give its bare name (it is looked up among the job's files first)
  SPARK_MASTER   e.g. "local[2]" (default: spark-submit's master, else local[*])
  SPARK_LOCAL_DIR  spark.local.dir: where shuffle and spill files go
  PARTITIONS     minimum input slices (default 4; a .gz or .bz2 file is one slice whatever this says)
  SHARDS         visitor shards of stage 2 (default PARTITIONS)
  FORMAT         a preset name (see `logveil formats`); default: detected on the driver from the first
                 lines, by piping them to `logveil formats --detect -` (they stay in memory). Every
                 slice is parsed as if detection had picked it (`--as-detected`), as `report` parses a
                 whole file
  LOGVEIL_ARGS   more analysis flags for stage 1, e.g. "--site-host www.example.com --geoip /db.mmdb"
  MIN_VISITORS   `merge --min-visitors` (default logveil's)
  BATCH          a file of jobs, one a line: LOGS<TAB>OUT_DIR<TAB>PARTITIONS<TAB>SHARDS, run one after the
                 other in one Spark session (say, one per day), each under its own job key
  PARTIALS       also append the shards' partials to this file (one line each) on the driver
  TASK_THREADS   `--threads` of each logveil process (default 1: one per Spark task core)
  SPARK_LOCAL_SNAPSHOT  a directory: before Spark stops, its local dirs (shuffle and spill files) are
                 hard-linked there, for an audit (tests/spark.rs scans them)
The job key is made on the driver in a private temporary directory, shipped with the job (SparkContext
addFile) and deleted when the job ends, as are the executors' copies when the context stops.
W3C and CloudFront logs carry their fields in `#Fields:` lines that a slice cut from the middle would not
see: such logs are read whole, one task per file.
"""

import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading

from pyspark import SparkFiles
from pyspark.sql import SparkSession

# Formats whose lines depend on `#Fields:` directives above them.
HEADER_FORMATS = ("w3c", "cloudfront")


def shipped(path_or_name):
    """A file shipped with the job (its local copy on this executor), else the path as given."""
    try:
        local = SparkFiles.get(os.path.basename(path_or_name))
    except Exception:
        return path_or_name
    return local if os.path.exists(local) else path_or_name


def pipe(command, lines):
    """Runs `command` with `lines` on its stdin; yields its stdout lines; fails the task on a non-zero exit."""
    proc = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    failure = []

    def feed():
        try:
            for line in lines:
                data = line.encode("utf-8", "surrogateescape")
                proc.stdin.write(data if data.endswith(b"\n") else data + b"\n")
        except BrokenPipeError:
            pass
        except BaseException as e:  # reported by the task below
            failure.append(e)
        finally:
            try:
                proc.stdin.close()
            except BrokenPipeError:
                pass

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    for out in proc.stdout:
        yield out.decode("utf-8").rstrip("\n")
    writer.join()
    err = proc.stderr.read().decode("utf-8", "replace")
    if proc.wait() != 0:
        # logveil's messages never quote a log line.
        raise RuntimeError(f"{command[0]} {command[1]} exited with {proc.returncode}: {err.strip()}")
    if failure:
        raise failure[0]


def detect_format(logveil, sample):
    """The preset `logveil formats --detect -` names for the sample lines."""
    out = subprocess.run(
        [logveil, "formats", "--detect", "-"],
        input="".join(line + "\n" for line in sample),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # "-: combined (10 of 10 lines parse, 100.0%)"
    return out.split(": ", 1)[1].split(" ", 1)[0].strip()


def run_job(sc, logs, out_dir, partitions, shards, sketch_key):
    """One report: the logs through both stages, the shards' partials merged into OUT_DIR."""
    logveil = os.environ.get("LOGVEIL", "logveil")
    threads = os.environ.get("TASK_THREADS", "1")
    extra = shlex.split(os.environ.get("LOGVEIL_ARGS", ""))
    keys = tempfile.mkdtemp(prefix="logveil-job-")
    job_key = os.path.join(keys, "logveil-job.key")
    try:
        subprocess.run([logveil, "keygen", job_key], check=True, capture_output=True)
        # Shipped to the executors with the job; each job its own key (a new name, so no copy is reused).
        shipped_key = os.path.join(keys, f"logveil-job-{os.path.basename(keys)}.key")
        os.rename(job_key, shipped_key)
        sc.addFile(shipped_key)
        lines = sc.textFile(logs, minPartitions=partitions)
        fmt = os.environ.get("FORMAT") or detect_format(logveil, lines.take(2000))
        if fmt in HEADER_FORMATS:
            # Whole files: each keeps its `#Fields:` lines with the lines they describe.
            lines = sc.wholeTextFiles(logs, minPartitions=partitions).values()

        def stage1(part):
            command = [shipped(logveil), "report", "-", "--as-detected", fmt, "--emit-events", "-"]
            command += ["--job-key", shipped(shipped_key), "--shards", str(shards)]
            command += ["--threads", threads, "--quiet"] + extra
            if sketch_key:
                command += ["--sketch-key", shipped(sketch_key)]
            return pipe(command, part)

        # Flags stage 2 needs as well: the site's hosts tell the render whether to infer them
        # (analyze/internal.rs), and the clickstream's settings apply where visits are walked.
        walk_flags = ("--site-host", "--path-depth", "--goal-path")
        site_hosts = []
        for i, arg in enumerate(extra):
            if arg in walk_flags and i + 1 < len(extra):
                site_hosts += [arg, extra[i + 1]]
            elif arg.startswith(tuple(f + "=" for f in walk_flags)):
                site_hosts.append(arg)

        def stage2(part):
            command = [shipped(logveil), "report", "--from-events", "-", "--partial", "-"]
            return pipe(command + ["--threads", threads, "--quiet"] + site_hosts, part)

        by_shard = (
            lines.mapPartitions(stage1)
            .map(lambda line: (int(line[: line.index("\t")]), line))
            .partitionBy(shards, lambda shard: shard)
            .values()
        )
        partials = by_shard.mapPartitions(stage2).collect()
    finally:
        shutil.rmtree(keys, ignore_errors=True)

    parsed = sum(day.get("parsed", 0) for p in partials for day in json.loads(p)["days"].values())
    unparsed = sum(json.loads(p)["undated"]["unparsed"] for p in partials)
    if parsed == 0 and unparsed > 0:
        sys.exit(f"spark-report.py: no line of {logs} parses as {fmt} ({unparsed} lines); set FORMAT")
    if os.environ.get("PARTIALS"):
        with open(os.environ["PARTIALS"], "a") as f:
            f.writelines(p + "\n" for p in partials)
    merge = [logveil, "merge", "-", "--csv", out_dir]
    if os.environ.get("MIN_VISITORS"):
        merge += ["--min-visitors", os.environ["MIN_VISITORS"]]
    subprocess.run(merge, input="".join(p + "\n" for p in partials), text=True, check=True)


def main():
    batch = os.environ.get("BATCH")
    if len(sys.argv) not in (3, 4) and not (batch and len(sys.argv) in (1, 2)):
        sys.exit(__doc__)
    key_arg = sys.argv[3] if len(sys.argv) == 4 else (sys.argv[1] if batch and len(sys.argv) == 2 else None)
    sketch_key = os.path.abspath(key_arg) if key_arg else None
    partitions = int(os.environ.get("PARTITIONS", "4"))
    shards = int(os.environ.get("SHARDS", str(partitions)))
    if batch:
        with open(batch) as f:
            jobs = [line.rstrip("\n").split("\t") for line in f if line.strip()]
        jobs = [(j[0], j[1], int(j[2]), int(j[3])) for j in jobs]
    else:
        jobs = [(sys.argv[1], sys.argv[2], partitions, shards)]

    builder = SparkSession.builder.appName("logveil").config("spark.ui.enabled", "false")
    if os.environ.get("SPARK_MASTER"):
        builder = builder.master(os.environ["SPARK_MASTER"])
    if os.environ.get("SPARK_LOCAL_DIR"):
        builder = builder.config("spark.local.dir", os.environ["SPARK_LOCAL_DIR"])
    spark = builder.getOrCreate()
    sc = spark.sparkContext
    try:
        if sketch_key:
            sc.addFile(sketch_key)
        for logs, out_dir, parts, n in jobs:
            run_job(sc, logs, out_dir, parts, n, sketch_key)
        snapshot = os.environ.get("SPARK_LOCAL_SNAPSHOT")
        if snapshot:
            local_dirs = sc.getConf().get("spark.local.dir", tempfile.gettempdir())
            for i, local in enumerate(local_dirs.split(",")):
                shutil.copytree(local, os.path.join(snapshot, str(i)), copy_function=os.link)
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
