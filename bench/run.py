"""Run the benchmarks in this folder (``make bench``); each prints its own figures.

.venv/bin/python bench/run.py                 # all of them
.venv/bin/python bench/run.py newsletter -- --recipients 2000
"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    names, _, extra = " ".join(argv).partition("--")
    wanted = names.split() or sorted(p.stem for p in HERE.glob("*.py") if p.stem != "run")
    for name in wanted:
        print(f"==> bench/{name}.py", flush=True)
        result = subprocess.run([sys.executable, str(HERE / f"{name}.py"), *extra.split()], check=False)
        if result.returncode:
            return result.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
