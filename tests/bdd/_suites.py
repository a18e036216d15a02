"""Small behave and pytest-bdd suites written to tmp_path by the integration tests."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

TAG_MAPS = """\
version: 1
maps:
  checkout_failure:
    description: payments fail once, then work
    services:
      payments:
        - request: {method: POST, path: /v1/charges}
          responses:
            - {status: 503, times: 1}
            - {status: 201, json: {id: ch_1}}
  slow:
    params: {delay: {type: duration, default: 1s}}
    services:
      payments:
        - request: {method: GET, path: /v1/slow}
          response: {status: 200, delay: "{delay}"}
"""

SEND_STEPS = """\
import httpx
from behave import then, when

@when('I send {method:w} {path:S} to "{service:w}"')
def send(context, method, path, service):
    context.reply = httpx.request(method, context.mockbdd.url(service) + path, json={"amount": 99})

@then('the reply status is {status:d}')
def reply_status(context, status):
    assert context.reply.status_code == status, context.reply
"""

ENVIRONMENT = """\
import mockbdd.behave as mockbdd

def before_all(context):
    mockbdd.before_all(context)

def before_scenario(context, scenario):
    mockbdd.before_scenario(context, scenario)

def after_scenario(context, scenario):
    mockbdd.after_scenario(context, scenario)
"""


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return root


def behave_suite(root: Path, features: dict[str, str], *, environment: str = ENVIRONMENT) -> Path:
    files = {
        "environment.py": environment,
        "steps/mock_steps.py": "from mockbdd.behave.steps import *  # noqa\n",
        "steps/send_steps.py": SEND_STEPS,
        "tag_maps/maps.yaml": TAG_MAPS,
    }
    files.update({f"features/{name}": text for name, text in features.items()})
    return write(root, files)


def run(
    args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    full_env.pop("MOCKBDD_URL", None) if env is None or "MOCKBDD_URL" not in env else None
    full_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), full_env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def behave(
    cwd: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return run(["-m", "behave", "--no-color", *args], cwd, env, timeout)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(
    *args: str, token: str | None = None, env: dict[str, str] | None = None
) -> Iterator[str]:
    """``mockbdd serve ARGS`` in a subprocess (no ``MOCKBDD_*`` from the environment but those
    of ``env``); yields its loopback URL once it answers, and stops it with SIGINT."""
    import signal
    import time

    import httpx

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "mockbdd", "serve", "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("MOCKBDD_")},
            **(env or {}),
        },
    )
    url = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{url}/__admin/health", timeout=1, headers=headers)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.communicate()
                time.sleep(0.05)
        yield url
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=10)
