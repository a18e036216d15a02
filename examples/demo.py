"""``make demo``: run the project's behave suite (``features/``) and show behave's summary.

The shop in ``examples/shop`` is the system under test; each scenario gets its own mock
namespace from its ``@mock:`` tags. Exit code: behave's.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUMMARY_WORDS = ("passed", "failed", "Took", "Failing scenarios", "Errored scenarios")


def main(argv: list[str] | None = None) -> int:
    args = ["-m", "behave", "features/", "--format", "progress", *(argv or [])]
    print(f"$ {Path(sys.executable).name} {' '.join(args)}", flush=True)
    proc = subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, check=False
    )
    output = proc.stdout + proc.stderr
    if proc.returncode != 0:
        print(output)
    else:
        for line in output.splitlines():
            if line.startswith("features/") or any(word in line for word in SUMMARY_WORDS):
                print(line)
    verdict = "all scenarios passed" if proc.returncode == 0 else "behave reported failures"
    print(f"demo: {verdict} (exit code {proc.returncode})")
    return proc.returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
