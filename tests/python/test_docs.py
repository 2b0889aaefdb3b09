"""docs/python.md's walk-through runs as written: its python blocks in order, in one
interpreter, from a copy of the repository's scenarios and example payroll (it writes to out/)."""

import os
import re
import shutil
import subprocess
import sys

from conftest import ROOT


def walk_through():
    text = (ROOT / "docs" / "python.md").read_text()
    section = text.split("## A walk-through", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_the_walk_through_runs_as_written(tmp_path):
    blocks = walk_through()
    assert len(blocks) >= 6
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    shutil.copytree(ROOT / "examples" / "payroll", tmp_path / "examples" / "payroll")
    script = "\n".join(blocks)
    done = subprocess.run([sys.executable, "-W", "error::DeprecationWarning", "-c", script],
                          cwd=tmp_path, capture_output=True, text=True, env=os.environ)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "python-flagship" / "forecast.csv").exists()
    assert "P(ratio < 0.1 in 2030-Q4) =" in done.stdout
    assert (tmp_path / "out" / "small-saltelli.sqlite").exists()


def test_the_readmes_python_samples_are_what_the_examples_print():
    # The README's plain blocks that start with "$ python3 ...": the command's output in full.
    blocks, current, fence = [], None, None
    for line in (ROOT / "README.md").read_text().splitlines(keepends=True):
        if line.startswith("```"):
            if current is None:
                current, fence = "", line.strip()
            else:
                if fence == "```" and current.startswith("$ python3 "):
                    blocks.append(current)
                current = None
        elif current is not None:
            current += line
    assert blocks
    for block in blocks:
        command, expected = block.split("\n", 1)
        argv = command[2:].split()
        done = subprocess.run([sys.executable, *argv[1:]], cwd=ROOT, capture_output=True,
                              text=True, env=os.environ)
        assert done.returncode == 0, done.stderr
        assert done.stdout == expected, command
