"""Throwaway PostgreSQL clusters for the test suite.

Framework-free: only the standard library at import time; psycopg is imported
when a cluster starts and pytest only inside :func:`skip_or_fail`.  It is also a
script, which ``.ci/run`` uses so that CI searches for PostgreSQL exactly the
way the tests do::

    python3 tests/pgcluster.py --bindir    # prints the bin folder, or exit 1 + reason

Typical use (see ``tests/test_pgcluster.py``)::

    cluster, reason = start_cluster()
    if cluster is None:
        skip_or_fail(reason)                  # CASEBASE_REQUIRE_POSTGRES=1 -> fail
    try:
        engine = create_engine(cluster.url)   # database "casebase_test"
        url2 = cluster.fresh_database("mod")  # an empty database of its own
    finally:
        cluster.stop()

How it runs:

* The cluster lives in a new temp folder (``casebase-pg-XXXX`` under ``$TMPDIR``
  or /tmp): ``data/`` (initdb with trust auth, superuser ``casebase``, UTF8,
  locale C.UTF-8 or, where that locale is missing, ``--no-locale``),
  ``postgres.log`` and the unix socket.  There is no TCP listener
  (``listen_addresses=''``) and fsync is off.
* initdb refuses to run as root.  As root the binaries run as the ``postgres``
  system user through ``runuser -u postgres --`` (Debian's package creates that
  user) and the temp folder is chowned to it.  If there is no ``postgres``
  user, the unprivileged ``nobody`` user is used instead: no account is created
  on the machine.
* Stopping is ``pg_ctl stop -m immediate`` then removal of the folder.  It runs
  from :meth:`PgCluster.stop`, from an ``atexit`` hook, and from a small
  watchdog process that waits on a pipe held by the test process: if that
  process dies without stopping the cluster (SIGKILL, a timeout), the pipe
  closes and the watchdog stops the cluster and removes the folder.

Errors: no usable binaries / no way to run them -> ``start_cluster`` returns
``(None, reason)`` (skip, or fail under ``CASEBASE_REQUIRE_POSTGRES=1``).
Binaries that are there but fail (initdb or pg_ctl errors) raise
:class:`PgClusterError` with the log: that is a real failure.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

__all__ = [
    "DEFAULT_DATABASE",
    "REQUIRE_BROWSER_ENV",
    "REQUIRE_POSTGRES_ENV",
    "PgCluster",
    "PgClusterError",
    "find_postgres",
    "is_required",
    "running_cluster",
    "skip_or_fail",
    "start_cluster",
]

REQUIRE_POSTGRES_ENV = "CASEBASE_REQUIRE_POSTGRES"
REQUIRE_BROWSER_ENV = "CASEBASE_REQUIRE_BROWSER"

DEFAULT_DATABASE = "casebase_test"
SUPERUSER = "casebase"
_NEEDED = ("initdb", "pg_ctl", "postgres")
_IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_START_TIMEOUT = 60  # seconds for pg_ctl -w


class PgClusterError(RuntimeError):
    """The binaries are there but the cluster could not be set up."""


# --------------------------------------------------------------------------
# skip or fail


def is_required(env_var: str = REQUIRE_POSTGRES_ENV) -> bool:
    """True when ``env_var`` asks for the resource (1/true/yes/on)."""
    return os.environ.get(env_var, "").strip().lower() in {"1", "true", "yes", "on"}


def skip_or_fail(reason: str, env_var: str = REQUIRE_POSTGRES_ENV) -> NoReturn:
    """``pytest.skip(reason)``; ``pytest.fail`` instead when ``env_var`` is set to 1.

    Use ``env_var=REQUIRE_BROWSER_ENV`` (``CASEBASE_REQUIRE_BROWSER``) for the
    browser tests.  Works inside tests and fixtures of any scope.
    """
    import pytest

    if is_required(env_var):
        pytest.fail(f"{reason} ({env_var}=1, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


# --------------------------------------------------------------------------
# finding the binaries


def _has_server_binaries(bindir: Path) -> bool:
    return all(os.access(bindir / name, os.X_OK) for name in _NEEDED)


def _version_key(path: Path) -> tuple[int, ...]:
    # /usr/lib/postgresql/<version>/bin
    try:
        return tuple(int(p) for p in path.parent.name.split("."))
    except ValueError:
        return (-1,)


def find_postgres() -> tuple[Path | None, str]:
    """Find a folder holding initdb, pg_ctl and postgres.

    Order: ``pg_config --bindir``; ``/usr/lib/postgresql/*/bin`` (highest
    version); ``initdb``/``pg_ctl`` on PATH (symlinks resolved).
    Returns ``(bindir, "")`` or ``(None, reason)``.
    """
    tried: list[str] = []

    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=30, check=True
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError) as exc:
            tried.append(f"pg_config --bindir failed ({exc})")
        else:
            if out and _has_server_binaries(Path(out)):
                return Path(out), ""
            tried.append(f"pg_config --bindir = {out or '?'} (no server binaries there)")
    else:
        tried.append("no pg_config on PATH")

    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version_key, reverse=True)
    for bindir in candidates:
        if _has_server_binaries(bindir):
            return bindir, ""
    tried.append("nothing usable in /usr/lib/postgresql/*/bin")

    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl:
        bindir = Path(os.path.realpath(pg_ctl)).parent
        if _has_server_binaries(bindir):
            return bindir, ""
        tried.append(f"initdb/pg_ctl on PATH, but {bindir} lacks one of {', '.join(_NEEDED)}")
    else:
        tried.append("no initdb/pg_ctl on PATH")

    return None, "PostgreSQL server binaries not found: " + "; ".join(tried)


def _os_user_for_root() -> tuple[pwd.struct_passwd | None, str]:
    """The unprivileged account to run the binaries as when we are root."""
    if shutil.which("runuser") is None:
        return None, "running as root and runuser (util-linux) is missing: cannot drop root"
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name), ""
        except KeyError:
            continue
    return None, "running as root and neither a 'postgres' nor a 'nobody' user exists"


# --------------------------------------------------------------------------
# the cluster


class PgCluster:
    """One throwaway cluster.  Create with :func:`start_cluster`."""

    def __init__(
        self,
        bindir: Path,
        *,
        base_dir: str | os.PathLike[str] | None = None,
        port: int | None = None,
        run_as: pwd.struct_passwd | None = None,
    ) -> None:
        self.bindir = Path(bindir)
        self.user = SUPERUSER
        # No TCP listener: the port only names the socket file (.s.PGSQL.<port>)
        # in our private folder, so any number works.
        self.port = port if port is not None else 20000 + os.getpid() % 20000
        self.run_as = run_as
        self.base_dir = base_dir
        self.root: Path | None = None  # the temp folder
        self.locale = ""
        self._started = False
        self._stopped = False
        self._lock = threading.Lock()
        self._watchdog: subprocess.Popen[bytes] | None = None
        self._watchdog_w: int | None = None

    # -- paths and URLs ---------------------------------------------------

    @property
    def datadir(self) -> Path:
        assert self.root is not None
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        assert self.root is not None
        return self.root

    @property
    def logfile(self) -> Path:
        assert self.root is not None
        return self.root / "postgres.log"

    def url_for(self, dbname: str) -> str:
        """SQLAlchemy URL (psycopg 3) of a database of this cluster."""
        from sqlalchemy.engine import URL

        return URL.create(
            "postgresql+psycopg",
            username=self.user,
            database=dbname,
            query={"host": str(self.socket_dir), "port": str(self.port)},
        ).render_as_string(hide_password=False)

    @property
    def url(self) -> str:
        """URL of the ``casebase_test`` database made at start."""
        return self.url_for(DEFAULT_DATABASE)

    def conninfo(self, dbname: str = DEFAULT_DATABASE) -> dict[str, Any]:
        """Keyword arguments for ``psycopg.connect(**cluster.conninfo(db))``."""
        return {
            "host": str(self.socket_dir),
            "port": self.port,
            "user": self.user,
            "dbname": dbname,
        }

    # -- running the binaries ---------------------------------------------

    def _cmd(self, name: str, *args: str) -> list[str]:
        cmd = [str(self.bindir / name), *args]
        if self.run_as is not None:
            cmd = ["runuser", "-u", self.run_as.pw_name, "--", *cmd]
        return cmd

    def _run(self, name: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self._cmd(name, *args),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=self.root,  # a folder the postgres user can read
        )

    def _log_tail(self, lines: int = 40) -> str:
        try:
            text = self.logfile.read_text(errors="replace")
        except OSError:
            return "(no server log)"
        return "\n".join(text.splitlines()[-lines:])

    # -- lifecycle ----------------------------------------------------------

    def start(self) -> str:
        """initdb, start, wait until ready, create ``casebase_test``; returns its URL."""
        if self._started:
            raise PgClusterError("cluster already started")
        self._started = True
        base = self.base_dir if self.base_dir is not None else tempfile.gettempdir()
        self.root = Path(tempfile.mkdtemp(prefix="casebase-pg-", dir=base))
        _register(self)
        try:
            if self.run_as is not None:
                os.chown(self.root, self.run_as.pw_uid, self.run_as.pw_gid)
                probe = subprocess.run(
                    ["runuser", "-u", self.run_as.pw_name, "--", "test", "-w", str(self.root)],
                    stdin=subprocess.DEVNULL,
                    capture_output=True,
                )
                if probe.returncode != 0:
                    raise PgClusterError(
                        f"user {self.run_as.pw_name!r} cannot write {self.root}; "
                        "is a parent folder closed to it? (set TMPDIR to e.g. /tmp)"
                    )
            self._initdb()
            self._start_watchdog()
            self._pg_ctl_start()
            self._wait_ready()
            self.create_database(DEFAULT_DATABASE)
        except BaseException:
            self.stop()
            raise
        return self.url

    def _initdb(self) -> None:
        common = ["-D", str(self.datadir), "-U", self.user, "-A", "trust", "-E", "UTF8", "-N"]
        res = self._run("initdb", *common, "--locale=C.UTF-8")
        self.locale = "C.UTF-8"
        if res.returncode != 0:
            # an older libc without the built-in C.UTF-8 locale
            shutil.rmtree(self.datadir, ignore_errors=True)
            first = res.stderr
            res = self._run("initdb", *common, "--no-locale")
            self.locale = "C"
            if res.returncode != 0:
                raise PgClusterError(
                    "initdb failed:\n" + first + "\n--- with --no-locale:\n" + res.stderr
                )

    def _pg_ctl_start(self) -> None:
        opts = f"-k {self.socket_dir} -c listen_addresses='' -p {self.port} -F"
        res = self._run(
            "pg_ctl",
            "start",
            "-D",
            str(self.datadir),
            "-l",  # pg_ctl must not leave the server on our pipes
            str(self.logfile),
            "-w",
            "-t",
            str(_START_TIMEOUT),
            "-o",
            opts,
            timeout=_START_TIMEOUT + 30,
        )
        if res.returncode != 0:
            raise PgClusterError(
                f"pg_ctl start failed ({res.returncode}):\n{res.stdout}{res.stderr}\n"
                f"--- server log:\n{self._log_tail()}"
            )

    def _wait_ready(self, timeout: float = 30) -> None:
        import psycopg

        deadline = time.monotonic() + timeout
        while True:
            try:
                with psycopg.connect(**self.conninfo("postgres"), connect_timeout=5) as conn:
                    conn.execute("select 1")
                return
            except psycopg.OperationalError as exc:
                if time.monotonic() > deadline:
                    raise PgClusterError(
                        f"server not ready after {timeout}s: {exc}\n"
                        f"--- server log:\n{self._log_tail()}"
                    ) from exc
                time.sleep(0.1)

    def stop(self) -> None:
        """Stop the server (immediate mode) and remove the folder.  Idempotent."""
        with self._lock:
            if self._stopped or self.root is None:
                self._stopped = True
                return
            self._stopped = True
        try:
            if (self.datadir / "postmaster.pid").exists():
                res = self._run("pg_ctl", "stop", "-D", str(self.datadir), "-m", "immediate", "-w")
                if res.returncode != 0:
                    _kill_postmaster(self.datadir)
        except (OSError, subprocess.SubprocessError):
            _kill_postmaster(self.datadir)
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
            self._stop_watchdog()
            _unregister(self)

    def __enter__(self) -> PgCluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- databases ----------------------------------------------------------

    def _admin(self) -> Any:
        import psycopg

        return psycopg.connect(**self.conninfo("postgres"), autocommit=True)

    def create_database(self, name: str) -> str:
        """``CREATE DATABASE name TEMPLATE template0`` (UTF8); returns its URL."""
        from psycopg import sql

        _check_name(name)
        with self._admin() as conn:
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(
                    sql.Identifier(name)
                )
            )
        return self.url_for(name)

    def fresh_database(self, prefix: str = "t") -> str:
        """Create an empty database with a unique name (``<prefix>_<hex>``); returns its URL."""
        name = f"{prefix}_{uuid.uuid4().hex[:12]}".lower()
        return self.create_database(name)

    def drop_database(self, name: str) -> None:
        """Drop a database, disconnecting its sessions first."""
        from psycopg import sql

        _check_name(name)
        with self._admin() as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))

    def list_databases(self) -> list[str]:
        with self._admin() as conn:
            rows = conn.execute(
                "SELECT datname FROM pg_database WHERE NOT datistemplate ORDER BY 1"
            ).fetchall()
        return [r[0] for r in rows]

    def postmaster_pid(self) -> int | None:
        """PID of the running server, from postmaster.pid (None when stopped)."""
        return _read_pid(self.datadir) if self.root is not None else None

    # -- watchdog -------------------------------------------------------------

    def _start_watchdog(self) -> None:
        r, w = os.pipe()  # both ends non-inheritable by exec'd children
        cmd = [sys.executable, os.path.abspath(__file__), "--watchdog", str(r)]
        cmd += [str(self.bindir), str(self.root)]
        if self.run_as is not None:
            cmd.append(self.run_as.pw_name)
        try:
            self._watchdog = subprocess.Popen(
                cmd,
                pass_fds=(r,),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,  # Ctrl-C on the test run must not kill it first
            )
        finally:
            os.close(r)
        self._watchdog_w = w

    def _stop_watchdog(self) -> None:
        if self._watchdog_w is not None:
            with contextlib.suppress(OSError):
                os.write(self._watchdog_w, b"x")  # "done": exit without cleaning up
            os.close(self._watchdog_w)
            self._watchdog_w = None
        if self._watchdog is not None:
            try:
                self._watchdog.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._watchdog.kill()
                self._watchdog.wait()
            self._watchdog = None


def _check_name(name: str) -> None:
    if not _IDENT.match(name):
        raise ValueError(f"database name must match {_IDENT.pattern}: {name!r}")


def _read_pid(datadir: Path) -> int | None:
    try:
        first = (datadir / "postmaster.pid").read_text().splitlines()[0]
        return int(first.strip())
    except (OSError, IndexError, ValueError):
        return None


def _kill_postmaster(datadir: Path) -> None:
    """Last resort when pg_ctl could not stop the server: SIGQUIT, then SIGKILL."""
    import signal

    pid = _read_pid(datadir)
    if pid is None:
        return
    for sig, wait in ((signal.SIGQUIT, 5.0), (signal.SIGKILL, 5.0)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)


# --------------------------------------------------------------------------
# process-wide bookkeeping: stop whatever is still running at exit

_LIVE: list[PgCluster] = []
_LIVE_LOCK = threading.Lock()


def _register(cluster: PgCluster) -> None:
    with _LIVE_LOCK:
        _LIVE.append(cluster)


def _unregister(cluster: PgCluster) -> None:
    with _LIVE_LOCK:
        if cluster in _LIVE:
            _LIVE.remove(cluster)


@atexit.register
def _stop_all() -> None:
    with _LIVE_LOCK:
        live = list(_LIVE)
    for cluster in live:
        with contextlib.suppress(Exception):
            cluster.stop()


# --------------------------------------------------------------------------
# entry points


def start_cluster(
    *, base_dir: str | os.PathLike[str] | None = None, port: int | None = None
) -> tuple[PgCluster | None, str]:
    """Start a throwaway cluster with database ``casebase_test``.

    Returns ``(cluster, "")``, or ``(None, reason)`` when PostgreSQL is not
    available here.  Raises :class:`PgClusterError` when it is available but
    fails to start.  The caller must call ``cluster.stop()`` (atexit and the
    watchdog are only the safety net).
    """
    bindir, reason = find_postgres()
    if bindir is None:
        return None, reason
    run_as = None
    if os.geteuid() == 0:
        run_as, reason = _os_user_for_root()
        if run_as is None:
            return None, reason
    try:
        import psycopg  # noqa: F401
        import sqlalchemy  # noqa: F401
    except ImportError as exc:
        return None, f"psycopg/sqlalchemy not importable: {exc}"
    cluster = PgCluster(bindir, base_dir=base_dir, port=port, run_as=run_as)
    cluster.start()
    return cluster, ""


@contextlib.contextmanager
def running_cluster(
    *, base_dir: str | os.PathLike[str] | None = None, port: int | None = None
) -> Iterator[tuple[PgCluster | None, str]]:
    """``with running_cluster() as (cluster, reason):`` -- stops it on the way out."""
    cluster, reason = start_cluster(base_dir=base_dir, port=port)
    try:
        yield cluster, reason
    finally:
        if cluster is not None:
            cluster.stop()


def _watchdog_main(fd: int, bindir: str, root: str, run_as: str | None) -> None:
    """Block until the test process writes "done" or dies; on death, clean up."""
    try:
        data = os.read(fd, 1)
    except OSError:
        data = b""
    if data:  # orderly stop: the parent already cleaned up
        return
    datadir = Path(root) / "data"
    if (datadir / "postmaster.pid").exists():
        cmd = [os.path.join(bindir, "pg_ctl"), "stop", "-D", str(datadir), "-m", "immediate", "-w"]
        if run_as:
            cmd = ["runuser", "-u", run_as, "--", *cmd]
        try:
            res = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
            if res.returncode != 0:
                _kill_postmaster(datadir)
        except (OSError, subprocess.SubprocessError):
            _kill_postmaster(datadir)
    shutil.rmtree(root, ignore_errors=True)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--watchdog"] and len(argv) in (4, 5):
        _watchdog_main(int(argv[1]), argv[2], argv[3], argv[4] if len(argv) == 5 else None)
        return 0
    if argv == ["--bindir"]:
        bindir, reason = find_postgres()
        if bindir is None:
            print(reason, file=sys.stderr)
            return 1
        print(bindir)
        return 0
    print("usage: pgcluster.py --bindir", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
