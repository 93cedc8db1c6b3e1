#!/usr/bin/env python3
"""Report on access logs with Apache Spark: logveil runs on every partition through RDD.pipe and writes a
partial; the driver merges the partials with `logveil merge`. See docs/SCALE.md.

Usage: spark-report.py LOGS OUT_DIR [SKETCH_KEY]
  LOGS        a file, directory or glob Spark can read (plain or .gz), combined/common log format
  OUT_DIR     where `logveil merge --csv` writes the report
  SKETCH_KEY  optional key file (`logveil keygen`) so that visitors over weeks and months are estimated
Environment: LOGVEIL (the logveil binary, default "logveil"), SPARK_MASTER (default "local[2]"),
PARTITIONS (default 4), MIN_VISITORS (`merge --min-visitors`, default logveil's). Partitions are
separate runs, so `merge` folds rare rows by the largest count of one partition (docs/REPORTS.md).
"""

import os
import shlex
import subprocess
import sys
import zlib

from pyspark.sql import SparkSession


def day_of(line):
    """The date of a CLF line (`[17/May/2015:...`), so that every day goes to one partition."""
    start = line.find("[")
    return line[start + 1 : start + 12] if start >= 0 else ""


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    logs, out_dir = sys.argv[1], sys.argv[2]
    logveil = os.environ.get("LOGVEIL", "logveil")
    partitions = int(os.environ.get("PARTITIONS", "4"))
    command = [logveil, "report", "--partial", "-"]
    if len(sys.argv) == 4:
        command += ["--sketch-key", os.path.abspath(sys.argv[3])]

    spark = (
        SparkSession.builder.master(os.environ.get("SPARK_MASTER", "local[2]"))
        .appName("logveil")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    try:
        lines = spark.sparkContext.textFile(logs)
        # Each day to exactly one partition: a day's visits and unique visitors are then exact, and
        # `merge` can refuse overlapping days. (Without this, pass --overlap add to merge.)
        by_day = lines.keyBy(day_of).partitionBy(partitions, lambda d: zlib.crc32(d.encode())).values()
        # One partial (one line of JSON) per partition; a failing logveil fails the job.
        partials = by_day.pipe(" ".join(shlex.quote(c) for c in command), checkCode=True).collect()
    finally:
        spark.stop()
    merge = [logveil, "merge", "-", "--csv", out_dir]
    if os.environ.get("MIN_VISITORS"):
        merge += ["--min-visitors", os.environ["MIN_VISITORS"]]
    subprocess.run(
        merge,
        input="".join(p + "\n" for p in partials),
        text=True,
        check=True,
    )


if __name__ == "__main__":
    main()
