#!/usr/bin/env python3
"""The floor of storing one sweep point's statistics in SQLite, with no simulation at all.

A prototype for docs/performance.md ("The floors of the targets not met"): it writes the
flagship's 9,380 rows a point (14 columns, as in the stat table of formats/src/sweep_store.cpp)
into a database set up as a sweep's (write-ahead log, synchronous NORMAL, 64 MB of cache), a
transaction every 8 points, and prints the CPU and wall time a point. Python's own overhead is
included, so the floor of the storage itself is a little lower.

    python3 scripts/sqlite_floor.py [POINTS] [DATABASE]

POINTS defaults to 200, DATABASE to a temporary file, removed at the end.
"""
import os
import random
import sqlite3
import sys
import tempfile
import time

ROWS_A_POINT = 9380  # the flagship's outputs
SCHEMA = """
PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536;
CREATE TABLE stat (
  point INTEGER NOT NULL, series INTEGER NOT NULL, period INTEGER NOT NULL,
  metric INTEGER NOT NULL,
  mean REAL, sd REAL, p05 REAL, p10 REAL, p25 REAL, p50 REAL, p75 REAL, p90 REAL, p95 REAL,
  mcse REAL,
  PRIMARY KEY (point, series, period, metric)
) WITHOUT ROWID;
"""


def main():
    points = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    with tempfile.TemporaryDirectory() as scratch:
        path = sys.argv[2] if len(sys.argv) > 2 else os.path.join(scratch, "floor.sqlite")
        db = sqlite3.connect(path, isolation_level=None)
        db.executescript(SCHEMA)
        rng = random.Random(1)
        keys = [(s, p, m) for s in range(14) for p in range(28) for m in range(24)]
        rows = [[0, s, p, m] + [rng.lognormvariate(0.0, 1.0) for _ in range(10)]
                for (s, p, m) in keys[:ROWS_A_POINT]]
        insert = "INSERT INTO stat VALUES (" + ", ".join("?" * 14) + ")"
        cpu, wall = time.process_time(), time.perf_counter()
        for point in range(points):
            if point % 8 == 0:
                db.execute("BEGIN")
            for row in rows:
                row[0] = point
            db.executemany(insert, rows)
            if point % 8 == 7 or point == points - 1:
                db.execute("COMMIT")
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        size = os.path.getsize(path)
        db.close()
    print(f"{points} points of {ROWS_A_POINT} rows: {1000 * cpu / points:.1f} ms of CPU a point, "
          f"{1000 * wall / points:.1f} ms wall, {size / points / 1e6:.2f} MB a point")


if __name__ == "__main__":
    main()
