"""calibrate() and backtest(): the command line's calibration and backtest, from Python."""

import pandas as pd
import pytest

import talentcast
from conftest import ROOT

HISTORY = ROOT / "data" / "history" / "us-15-0000.csv"
BASE = ROOT / "scenarios" / "us-computer-math.toml"


def test_calibrate_sets_what_the_command_writes(cli, tmp_path):
    cli("calibrate", HISTORY, "--role", "computer_math", "--base", BASE, "--through", 2015,
        "--balance", "switcher_inflow", "--quiet", "--out", tmp_path / "variant.toml")
    from_file = talentcast.load_scenario(tmp_path / "variant.toml")
    sc = talentcast.calibrate(HISTORY, BASE, "computer_math", 2015, balance="switcher_inflow")
    for key in ["start", "roles.computer_math.employed", "roles.computer_math.demand_growth",
                "roles.computer_math.wage_vol", "roles.computer_math.band_sigma",
                "roles.computer_math.switcher_inflow"]:
        assert sc[key] == from_file[key], key
    growth, se = sc.estimates["demand_growth"]
    assert sc["roles.computer_math.demand_growth"]["mean"] == pytest.approx(growth, rel=1e-11)
    assert sc["roles.computer_math.demand_growth"]["sd"] == pytest.approx(se, rel=1e-11)
    # The calibrated scenario runs like any other, and its runs record what was set.
    forecast = talentcast.run(sc, paths=200, seed=1)
    assert forecast.to_pandas()["period"].iloc[0] == "2015-06"
    assert "roles.computer_math.demand_growth" in sc.changes


def test_calibrate_tells_bad_input():
    with pytest.raises(talentcast.ScenarioError) as error:
        talentcast.calibrate(HISTORY, BASE, "computer_math", 2015, breaks=["2021:wages:skip"])
    assert "--break: expected YEAR:SERIES:ACTION" in str(error.value)
    with pytest.raises(talentcast.ScenarioError) as error:
        talentcast.calibrate(HISTORY, BASE, "nope", 2015)
    assert "--role nope" in str(error.value)


def test_a_backtest_equals_the_command_lines(cli, tmp_path):
    spec = ROOT / "scenarios" / "backtest-us-15-0000.toml"
    cli("backtest", spec, "--paths", 300, "--quiet", "--out", tmp_path / "bt")
    result = talentcast.backtest(spec, paths=300)
    for name, got in [("forecasts.csv", result.forecasts), ("scores.csv", result.scores)]:
        expected = pd.read_csv(tmp_path / "bt" / name, float_precision="round_trip",
                               keep_default_na=False, dtype={"origin": str, "horizon": str})
        pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert result.origins_left == []
    pooled = result.scores.query("method == 'model' and origin == 'all' and horizon == 'all'")
    assert list(pooled["series"]) == ["employment", "median"]
