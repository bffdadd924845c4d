"""Run every benchmark, each in its own process; they print their figures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = sorted(p for p in HERE.glob("bench_*.py"))

if __name__ == "__main__":
    only = sys.argv[1:]
    for script in BENCHES:
        if only and not any(o in script.stem for o in only):
            continue
        print(f"== {script.stem}", flush=True)
        subprocess.run([sys.executable, str(script)], cwd=HERE, check=False)
