"""A command a bench drives (wrk, valgrind), installed from Debian's packages when missing and running as root."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys


def ensure(command: str, bench: str, package: str | None = None) -> str:
    """The path of `command`; apt-get installs `package` (default: the command's name) first when it is
    missing and this runs as root; else the bench `bench` stops with how to install it."""
    package = package or command
    found = shutil.which(command)
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print(f"installing {package} with apt-get …", file=sys.stderr)
        subprocess.run(["apt-get", "update", "-qq"], check=False, stdout=subprocess.DEVNULL)
        subprocess.run(["apt-get", "install", "-y", "-qq", package], check=True, stdout=subprocess.DEVNULL)
        found = shutil.which(command)
    if not found:
        sys.exit(f"{bench} needs {command} (Debian: apt-get install {package})")
    return found
