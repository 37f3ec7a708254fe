"""Browser test set-up: Debian's chromium (installed when missing), a live server, Playwright.

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
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def live_server() -> Iterator[str]:
    """The explorer on a free loopback port, in a thread; yields its URL."""
    import uvicorn

    from thetahat.explore import create_app
    from thetahat.explore.server import bind, url_of

    sock = bind("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(create_app(), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the explorer's server did not start")
        time.sleep(0.02)
    try:
        yield url_of(sock)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
