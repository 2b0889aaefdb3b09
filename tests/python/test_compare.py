"""compare(): the command line's comparison, as a DataFrame."""

import pandas as pd

import talentcast
from conftest import ROOT


def test_a_comparison_equals_the_command_lines(cli, tmp_path):
    base = ROOT / "scenarios" / "china-ai-2024.toml"
    whatif = ROOT / "scenarios" / "china-ai-hiring-freeze.toml"
    cli("compare", base, whatif, "--paths", 2000, "--seed", 3, "--quiet", "--format", "csv",
        "--out", tmp_path / "comparison.csv")
    expected = pd.read_csv(tmp_path / "comparison.csv", float_precision="round_trip",
                           keep_default_na=False)
    comparison = talentcast.compare(base, whatif, paths=2000, seed=3)
    got = comparison.to_pandas()
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert comparison.paths == 2000
    array = comparison.to_xarray()
    assert array.dims == ("role", "period", "metric", "quantity", "statistic")
    assert list(array.coords["quantity"].values) == ["base", "whatif", "difference", "ratio"]


def test_scenarios_that_cannot_be_compared_say_why(small_scenario):
    longer = talentcast.load_scenario(small_scenario)
    longer["horizon_years"] = 3
    try:
        talentcast.compare(small_scenario, longer, paths=100)
    except talentcast.ScenarioError as error:
        assert "period" in str(error)
    else:
        raise AssertionError("compare ran scenarios of different calendars")
