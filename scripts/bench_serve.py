#!/usr/bin/python3
"""Times the what-if page's server (docs/performance.md, "The what-if page").

    python3 scripts/bench_serve.py TALENTCAST [REPEATS]

Starts `talentcast serve --port 0` on the flagship (5,000 paths per what-if), then measures over
HTTP, as the page asks:
  - the first what-if of the base, which runs the base once and keeps it;
  - REPEATS what-ifs (default 7) at 1,000 and at 5,000 paths, each moving the AI-bachelor-
    graduates lever to a new amount, so that none is a repeat: the wall time of the request and
    the server's own time (its answer's `seconds`);
  - for reference, `talentcast compare` of the flagship and its graduate-expansion what-if at
    5,000 paths (the whole process: loading both, two models, every output), REPEATS times.
Prints medians and ranges. Standard library only.
"""
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def post(url, body):
    request = urllib.request.Request(url, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as response:
        answer = json.load(response)
    return time.perf_counter() - started, answer


def summary(values):
    return f"median {statistics.median(values):.3f} s (range {min(values):.3f} to {max(values):.3f})"


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    talentcast = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) == 3 else 7
    flagship = os.path.join(ROOT, "scenarios", "china-ai-2024.toml")
    server = subprocess.Popen([talentcast, "serve", flagship, "--port", "0", "--quiet"],
                              stdout=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        url = "http://" + line.split("http://", 1)[1].split(" ", 1)[0] + "api/compare"
        first, _ = post(url, {"scenario": "0"})
        print(f"first what-if (runs and keeps the base): {first:.3f} s")
        for paths in (1000, 5000):
            walls, servers = [], []
            for i in range(repeats):
                body = {"scenario": "0", "paths": paths,
                        "levers": [{"key": "fields.ai_bachelor.growth", "by": 0.01 * (i + 1)}]}
                wall, answer = post(url, body)
                walls.append(wall)
                servers.append(answer["seconds"])
            print(f"what-if at {paths} paths: request {summary(walls)}; server {summary(servers)}")
    finally:
        server.terminate()
        server.wait()
    whatif = os.path.join(ROOT, "scenarios", "china-ai-grad-expansion.toml")
    walls = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run([talentcast, "compare", flagship, whatif, "--paths", "5000", "-q"],
                       check=True, stdout=subprocess.DEVNULL)
        walls.append(time.perf_counter() - started)
    print(f"talentcast compare at 5000 paths (the whole process): {summary(walls)}")


if __name__ == "__main__":
    main()
