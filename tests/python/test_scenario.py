"""load_scenario() and Scenario: values read and set by key path, validated with the command
line's messages."""

import math

import pandas as pd
import pytest

import talentcast
from conftest import FLAGSHIP


def test_values_are_read_by_the_key_paths_a_sweep_uses():
    sc = talentcast.load_scenario(FLAGSHIP)
    assert sc["horizon_years"] == 7
    assert sc["roles.llm_algorithm.demand_growth"]["dist"] == "pert"
    keys = sc.keys()
    assert keys[:3] == ["title", "description", "currency"]  # the file's order
    assert "roles.llm_algorithm.demand_growth" in keys
    assert sc.roles[0] == "ai_infrastructure" and sc.periods[-1] == "2030-Q4"


def test_set_values_change_the_forecast_and_copies_are_independent(small_scenario):
    sc = talentcast.load_scenario(small_scenario)
    other = sc.copy()
    sc["roles.llm_algorithm.demand_growth"] = 0.9
    attrition = {"dist": "normal", "mean": 0.12, "sd": 0.01, "min": 0.0, "max": 1.0}
    sc["defaults.attrition"] = attrition
    assert sc["roles.llm_algorithm.demand_growth"] == 0.9
    assert sc["defaults.attrition"] == attrition
    assert sc.changes == {
        "roles.llm_algorithm.demand_growth": "0.9",
        "defaults.attrition": '{ "dist" = "normal", "mean" = 0.12, "sd" = 0.01, "min" = 0.0, '
                              '"max" = 1.0 }'}
    assert other.changes == {}
    assert other["roles.llm_algorithm.demand_growth"]["dist"] == "pert"

    def openings(scenario):
        frame = talentcast.run(scenario, paths=1000, seed=4).to_pandas()
        row = frame.query("role == 'llm_algorithm' and period == '2025-Q4' and metric == 'openings'")
        return row["p50"].item()

    assert openings(sc) > openings(other)


def test_a_role_parameter_not_written_in_a_role_can_be_set(small_scenario):
    sc = talentcast.load_scenario(small_scenario)
    assert "roles.nlp.attrition" not in sc.keys()
    sc["roles.nlp.attrition"] = 0.2
    assert sc["roles.nlp.attrition"] == 0.2
    sc.validate()


def test_a_bad_file_raises_the_command_lines_message(tmp_path, cli):
    bad = tmp_path / "bad.toml"
    bad.write_text(f'extends = "{FLAGSHIP}"\nhorizon_years = -3\npaths = "many"\n')
    expected = cli("validate", bad, check=False)
    assert expected.returncode == 2
    with pytest.raises(talentcast.ScenarioError) as error:
        talentcast.load_scenario(bad)
    assert str(error.value) + "\n" == expected.stderr
    assert f"{bad}:2:" in str(error.value)  # file:line:column
    assert isinstance(error.value, ValueError)


def test_a_bad_value_set_by_key_path_names_the_key():
    sc = talentcast.load_scenario(FLAGSHIP)
    sc["roles.llm_algorithm.attrition"] = 7.5
    with pytest.raises(talentcast.ScenarioError) as error:
        sc.validate()
    message = str(error.value)
    assert "(set by key path): roles.llm_algorithm.attrition: expected" in message
    assert "found 7.5" in message
    assert message.endswith("1 error; nothing was run or written")


def test_an_unknown_key_path_says_what_it_could_be():
    sc = talentcast.load_scenario(FLAGSHIP)
    with pytest.raises(talentcast.ScenarioError) as error:
        sc["roles.llm_algorithm.demand_grwoth"] = 0.3
    assert str(error.value) == (
        "(set by key path): roles.llm_algorithm.demand_grwoth: expected the key path of a value "
        "in the scenario, found no 'demand_grwoth' in roles.llm_algorithm (did you mean "
        "'demand_growth'?)")
    with pytest.raises(talentcast.ScenarioError, match="no 'llm' in roles"):
        sc["roles.llm.demand_growth"]
    with pytest.raises(TypeError, match="roles.nlp.attrition: expected a number"):
        sc["roles.nlp.attrition"] = object()


def test_setting_a_key_again_replaces_its_earlier_changes_and_those_inside_it(small_scenario):
    sc = talentcast.load_scenario(small_scenario)
    key = "roles.llm_algorithm.demand_growth"
    sc[key] = {"dist": "normal", "mean": 0.2, "sd": 0.05, "min": -1, "max": 1}
    sc[key + ".mean"] = 0.3
    sc[key] = {"dist": "normal", "mean": 0.25, "sd": 0.05, "min": -1, "max": 1}
    assert list(sc.changes) == [key]
    copy = sc.copy()
    assert copy[key]["mean"] == 0.25
    forecast = talentcast.run(sc, paths=500, seed=3).to_pandas()
    pd.testing.assert_frame_equal(talentcast.run(copy, paths=500, seed=3).to_pandas(), forecast)


def test_a_table_set_whole_keeps_its_place(small_scenario):
    sc = talentcast.load_scenario(small_scenario)
    roles = sc.roles
    sc["roles.nlp"] = sc["roles.nlp"]
    assert sc.roles == roles
    pd.testing.assert_frame_equal(talentcast.run(sc, paths=300, seed=1).to_pandas(),
                                  talentcast.run(small_scenario, paths=300, seed=1).to_pandas())


def test_a_copy_is_of_the_files_as_they_were_loaded(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(f'extends = "{FLAGSHIP}"\nhorizon_years = 2\n')
    sc = talentcast.load_scenario(path)
    path.write_text(f'extends = "{FLAGSHIP}"\nhorizon_years = 3\n')
    with pytest.raises(talentcast.ScenarioError) as error:
        sc.copy()
    assert str(error.value) == (
        f"talentcast: {path}: expected the scenario's files as they were when it was loaded, "
        "found them changed on disk; load the scenario again")


def test_numbers_that_are_not_finite_read_back_as_numbers(small_scenario):
    sc = talentcast.load_scenario(small_scenario)
    sc["defaults.attrition"] = float("nan")
    assert math.isnan(sc["defaults.attrition"])
    sc["defaults.attrition"] = float("-inf")
    assert sc["defaults.attrition"] == float("-inf")
    with pytest.raises(talentcast.ScenarioError, match="defaults.attrition: expected"):
        sc.validate()
