"""run(keep=...): per-path values, whose statistics are the forecast's."""

import numpy as np
import pandas as pd
import pytest

import talentcast


def test_kept_values_are_the_paths_the_forecast_summarises(small_scenario):
    plain = talentcast.run(small_scenario, paths=3000, seed=6).to_pandas()
    forecast = talentcast.run(small_scenario, paths=3000, seed=6, keep=["ratio", "salary_median"])
    frame = forecast.to_pandas()
    # Keeping changes no statistic.
    pd.testing.assert_frame_equal(frame, plain, check_exact=True)
    kept = forecast.kept
    assert set(kept) == {"ratio", "salary_median"}
    sc = talentcast.load_scenario(small_scenario)
    assert forecast.kept_roles == sc.roles and forecast.kept_periods == sc.periods
    assert kept["ratio"].shape == (3000, len(sc.periods), len(sc.roles))
    for metric, values in kept.items():
        for t in (0, len(sc.periods) - 1):
            for r, role in enumerate(sc.roles):
                row = frame[(frame.role == role) & (frame.period == sc.periods[t]) &
                            (frame.metric == metric)].iloc[0]
                paths = values[:, t, r]
                # The mean is summed in another order: equal to rounding.
                assert paths.mean() == pytest.approx(row["mean"], rel=1e-12)
                assert paths.std(ddof=1) == pytest.approx(row["sd"], rel=1e-9)
                # The percentiles come from the engine's sketch: the kept paths below each lie
                # within a tenth of a percent of its level.
                for level in ("p10", "p50", "p90"):
                    share = (paths <= row[level]).mean()
                    assert abs(share - int(level[1:]) / 100) <= 0.003 + 1 / 3000


def test_keep_is_bounded_and_checked(small_scenario):
    with pytest.raises(talentcast.ScenarioError) as error:
        talentcast.run(small_scenario, paths=100_000, keep=["ratio", "hires"], keep_limit=10**6)
    assert str(error.value) == (
        "talentcast: keep: expected at most 1 MB of per-path values (keep_limit), found 115 MB "
        "for 100000 paths x 2 metrics x 8 periods x 9 roles; keep fewer metrics or paths, or "
        "raise the limit")
    with pytest.raises(talentcast.ScenarioError, match="keep: expected metric names .* found "
                                                      "'ratios' \\(did you mean 'ratio'\\?\\)"):
        talentcast.run(small_scenario, paths=10, keep="ratios")
    with pytest.raises(ValueError, match="kept no per-path values"):
        talentcast.run(small_scenario, paths=10).kept


def test_central_keeps_its_one_path(small_scenario):
    forecast = talentcast.run(small_scenario, central=True, keep="hires")
    frame = forecast.to_pandas().query("metric == 'hires' and period == '2025-Q4'")
    assert forecast.kept["hires"].shape[0] == 1
    np.testing.assert_array_equal(forecast.kept["hires"][0, -1, :],
                                  frame.set_index("role").loc[forecast.kept_roles, "mean"])
