#!/usr/bin/env python3
"""The Docker action's entry point: action.yml's args in, enumguard's exit code out.

GitHub runs Docker actions as root over a workspace that belongs to the runner's user, and git
refuses such a repository ("dubious ownership"). Trust it for enumguard's git calls only,
through command-scope config in the environment (git honours safe.directory there; no config
file is written). Python, not /bin/sh: dash drops environment variables whose names are not
shell identifiers, and GitHub passes the token as INPUT_GITHUB-TOKEN.
"""

import os
import sys


def main() -> int:
    n = int(os.environ.get("GIT_CONFIG_COUNT") or 0)
    os.environ[f"GIT_CONFIG_KEY_{n}"] = "safe.directory"
    os.environ[f"GIT_CONFIG_VALUE_{n}"] = "*"
    os.environ["GIT_CONFIG_COUNT"] = str(n + 1)
    from enumguard.cli import main as enumguard

    return enumguard(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
