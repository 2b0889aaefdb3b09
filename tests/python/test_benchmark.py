"""benchmark(): an offer and a payroll against a run's market bands, as `talentcast benchmark`."""

import io
import json

import pandas as pd
import pytest

import talentcast
from conftest import FLAGSHIP, ROOT

PAYROLL = ROOT / "examples" / "payroll" / "lanting-ai.csv"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory, exe):
    import subprocess
    out = tmp_path_factory.mktemp("run") / "flagship"
    subprocess.run([exe, "run", str(FLAGSHIP), "--paths", "2000", "--seed", "4", "--quiet",
                    "--out", str(out)], check=True)
    return out


def test_an_offer_stands_where_the_command_line_says(run_dir, cli):
    printed = cli("benchmark", run_dir, "--role", "llm_algorithm", "--level", "senior", "--salary",
                  "60000", "--period", "2024-Q1", "--period", "2026", "-f", "json").stdout
    expected = json.loads(printed)["periods"]
    # From the run's directory, and from the same run made in Python.
    forecast = talentcast.run(FLAGSHIP, paths=2000, seed=4)
    for source in (run_dir, forecast):
        frame = talentcast.benchmark(source, "llm_algorithm", 60000, level="senior",
                                     periods=["2024-Q1", "2026"])
        assert list(frame.columns[:4]) == ["role", "level", "period", "salary"]
        assert list(frame.columns[4:]) == talentcast.OFFER_COLUMNS
        assert list(frame.period) == ["2024-Q1", "2026-Q4"]
        for row, want in zip(frame.itertuples(), expected):
            assert row.percentile == want["percentile"]["mean"]
            assert row.percentile_p10 == want["percentile"]["p10"]
            assert row.percentile_mcse == want["percentile"]["mcse"]
            assert row.market_p50 == want["market"]["p50"]["salary"]
            assert row.market_p90_p90 == want["market"]["p90"]["p90"]


def test_a_payroll_benchmark_is_the_command_lines_files(run_dir, cli, tmp_path):
    cli("benchmark", run_dir, "--payroll", PAYROLL, "--horizon", "2026", "--out", tmp_path / "b")
    result = talentcast.benchmark(run_dir, payroll=pd.read_csv(PAYROLL), horizon="2026")
    assert (result.now, result.horizon) == ("2024-Q1", "2026-Q4")
    expected = pd.read_csv(tmp_path / "b" / "employees.csv", dtype={"level": str},
                           keep_default_na=False)
    pd.testing.assert_frame_equal(result.employees, expected, check_dtype=False)
    summary = pd.read_csv(tmp_path / "b" / "summary.csv", dtype={"level": str},
                          keep_default_na=False)
    pd.testing.assert_frame_equal(result.summary, summary, check_dtype=False)
    # A file works as well as a DataFrame.
    again = talentcast.benchmark(run_dir, payroll=PAYROLL, horizon="2026")
    pd.testing.assert_frame_equal(again.employees, result.employees)


def test_bad_benchmark_input_is_reported_together(run_dir):
    with pytest.raises(talentcast.ScenarioError) as error:
        talentcast.benchmark(run_dir, "llm_algorithm", "lots", level="chief", periods=["2040"])
    assert str(error.value).splitlines() == [
        "talentcast: level: expected a level of role 'llm_algorithm' (junior, mid, senior, lead), found "
        "'chief'",
        "talentcast: salary: expected a salary from 0.01 to 1e9, as a decimal number (like 60000 "
        "or 6.5e4), found 'lots'",
        "talentcast: periods: expected a period of the run (2024-Q1 to 2030-Q4, or a year or month "
        "within it), found '2040'",
    ]
    payroll = pd.read_csv(PAYROLL)
    payroll.loc[1, "salary"] = -5
    payroll.loc[2, "role"] = "astronaut"
    with pytest.raises(talentcast.ScenarioError) as error:
        talentcast.benchmark(run_dir, payroll=payroll)
    lines = str(error.value).splitlines()
    assert lines[0].startswith("payroll DataFrame:3:") and "salary: expected a salary" in lines[0]
    assert lines[1].startswith("payroll DataFrame:4:") and "found 'astronaut'" in lines[1]
    with pytest.raises(TypeError, match="role, salary: expected nothing with payroll"):
        talentcast.benchmark(run_dir, "nlp", 5000, payroll=payroll)
    with pytest.raises(ValueError, match="kept no band store"):
        talentcast.benchmark(talentcast.run(FLAGSHIP, paths=10, band_samples=0), "nlp", 5000)


def test_one_period_may_be_given_as_a_year(run_dir):
    frame = talentcast.benchmark(run_dir, "nlp", 30000, periods=2026)
    assert list(frame.period) == ["2026-Q4"]
