"""Ctrl-C while the engine runs raises KeyboardInterrupt promptly and leaves no file."""

import os
import signal
import subprocess
import sys
import textwrap

from conftest import FLAGSHIP

CHILD = textwrap.dedent("""
    import sys, time, talentcast
    sc = talentcast.load_scenario(sys.argv[1])
    print("started", flush=True)
    t = time.monotonic()
    try:
        talentcast.run(sc, paths=5_000_000, seed=1)
    except KeyboardInterrupt:
        print(f"KeyboardInterrupt after {time.monotonic() - t:.1f} s", flush=True)
        sys.exit(0)
    print("finished", flush=True)
""")


def test_ctrl_c_raises_keyboard_interrupt_while_a_run_is_in_the_engine(tmp_path):
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(FLAGSHIP)], stdout=subprocess.PIPE,
                             text=True, cwd=tmp_path, env=os.environ)
    assert child.stdout.readline() == "started\n"
    import time
    time.sleep(1.0)  # well into the run (5M paths take minutes)
    child.send_signal(signal.SIGINT)
    out, _ = child.communicate(timeout=60)
    assert child.returncode == 0, out
    assert out.startswith("KeyboardInterrupt after")
    assert list(tmp_path.iterdir()) == []
