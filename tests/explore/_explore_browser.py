"""Browser test set-up: Debian's chromium, installed when missing, for Playwright.

CI runs as root on Debian: when ``/usr/bin/chromium`` is missing it is installed
with apt-get (under a file lock, so parallel test workers install it once). The
browser is driven by Playwright's Python package through ``executable_path``;
Playwright's own browser download (``playwright install``) is never used.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: screenshots a person can look at (gitignored)
ARTIFACTS = Path(
    os.environ.get(
        "THETAHAT_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts" / "explore"
    )
)


def ensure_chromium() -> str:
    """Path of Debian's chromium, installing the package with apt-get when it is missing."""
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        raise RuntimeError(
            f"{CHROMIUM} is missing and cannot be installed here (needs root and apt-get): "
            "apt-get install chromium"
        )
    with open("/tmp/thetahat-chromium-install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not os.path.exists(CHROMIUM):
            env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
            cmd = [apt, "install", "-y", "-q", "--no-install-recommends", "chromium"]
            if subprocess.run(cmd, env=env, capture_output=True).returncode != 0:
                subprocess.run([apt, "update", "-q"], env=env, check=True, capture_output=True)
                subprocess.run(cmd, env=env, check=True, capture_output=True)
    return CHROMIUM
