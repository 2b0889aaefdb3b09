"""Shared fixtures of the Python package's tests (docs/testing.md, label `python`). ctest runs
them with PYTHONPATH on the build tree's package and TALENTCAST_EXE on the command built with it,
from the source tree."""

import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
FLAGSHIP = ROOT / "scenarios" / "china-ai-2024.toml"


@pytest.fixture(scope="session")
def exe():
    path = os.environ.get("TALENTCAST_EXE")
    if not path:
        pytest.fail("TALENTCAST_EXE is not set: run these tests through ctest (-L python)")
    return path


@pytest.fixture
def cli(exe):
    """Runs the command; returns the CompletedProcess."""

    def run(*args, check=True):
        done = subprocess.run([exe, *map(str, args)], capture_output=True, text=True, cwd=ROOT)
        if check and done.returncode != 0:
            raise AssertionError(f"talentcast {' '.join(map(str, args))}: exit "
                                 f"{done.returncode}\n{done.stderr}")
        return done

    return run


@pytest.fixture
def small_scenario(tmp_path):
    """The flagship with a shorter horizon: quick runs with every feature of the flagship."""
    path = tmp_path / "small.toml"
    path.write_text(f'extends = "{FLAGSHIP}"\nhorizon_years = 2\n')
    return path
