"""`gradecli --help` wall time against `python -c pass` (target: under 0.3 s)."""

from __future__ import annotations

import shutil
import sys

from _common import median_run


def main() -> None:
    exe = shutil.which("gradecli") or str((__import__("pathlib").Path(sys.executable).parent / "gradecli"))
    base = median_run([sys.executable, "-c", "pass"])
    helptime = median_run([exe, "--help"])
    print(f"startup: python -c pass {base * 1000:.0f} ms; gradecli --help {helptime * 1000:.0f} ms; "
          f"ratio {helptime / base:.1f}; target < 300 ms: {'met' if helptime < 0.3 else 'NOT met'}")


if __name__ == "__main__":
    main()
