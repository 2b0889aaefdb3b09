"""sweep(), read_sweep() and sensitivity(): the command line's sweep, export and sensitivity."""

import signal
import subprocess
import sys
import textwrap
import time

import pandas as pd
import pytest

import talentcast
from conftest import FLAGSHIP

SWEEP = """
scenario = "{scenario}"
design = "saltelli"
points = {points}
paths = 200
seed = 3
[[parameters]]
key = "roles.llm_algorithm.demand_growth"
low = 0.03
high = 0.30
[[parameters]]
key = "defaults.wage_response"
low = 0.01
high = 0.06
"""


def sweep_file(folder, points=8):
    path = folder / "sweep.toml"
    path.write_text(SWEEP.format(scenario=FLAGSHIP, points=points))
    return path


def test_a_sweep_read_back_equals_the_command_lines_export(tmp_path, cli):
    file = sweep_file(tmp_path)
    frame = talentcast.sweep(file, tmp_path / "py.sqlite", metrics="ratio", periods="2030-Q4")
    cli("sweep", file, "--db", tmp_path / "cli.sqlite", "--metrics", "ratio", "--periods",
        "2030-Q4", "--quiet")
    cli("export", "--db", tmp_path / "cli.sqlite", "--out", tmp_path / "cli.csv")
    expected = pd.read_csv(tmp_path / "cli.csv", float_precision="round_trip",
                           keep_default_na=False)
    pd.testing.assert_frame_equal(frame, expected, check_exact=True)
    assert frame["point"].nunique() == 8 * (2 + 2)
    assert "roles.llm_algorithm.demand_growth" in frame.columns
    part = talentcast.read_sweep(tmp_path / "py.sqlite", roles="llm_algorithm", stats=["p50"])
    assert list(part.role.unique()) == ["llm_algorithm"] and "p90" not in part.columns


def test_sensitivity_equals_the_command_lines(tmp_path, cli):
    file = sweep_file(tmp_path)
    talentcast.sweep(file, tmp_path / "s.sqlite", metrics="ratio", periods="2030-Q4")
    output = "ratio:llm_algorithm:2030-Q4:p50"
    printed = cli("sensitivity", "--db", tmp_path / "s.sqlite", "--output", output, "-f", "csv",
                  "--resamples", 200).stdout
    with pytest.warns(UserWarning):  # 8 base rows are too few to rank: said, not hidden
        frame = talentcast.sensitivity(tmp_path / "s.sqlite", output, resamples=200)
    import io
    expected = pd.read_csv(io.StringIO(printed), float_precision="round_trip")
    pd.testing.assert_frame_equal(frame, expected, check_exact=True)
    assert list(frame.parameter) == ["roles.llm_algorithm.demand_growth", "defaults.wage_response"]


def test_sweep_errors_are_the_command_lines(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(SWEEP.format(scenario=FLAGSHIP, points=8).replace("wage_response",
                                                                     "wage_respons"))
    with pytest.raises(talentcast.ScenarioError, match="did you mean 'wage_response'"):
        talentcast.sweep(bad, tmp_path / "x.sqlite")
    assert not (tmp_path / "x.sqlite").exists()
    with pytest.raises(talentcast.ScenarioError, match="--db: expected a sweep.s results database, "
                                                      "found .*none.sqlite., which does not exist"):
        talentcast.read_sweep(tmp_path / "none.sqlite")


CHILD = textwrap.dedent("""
    import sys, talentcast
    print("started", flush=True)
    try:
        talentcast.sweep(sys.argv[1], sys.argv[2])
    except KeyboardInterrupt:
        print("KeyboardInterrupt", flush=True)
""")


def test_ctrl_c_stops_a_sweep_keeping_its_committed_points(tmp_path):
    file = sweep_file(tmp_path, points=400)  # 1,600 points: minutes
    db = tmp_path / "big.sqlite"
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(file), str(db)],
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline() == "started\n"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # until points are being committed
        if db.exists():
            time.sleep(2.0)
            break
        time.sleep(0.1)
    child.send_signal(signal.SIGINT)
    out, _ = child.communicate(timeout=60)
    assert out == "KeyboardInterrupt\n"
    import sqlite3
    with sqlite3.connect(db) as connection:
        committed = connection.execute("select count(*) from point").fetchone()[0]
    assert 0 < committed < 1600


def test_a_sweep_leaves_the_processs_signals_to_python(tmp_path):
    # The command's own Ctrl-C handler is not installed from Python: SIGTERM does what it does
    # in any Python program (ends it), and does not become a KeyboardInterrupt.
    file = sweep_file(tmp_path, points=400)
    db = tmp_path / "big.sqlite"
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(file), str(db)],
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline() == "started\n"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not db.exists():
        time.sleep(0.1)
    time.sleep(1.0)
    child.send_signal(signal.SIGTERM)
    out, _ = child.communicate(timeout=60)
    assert child.returncode == -signal.SIGTERM and out == ""
