#!/usr/bin/env python3
"""benches/ordered-log.py: a time-ordered benchmark log of many days.

usage: benches/ordered-log.py REPETITIONS OUT

Writes the elastic/examples Apache log of ../shared/corpus (10,000 lines over four days of May 2015)
REPETITIONS times, each repetition moved four days later than the one before, so the log runs in time
order over 4 x REPETITIONS days and every day has its own visitors. make-bench-log repeats the same four
days instead, so its visitor keys (one per visitor and day) stop growing after the first repetition.
42 repetitions give about 100 MB (168 days), 422 about 1 GB (1,688 days).
"""
import datetime
import os
import re
import sys

CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                      "../../shared/corpus/combined-elastic-apache_logs.log")
DATE = re.compile(rb"\[(\d\d/\w\w\w/\d\d\d\d):")


def main():
    reps, out_path = int(sys.argv[1]), sys.argv[2]
    lines = open(CORPUS, "rb").read().splitlines()
    shifted = {}
    with open(out_path, "wb") as out:
        for k in range(reps):
            for line in lines:
                m = DATE.search(line)
                if m is None:
                    out.write(line + b"\n")
                    continue
                key = (m.group(1), k)
                date = shifted.get(key)
                if date is None:
                    day = datetime.datetime.strptime(m.group(1).decode(), "%d/%b/%Y")
                    day += datetime.timedelta(days=4 * k)
                    date = day.strftime("%d/%b/%Y").encode()
                    shifted[key] = date
                out.write(line[:m.start(1)] + date + line[m.end(1):] + b"\n")


if __name__ == "__main__":
    main()
