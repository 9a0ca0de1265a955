"""Browser journeys: the real production server (`deliberation serve`: gunicorn + gevent) in a subprocess, on
its own committed database, driven by Debian's Chromium through Playwright at 360 px.

Fixtures:
- `live_server` (session): a LiveServer with `.url`, `.cli(...)`, `.run_python(...)`, `.log_path`.
- `make_user(email, password, roles=(), display_name=None, locale=None)`: an account in the server's database;
  returns its id.
- `browser` (session): Chromium. Missing Chromium or axe-core: skip, or fail when CI=true.
- `page` (function): a fresh context (360×740, fr-FR, device scale 2) whose relative URLs go to the server;
  an uncaught JavaScript error on the page fails the test.
Checks for every page visited are in tests/browser/helpers.py (`assert_accessible`, `assert_fits_phone`).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

from tests.browser.helpers import AXE_SCRIPT, PHONE_VIEWPORT

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("DELIBERATION_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
STARTUP_TIMEOUT_S = 30
SERVER_LOG_TAIL = 120


def _deliberation_command() -> str:
    beside_python = Path(sys.executable).with_name("deliberation")
    return str(beside_python if beside_python.exists() else ROOT / ".venv" / "bin" / "deliberation")


def _missing(reason: str):
    """Chromium and axe-core are part of the test environment: CI must have them; a laptop may not."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: browser tests must run)", pytrace=False)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class LiveServer:
    url: str
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen | None = field(default=None, repr=False)

    def cli(self, *args: str, input: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
        """Run `deliberation <args>` against the server's database and configuration."""
        result = subprocess.run([_deliberation_command(), *args], env=self.env, cwd=ROOT,  # noqa: S603 - ours
                                input=input, capture_output=True, text=True, timeout=120)
        if check and result.returncode != 0:
            pytest.fail(f"`deliberation {' '.join(args)}` exited with {result.returncode}:\n"
                        f"{result.stdout}\n{result.stderr}", pytrace=False)
        return result

    def run_python(self, code: str, *args: str) -> str:
        """Run a Python snippet (argv = args) with the server's environment; returns its standard output."""
        result = subprocess.run([sys.executable, "-c", code, *args], env=self.env, cwd=ROOT,  # noqa: S603
                                capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            pytest.fail(f"snippet failed ({result.returncode}):\n{result.stderr}", pytrace=False)
        return result.stdout

    def log_tail(self, lines: int = SERVER_LOG_TAIL) -> str:
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


# -- the database the server uses ---------------------------------------------------------------------------

def _plain_postgres_url(url: str) -> str:
    parsed = urlparse(url)
    return urlunparse(parsed._replace(scheme="postgresql"))


def _recreate_postgres_database(outer_url: str, name: str, *, create: bool = True) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(_plain_postgres_url(outer_url), autocommit=True) as connection:
        # FORCE: a server killed by a previous, interrupted run may still hold connections.
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if create:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def server_database(tmp_path_factory, suffix: str):
    """Generator for a fixture: a fresh database for real servers, `<outer db>_<suffix>` next to a PostgreSQL
    test database (created, then dropped), otherwise an SQLite file."""
    outer = os.environ.get("DELIBERATION_DATABASE_URL", "")
    if urlparse(outer).scheme.startswith(("postgres", "postgresql")):
        parsed = urlparse(outer)
        name = f"{parsed.path.lstrip('/')}_{suffix}"
        _recreate_postgres_database(outer, name)
        yield urlunparse(parsed._replace(path=f"/{name}"))
        _recreate_postgres_database(outer, name, create=False)
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp(f'{suffix}-db') / 'deliberation.sqlite3'}"


@pytest.fixture(scope="session")
def live_server_database(tmp_path_factory):
    yield from server_database(tmp_path_factory, "browser")


def _server_environment(database_url: str, workdir: Path) -> dict[str, str]:
    # Start from a clean slate: no DELIBERATION_* of the outer test run leaks into the server.
    env = {key: value for key, value in os.environ.items() if not key.startswith("DELIBERATION_")}
    env.update({
        "DELIBERATION_ENV": "development",
        "DELIBERATION_SECRET_KEY": secrets.token_urlsafe(48),
        "DELIBERATION_DATABASE_URL": database_url,
        "DELIBERATION_MAIL_BACKEND": "file",
        "DELIBERATION_MAIL_DIRECTORY": str(workdir / "mail"),
        # Rate-limit counters die with the server, so runs never inherit each other's counts.
        "DELIBERATION_RATELIMIT_STORAGE_URI": "memory://",
        # Every journey signs in from 127.0.0.1: the per-address limits stay on, with room for a whole run
        # (the limits themselves are tested in tests/accounts).
        "DELIBERATION_ACCOUNTS_LOGIN_RATE_LIMIT": "100 per minute;1000 per hour",
        "DELIBERATION_ACCOUNTS_REGISTER_RATE_LIMIT": "100 per minute;1000 per hour",
        # gunicorn's control socket defaults to ~/.gunicorn/gunicorn.ctl, shared by every server on the host.
        "XDG_RUNTIME_DIR": str(workdir),
        "PYTHONUNBUFFERED": "1",
    })
    if os.environ.get("DELIBERATION_MESSAGE_QUEUE"):
        env["DELIBERATION_MESSAGE_QUEUE"] = os.environ["DELIBERATION_MESSAGE_QUEUE"]
    return env


def _wait_until_healthy(server: LiveServer) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    last_error = ""
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"`deliberation serve` exited with {server.process.returncode} before answering:\n"
                        f"{server.log_tail()}", pytrace=False)
        try:
            with urllib.request.urlopen(f"{server.url}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200 and json.load(response) == {"status": "ok"}:
                    return
        except (OSError, urllib.error.URLError, ValueError) as error:
            last_error = str(error)
        time.sleep(0.1)
    pytest.fail(f"the server did not answer /healthz within {STARTUP_TIMEOUT_S}s ({last_error}):\n"
                f"{server.log_tail()}", pytrace=False)


def _stop(process: subprocess.Popen) -> None:
    """Stop the server's own process group (gunicorn master and its workers), nothing else."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="session")
def live_server(live_server_database, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("live-server")
    port = _free_port()
    server = LiveServer(url=f"http://127.0.0.1:{port}", log_path=workdir / "server.log",
                        env=_server_environment(live_server_database, workdir))
    server.cli("db", "upgrade")
    with server.log_path.open("wb") as log:
        server.process = subprocess.Popen(  # noqa: S603 - our own command
            [_deliberation_command(), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=server.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, so stopping it reaches the workers too
        )
    try:
        _wait_until_healthy(server)
        yield server
    finally:
        _stop(server.process)


_CREATE_USER = """
import json, sys
from deliberation import create_app
from deliberation.accounts.models import RoleAssignment, User, UserRole
from deliberation.accounts.passwords import hash_password
from deliberation.core import clock
from deliberation.core.transaction import unit_of_work
from deliberation.extensions import db

spec = json.loads(sys.argv[1])
app = create_app()
with app.app_context():
    with unit_of_work():
        user = User(email=spec["email"].lower(), display_name=spec["display_name"], locale=spec["locale"],
                    password_hash=hash_password(spec["password"]), created_at=clock.now(),
                    email_confirmed_at=clock.now())
        roles = dict.fromkeys(["resident", *spec["roles"]])
        user.roles = [RoleAssignment(role=UserRole(role)) for role in roles]
        db.session.add(user)
    print(user.id)
"""


@pytest.fixture(scope="session")
def make_user(live_server):
    """Create an account directly in the server's database (every account is also a resident)."""

    def create(email: str, password: str, roles: tuple[str, ...] | list[str] = (), *,
               display_name: str | None = None, locale: str | None = None) -> int:
        spec = {"email": email, "password": password, "roles": list(roles),
                "display_name": display_name or email.split("@")[0], "locale": locale}
        return int(live_server.run_python(_CREATE_USER, json.dumps(spec)).strip())

    return create


# -- Chromium -----------------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        _missing(f"Chromium is missing at {CHROMIUM}: install Debian's chromium package (make browser)")
    if not AXE_SCRIPT.exists():
        _missing(f"axe-core is missing at {AXE_SCRIPT.relative_to(ROOT)}: run `npm ci`")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright Python package is missing: pip install -e '.[dev]'")

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        viewport=PHONE_VIEWPORT, locale="fr-FR", device_scale_factor=2, is_mobile=False,
        base_url=live_server.url, bypass_csp=True,  # axe is injected as an inline script
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()
    assert not page_errors, f"JavaScript errors on the page: {page_errors}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Attach the end of the server's log to a failed browser test."""
    outcome = yield
    report = outcome.get_result()
    server = getattr(item, "funcargs", {}).get("live_server")
    if report.failed and isinstance(server, LiveServer):
        report.sections.append(("live server log (last lines)", server.log_tail()))


def pytest_collection_modifyitems(items):
    """Every test in tests/browser is a browser test (`-m "not browser"` leaves them out)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
