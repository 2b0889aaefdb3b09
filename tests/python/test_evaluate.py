"""evaluate(): the model as a function of key paths, for outside samplers."""

import numpy as np
import pandas as pd
import pytest

import talentcast

OUTPUTS = ["ratio:llm_algorithm:2025-Q4:p50", "salary_median:llm_algorithm:2025-Q4:mean",
           "openings:nlp:2024-Q2:sd"]


def one_run(scenario, values, paths, seed):
    sc = talentcast.load_scenario(scenario)
    for key, value in values.items():
        sc[key] = value
    frame = talentcast.run(sc, paths=paths, seed=seed, threads=1).to_pandas()
    got = []
    for output in OUTPUTS:
        metric, series, period, statistic = output.split(":")
        row = frame[(frame.role == series) & (frame.period == period) & (frame.metric == metric)]
        got.append(row[statistic].item())
    return got


def test_each_point_is_the_run_of_its_scenario(small_scenario):
    points = pd.DataFrame({"roles.llm_algorithm.demand_growth": [0.05, 0.2, 0.4],
                           "defaults.attrition": [0.08, 0.1, 0.14]}, index=["a", "b", "c"])
    result = talentcast.evaluate(small_scenario, points, OUTPUTS, paths=600, seed=21)
    assert list(result.columns) == OUTPUTS and list(result.index) == ["a", "b", "c"]
    for label, values in points.iterrows():
        assert list(result.loc[label]) == one_run(small_scenario, values.to_dict(), 600, 21)


def test_threads_do_not_change_the_outputs(small_scenario):
    rng = np.random.default_rng(5)
    points = pd.DataFrame({"roles.llm_algorithm.demand_growth": rng.uniform(0, 0.4, 6)})
    one = talentcast.evaluate(small_scenario, points, OUTPUTS, paths=300, seed=2, threads=1)
    two = talentcast.evaluate(small_scenario, points, OUTPUTS, paths=300, seed=2, threads=2)
    pd.testing.assert_frame_equal(one, two, check_exact=True)


def test_common_random_numbers_make_a_monotone_effect_visible(small_scenario):
    # More demand growth, fewer candidates per opening: on common random numbers, even at a few
    # hundred paths the median ratio falls at every step.
    growth = np.linspace(0.0, 0.6, 7)
    points = pd.DataFrame({"roles.llm_algorithm.demand_growth": growth})
    ratio = talentcast.evaluate(small_scenario, points, "ratio:llm_algorithm:2025-Q4:p50",
                                paths=400, seed=8).iloc[:, 0]
    assert (np.diff(ratio.to_numpy()) < 0).all()


def test_bad_outputs_keys_and_values_are_reported_together(small_scenario):
    points = pd.DataFrame({"roles.llm_algorithm.demand_growth": [0.1]})
    with pytest.raises(talentcast.ScenarioError) as error:
        talentcast.evaluate(small_scenario, points,
                            ["ratio:llm_algoritm:2025-Q4:p50", "ratio:nlp:2025-Q4", "wage:nlp:2025-Q4:p50",
                             "ratio:nlp:2031-Q1:p50", "ratio:nlp:2025-Q4:p51"], paths=10)
    assert str(error.value).splitlines() == [
        "talentcast: output 'ratio:llm_algoritm:2025-Q4:p50': no series 'llm_algoritm' (did you "
        "mean 'llm_algorithm'?)",
        "talentcast: output 'ratio:nlp:2025-Q4': expected metric:series:period:statistic, such as "
        "ratio:llm_algorithm:2030-Q4:p50",
        "talentcast: output 'wage:nlp:2025-Q4:p50': no metric 'wage'",
        "talentcast: output 'ratio:nlp:2031-Q1:p50': no period '2031-Q1' (the periods run from "
        "2024-Q1 to 2025-Q4)",
        "talentcast: output 'ratio:nlp:2025-Q4:p51': no statistic 'p51' (did you mean 'p50'?)",
    ]
    with pytest.raises(talentcast.ScenarioError, match="no 'demand_grow' in roles.nlp"):
        talentcast.evaluate(small_scenario, {"roles.nlp.demand_grow": [0.1]}, OUTPUTS, paths=10)
    bad = pd.DataFrame({"defaults.attrition": [0.1, 5.0, 0.1, -1.0]})
    with pytest.raises(talentcast.ScenarioError) as error:
        talentcast.evaluate(small_scenario, bad, OUTPUTS, paths=10, threads=1)
    lines = str(error.value).splitlines()
    assert lines[0].startswith("talentcast: point 1: (set by key path): defaults.attrition: expected")
    assert lines[-1] == "The values of these points make invalid scenarios; nothing was evaluated."
