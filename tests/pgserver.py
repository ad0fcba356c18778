"""A throwaway PostgreSQL server for the tests: ``initdb`` and ``pg_ctl`` in a temporary folder,
listening on a free local port, trusted local connections, stopped and removed at the end.

PostgreSQL refuses to run as root, so when the tests run as root the server runs as the
``postgres`` user (Debian's package creates it), through ``runuser`` or ``su``.
"""

from __future__ import annotations

import glob
import os
import shlex
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

SERVER_USER = "postgres"


def find_binaries() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``: on the PATH, else Debian's
    ``/usr/lib/postgresql/<version>/bin`` (the newest)."""
    found = shutil.which("pg_ctl")
    if found and (Path(found).parent / "initdb").exists():
        return Path(found).parent
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: [int(x) if x.isdigit() else 0 for x in Path(p).parent.name.split(".")],
    )
    for folder in reversed(candidates):
        if (Path(folder) / "pg_ctl").exists() and (Path(folder) / "initdb").exists():
            return Path(folder)
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PostgresServer:
    """A running server; :meth:`url` names a database on it."""

    folder: Path
    bin: Path
    port: int
    as_user: str | None

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{SERVER_USER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user={SERVER_USER} dbname=postgres",
            autocommit=True,
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.as_user is not None:
            if shutil.which("runuser"):
                command = ["runuser", "-u", self.as_user, "--", *command]
            else:
                command = ["su", self.as_user, "-s", "/bin/sh", "-c", shlex.join(command)]
        return subprocess.run(command, capture_output=True, text=True, timeout=120)

    def start(self) -> None:
        data = self.folder / "data"
        done = self._run("initdb", "-D", str(data), "-U", SERVER_USER, "-A", "trust", "-E", "UTF8")
        if done.returncode:
            raise RuntimeError(f"initdb failed: {done.stderr.strip() or done.stdout.strip()}")
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=50"
        )
        done = self._run(
            "pg_ctl", "-D", str(data), "-l", str(self.folder / "log"), "-o", options, "-w", "start"
        )
        if done.returncode:
            log = self.folder / "log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"pg_ctl start failed: {done.stderr.strip()} {tail}")

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def start_server() -> PostgresServer:
    """Start a server, or raise ``RuntimeError`` saying why it cannot be had here."""
    try:
        import psycopg  # noqa: F401
    except ImportError as exc:
        raise RuntimeError("psycopg is not installed (pip install 'psycopg[binary]')") from exc
    binaries = find_binaries()
    if binaries is None:
        raise RuntimeError(
            "PostgreSQL's initdb/pg_ctl were not found (on the PATH or in "
            "/usr/lib/postgresql/*/bin); install Debian's postgresql package"
        )
    as_user = None
    folder = Path(tempfile.mkdtemp(prefix="assess-pg-"))
    if os.geteuid() == 0:
        import pwd

        try:
            account = pwd.getpwnam(SERVER_USER)
        except KeyError as exc:
            shutil.rmtree(folder, ignore_errors=True)
            raise RuntimeError(
                f"the tests run as root and there is no {SERVER_USER!r} user to run PostgreSQL as"
            ) from exc
        os.chown(folder, account.pw_uid, account.pw_gid)
        as_user = SERVER_USER
    server = PostgresServer(folder=folder, bin=binaries, port=_free_port(), as_user=as_user)
    try:
        server.start()
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return server
