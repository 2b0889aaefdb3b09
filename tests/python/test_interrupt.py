"""Ctrl-C while the engine runs raises KeyboardInterrupt, well before the work would end."""

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from conftest import FLAGSHIP

# Each call takes minutes (5M paths; 64 points of 400,000): a KeyboardInterrupt within the
# minute communicate() waits for was the engine stopping, not the work ending.
CALLS = {
    "run": "talentcast.run(sc, paths=5_000_000, seed=1)",
    "evaluate": "talentcast.evaluate(sc, {'defaults.attrition': [0.1] * 64}, "
                "'ratio:nlp:2024-Q4:p50', paths=400_000)",
}

CHILD = textwrap.dedent("""
    import sys, time, talentcast
    sc = talentcast.load_scenario(sys.argv[1])
    print("started", flush=True)
    t = time.monotonic()
    try:
        CALL
    except KeyboardInterrupt:
        print(f"KeyboardInterrupt after {time.monotonic() - t:.1f} s", flush=True)
        sys.exit(0)
    print("finished", flush=True)
""")


@pytest.mark.parametrize("call", sorted(CALLS))
def test_ctrl_c_raises_keyboard_interrupt_while_the_engine_works(tmp_path, call):
    child = subprocess.Popen([sys.executable, "-c", CHILD.replace("CALL", CALLS[call]),
                              str(FLAGSHIP)], stdout=subprocess.PIPE, text=True, cwd=tmp_path,
                             env=os.environ)
    assert child.stdout.readline() == "started\n"
    import time
    time.sleep(1.0)  # well into the run (5M paths take minutes)
    child.send_signal(signal.SIGINT)
    out, _ = child.communicate(timeout=60)
    assert child.returncode == 0, out
    assert out.startswith("KeyboardInterrupt after"), out
