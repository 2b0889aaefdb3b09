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
    assert lines[1].startswith("talentcast: point 3: (set by key path): defaults.attrition: expected")
    assert lines[-1] == "2 of 4 points make invalid scenarios; nothing was evaluated."


def test_every_invalid_point_is_counted_the_first_twenty_named(small_scenario):
    bad = pd.DataFrame({"defaults.attrition": [5.0] * 30 + [0.1]})
    with pytest.raises(talentcast.ScenarioError) as error:
        talentcast.evaluate(small_scenario, bad, OUTPUTS, paths=10, threads=2)
    lines = str(error.value).splitlines()
    assert len(lines) == 21 and lines[19].startswith("talentcast: point 19: ")
    assert lines[-1] == ("30 of 31 points make invalid scenarios (the first 20 are listed); "
                         "nothing was evaluated.")


def test_keys_and_outputs_are_checked_together_before_any_point_runs(small_scenario):
    points = pd.DataFrame([[0.1, 0.2, 5, 0.3]], columns=["defaults.attrition", "paths", "seed",
                                                           "roles.nlp.demand_grow"])
    points.insert(1, "defaults.attrition", 0.1, allow_duplicates=True)
    with pytest.raises(talentcast.ScenarioError) as error:
        talentcast.evaluate(small_scenario, points, ["ratio:nlp:2025-Q4:p5"], paths=10)
    assert str(error.value).splitlines() == [
        "talentcast: output 'ratio:nlp:2025-Q4:p5': no statistic 'p5' (did you mean 'p05'?)",
        "evaluate: defaults.attrition: expected each key once, found it twice",
        "evaluate: paths: expected a key of the model, found the run's paths (give evaluate's "
        "paths= instead)",
        "evaluate: seed: expected a key of the model, found the run's seed (give evaluate's seed= "
        "instead)",
        "(set by key path): roles.nlp.demand_grow: expected the key path of a value in the "
        "scenario, found no 'demand_grow' in roles.nlp (did you mean 'demand_growth'?)",
    ]


def test_without_keys_each_point_is_the_scenario_as_it_stands(small_scenario):
    result = talentcast.evaluate(small_scenario, pd.DataFrame(index=range(3)), OUTPUTS, paths=300,
                                 seed=4)
    expected = one_run(small_scenario, {}, 300, 4)
    assert [list(row) for row in result.to_numpy()] == [expected] * 3


def test_a_point_that_loses_an_output_is_reported(small_scenario):
    with pytest.raises(talentcast.ScenarioError) as error:
        talentcast.evaluate(small_scenario, {"horizon_years": [2, 1]}, OUTPUTS, paths=10)
    assert str(error.value).splitlines()[0] == (
        "talentcast: point 1: output 'ratio:llm_algorithm:2025-Q4:p50' is not in this point's "
        "forecast")


def test_arguments_outside_the_command_lines_bounds_are_refused(small_scenario):
    with pytest.raises(talentcast.ScenarioError) as error:
        talentcast.evaluate(small_scenario, {"defaults.attrition": [0.1]}, OUTPUTS, paths=0,
                            threads=100000)
    assert str(error.value).splitlines() == [
        "talentcast: paths: expected an integer from 1 to 4294967295, found 0",
        "talentcast: threads: expected an integer from 0 to 1024, found 100000",
    ]
