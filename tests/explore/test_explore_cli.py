"""``thetahat explore``: the command, its options, and that thetahat stays light without it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request

from thetahat.cli import main

HEAVY = ("starlette", "uvicorn", "anyio", "thetahat.explore")


def _loaded_after(statement: str) -> list[str]:
    code = f"import sys, json; {statement}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_import_thetahat_and_cli_do_not_load_the_server() -> None:
    for statement in ("import thetahat", "import thetahat.cli"):
        mods = _loaded_after(statement)
        assert [m for m in HEAVY if m in mods] == [], statement


def test_help_lists_the_options(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["explore", "--help"]) == 0
    out = capsys.readouterr().out
    for opt in ("--port", "--host", "--no-browser", "127.0.0.1"):
        assert opt in out


def test_bad_port_is_one_line_exit_2(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["explore", "--port", "70000", "--no-browser"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("thetahat: error:") and "\n" not in err


def test_serves_on_loopback_until_stopped() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "thetahat", "explore", "--no-browser", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert "http://127.0.0.1:" in line, line
        url = line.split()[3]
        with urllib.request.urlopen(url + "api/catalog", timeout=60) as r:
            assert json.load(r)["pairs"][0]["key"] == "beta-bernoulli"
        # the same port again: refused with one line and exit code 2
        port = url.rstrip("/").rsplit(":", 1)[1]
        again = subprocess.run(
            [sys.executable, "-m", "thetahat", "explore", "--no-browser", "--port", port],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert again.returncode == 2 and again.stderr.count("\n") == 1
        assert "cannot listen" in again.stderr
    finally:
        proc.terminate()
        proc.wait(timeout=30)
