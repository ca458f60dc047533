#!/usr/bin/env python3
"""Checks the `run:` scripts of action.yml and .github/workflows/*.yml.

actionlint runs shellcheck on workflow `run:` blocks but skips composite action steps entirely,
so this script covers both the same way:
  * no `${{ ... }}` expression inside any `run:` script (script injection: the expression is
    pasted into the script text before the shell parses it; pass values through `env:` instead);
  * every bash `run:` script passes `shellcheck -s bash`.

usage: check-run-blocks.py FILE...   (exit 1 on any finding)
"""

import os
import subprocess
import sys
import tempfile

import yaml


def run_blocks(doc):
    """Yields (where, shell, script) for every step with a `run:` key."""
    runs = doc.get("runs") or {}
    for i, step in enumerate(runs.get("steps") or []):
        if isinstance(step, dict) and "run" in step:
            yield f"runs.steps[{i}]", step.get("shell", "bash"), step["run"]
    for job_id, job in (doc.get("jobs") or {}).items():
        default_shell = (((job or {}).get("defaults") or {}).get("run") or {}).get("shell")
        for i, step in enumerate((job or {}).get("steps") or []):
            if isinstance(step, dict) and "run" in step:
                yield f"jobs.{job_id}.steps[{i}]", step.get("shell", default_shell or "bash"), step["run"]


def main(paths):
    findings = 0
    for path in paths:
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
        for where, shell, script in run_blocks(doc):
            if "${{" in script:
                print(f"{path}: {where}: `${{{{ }}}}` expression inside a run: script; map it through env:")
                findings += 1
            if shell not in ("bash", None):
                continue
            with tempfile.NamedTemporaryFile("w", suffix=".sh", delete=False) as tmp:
                tmp.write("#!/usr/bin/env bash\nset -eo pipefail\n" + script)
            try:
                res = subprocess.run(
                    ["shellcheck", "-s", "bash", "-f", "gcc", tmp.name],
                    capture_output=True,
                    text=True,
                )
            finally:
                os.unlink(tmp.name)
            if res.returncode != 0:
                for line in res.stdout.splitlines():
                    print(f"{path}: {where}: {line.split(':', 3)[-1].strip()}")
                findings += 1
    if findings:
        print(f"check-run-blocks: {findings} finding(s)")
        return 1
    print(f"check-run-blocks: {len(paths)} file(s) clean")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
