# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run every benchmark (benchmarks/bench_*.py, or those named on the command line) against a real copy of the
collection, and print where their results went (benchmarks/results/<area>.md)."""

from __future__ import annotations

import glob
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def main(argv):
    subprocess.run(["make", "-s", "--no-print-directory", "copy"], cwd=ROOT, check=True)
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, ".build", "test"))
    scripts = [os.path.join(HERE, f"bench_{name}.py") for name in argv] or sorted(glob.glob(os.path.join(HERE,
                                                                                                         "bench_*.py")))
    failed = []
    for script in scripts:
        print(f"== {os.path.basename(script)}", flush=True)
        if subprocess.run([sys.executable, script], cwd=ROOT, env=env, check=False).returncode != 0:
            failed.append(os.path.basename(script))
    print(f"results in {os.path.join(HERE, 'results')}")
    if failed:
        print("failed: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
