"""run(): the same numbers as `talentcast run`, to the last bit, and its tables, manifest and
files."""

import json

import numpy as np
import pandas as pd
import pytest

import talentcast
from conftest import FLAGSHIP


def read_forecast_csv(path):
    # round_trip: the file's shortest round-trip numbers read back to the same doubles.
    numbers = {name: "float64" for name in talentcast.STATISTICS}
    return pd.read_csv(path, float_precision="round_trip", keep_default_na=False, dtype=numbers)


def test_a_forecast_equals_the_command_lines_to_the_last_bit(cli, tmp_path):
    cli("run", FLAGSHIP, "--paths", 4000, "--seed", 11, "--quiet", "--out", tmp_path / "cli")
    expected = read_forecast_csv(tmp_path / "cli" / "forecast.csv")
    forecast = talentcast.run(FLAGSHIP, paths=4000, seed=11)
    got = forecast.to_pandas()
    assert list(got.columns) == list(expected.columns)
    pd.testing.assert_frame_equal(got, expected, check_exact=True, check_dtype=True)
    # Bit for bit, not merely equal: -0.0 and NaN patterns too.
    numbers = talentcast.STATISTICS
    assert got[numbers].to_numpy().tobytes() == expected[numbers].to_numpy().tobytes()
    # And the files it writes are the command's, byte for byte (but for the manifest's time).
    forecast.write(tmp_path / "py")
    for name in ["forecast.csv", "forecast.json", "bands.json", "bands.bin"]:
        assert (tmp_path / "py" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name


def test_threads_do_not_change_a_forecast(small_scenario):
    one = talentcast.run(small_scenario, paths=3000, seed=5, threads=1).to_pandas()
    two = talentcast.run(small_scenario, paths=3000, seed=5, threads=2).to_pandas()
    pd.testing.assert_frame_equal(one, two, check_exact=True)


def test_the_xarray_holds_the_tables_values(small_scenario):
    forecast = talentcast.run(small_scenario, paths=2000, seed=3)
    frame = forecast.to_pandas()
    array = forecast.to_xarray()
    assert array.dims == ("role", "period", "metric", "statistic")
    assert list(array.coords["statistic"].values) == talentcast.STATISTICS
    assert list(array.coords["role"].values) == list(dict.fromkeys(frame["role"]))
    assert list(array.coords["period"].values) == list(dict.fromkeys(frame["period"]))
    for row in frame.sample(50, random_state=1).itertuples(index=False):
        cell = array.sel(role=row.role, period=row.period, metric=row.metric)
        assert list(cell.values) == [getattr(row, s) for s in talentcast.STATISTICS]
    # A role/level holds the salary metrics alone: the rest is NaN, not a made-up number.
    level = next(r for r in array.coords["role"].values if "/" in r)
    assert np.isnan(array.sel(role=level, metric="ratio").values).all()
    assert not np.isnan(array.sel(role=level, metric="salary_median").values).any()


def test_the_manifest_records_the_run(small_scenario):
    forecast = talentcast.run(small_scenario, paths=1500, seed=9, threads=1)
    manifest = forecast.manifest
    assert manifest["format"] == "talentcast-manifest-1"
    assert manifest["seed"] == 9 and manifest["paths"] == 1500
    assert manifest["command"].startswith("python: talentcast.run(")
    assert manifest["threads"] == 1
    frame = forecast.to_pandas()
    assert len(frame) > 0 and manifest["forecast_csv_sha256"]
    assert forecast.paths == 1500 and forecast.seed == 9


def test_a_changed_scenarios_run_is_reproduced_by_the_command_line(small_scenario, cli,
                                                                    tmp_path):
    sc = talentcast.load_scenario(small_scenario)
    sc["roles.llm_algorithm.demand_growth"] = 0.35
    forecast = talentcast.run(sc, paths=1000, seed=2)
    assert forecast.manifest["scenario"]["roles"]["llm_algorithm"]["demand_growth"] == 0.35
    forecast.write(tmp_path / "run")
    done = cli("reproduce", tmp_path / "run", "--out", tmp_path / "again")
    assert (tmp_path / "again" / "forecast.csv").read_bytes() == \
        (tmp_path / "run" / "forecast.csv").read_bytes()
    assert "reproduced" in done.stdout


def test_central_is_one_deterministic_path(small_scenario, cli, tmp_path):
    cli("run", small_scenario, "--central", "--quiet", "--out", tmp_path / "cli")
    expected = read_forecast_csv(tmp_path / "cli" / "forecast.csv")
    got = talentcast.run(small_scenario, central=True).to_pandas()
    pd.testing.assert_frame_equal(got, expected, check_exact=True)


def test_write_never_replaces_a_users_files(small_scenario, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    forecast = talentcast.run(small_scenario, paths=500, seed=1)
    with pytest.raises(talentcast.ScenarioError) as error:
        forecast.write(out)
    assert str(error.value) == (
        f"talentcast: {out}: expected a new or empty directory, or an earlier run's, found a "
        "directory holding 'notes.txt' and no manifest.json; nothing was written")
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    # An earlier run's directory is replaced whole.
    forecast.write(tmp_path / "run")
    talentcast.run(small_scenario, paths=600, seed=1).write(tmp_path / "run")
    assert json.loads((tmp_path / "run" / "manifest.json").read_text())["paths"] == 600


def test_arguments_are_checked_as_the_command_line_checks_its_flags(small_scenario):
    for arguments, message in [
        ({"paths": 0}, "paths: expected an integer from 1 to 4294967295, found 0"),
        ({"threads": -5}, "threads: expected an integer from 0 to 1024, found -5"),
        ({"threads": 100000}, "threads: expected an integer from 0 to 1024, found 100000"),
        ({"seed": 1.5}, "seed: expected an integer from 0 to 18446744073709551615, found 1.5"),
        ({"band_samples": True}, "band_samples: expected an integer from 0 to 100000, found True"),
        ({"keep": ["ratio", "hires", "ratio"]},
         "keep: expected each metric once, found 'ratio' more than once"),
    ]:
        with pytest.raises(talentcast.ScenarioError) as error:
            talentcast.run(small_scenario, **arguments)
        assert str(error.value) == "talentcast: " + message
