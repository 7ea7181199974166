"""A throwaway PostgreSQL server for tests: find the binaries, initdb into a temp dir, start it
on a free 127.0.0.1 port, hand out fresh databases, and stop it (also on failures and at exit).

initdb refuses to run as root, so as root the server runs as the `postgres` system user
(`runuser -u postgres --`); otherwise as the current user. Local socket connections are
trusted; TCP on 127.0.0.1 uses scram-sha-256, so tests can try wrong passwords.
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

SUPERUSER = "postgres"
SUPERUSER_PASSWORD = "sup3r-s3cret-pw"


class PgUnavailable(Exception):
    """No PostgreSQL server binaries on this machine (the only reason to skip)."""


def find_bindir() -> Path | None:
    """The newest /usr/lib/postgresql/<v>/bin that has initdb, else initdb on PATH."""

    def version(path: str) -> tuple[int, ...]:
        found = re.search(r"/postgresql/([\d.]+)/bin", path)
        return tuple(int(x) for x in found.group(1).split(".")) if found else (0,)

    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=version, reverse=True)
    for path in candidates:
        if os.access(path, os.X_OK) and os.access(str(Path(path).with_name("pg_ctl")), os.X_OK):
            return Path(path).parent
    on_path = shutil.which("initdb")
    if on_path:
        real = Path(on_path).resolve().parent
        if (real / "pg_ctl").exists():
            return real
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PgServer:
    bindir: Path
    base: Path
    port: int
    run_as: str | None  # system user the server runs as (None: the current user)
    host: str = "127.0.0.1"
    _stopped: bool = field(default=False, repr=False)

    @property
    def datadir(self) -> Path:
        return self.base / "data"

    @property
    def socket_dir(self) -> Path:
        return self.base / "sock"

    @property
    def version(self) -> int:
        return int((self.datadir / "PG_VERSION").read_text().strip().split(".")[0])

    def url(self, dbname: str = "postgres", user: str = SUPERUSER, password: str | None = SUPERUSER_PASSWORD) -> str:
        auth = user if password is None else f"{user}:{password}"
        return f"postgresql://{auth}@{self.host}:{self.port}/{dbname}"

    def sqlalchemy_url(self, dbname: str) -> str:
        return f"postgresql+psycopg://{SUPERUSER}:{SUPERUSER_PASSWORD}@{self.host}:{self.port}/{dbname}"

    def connect(self, dbname: str = "postgres", **kwargs):
        """A superuser connection over the local socket (trusted), autocommit."""
        import psycopg

        return psycopg.connect(
            host=str(self.socket_dir), port=self.port, user=SUPERUSER, dbname=dbname, autocommit=True, **kwargs
        )

    def execute(self, sql: str, dbname: str = "postgres") -> None:
        with self.connect(dbname) as conn:
            conn.execute(sql)

    def psql(
        self, dbname: str, *args: str, check: bool = False, cwd: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run psql as the superuser over the socket (in `cwd`: where `\\i` looks); output captured."""
        cmd = [str(self.bindir / "psql"), "-X", "-q", "-h", str(self.socket_dir), "-p", str(self.port)]
        cmd += ["-U", SUPERUSER, "-d", dbname, *args]
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        return subprocess.run(cmd, capture_output=True, text=True, env=env, check=check, timeout=120, cwd=cwd)

    def create_database(self, prefix: str = "t") -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        self.execute(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def create_role(self, name: str, password: str, *grants: str) -> None:
        self.execute(f"CREATE ROLE \"{name}\" LOGIN PASSWORD '{password}' {' '.join(grants)}")

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        if (self.datadir / "postmaster.pid").exists():
            _run(
                self.run_as,
                [str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "fast", "-w", "stop"],
                check=False,
            )
        shutil.rmtree(self.base, ignore_errors=True)

    def log(self) -> str:
        try:
            return (self.base / "server.log").read_text(errors="replace")
        except OSError:
            return ""


def _run(user: str | None, cmd: list[str], check: bool = True) -> subprocess.CompletedProcess[str]:
    if user is not None:
        runuser = shutil.which("runuser")
        cmd = [runuser, "-u", user, "--", *cmd] if runuser else ["su", user, "-s", "/bin/sh", "-c", shlex.join(cmd)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["LC_ALL"] = "C"
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120, cwd="/")
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def start() -> PgServer:
    """initdb + pg_ctl start; raises PgUnavailable when there are no binaries."""
    bindir = find_bindir()
    if bindir is None:
        raise PgUnavailable("no PostgreSQL server binaries (initdb) found; run scripts/test.sh to install them")
    run_as: str | None = None
    base = Path(tempfile.mkdtemp(prefix="enumguard-pg-"))
    if os.geteuid() == 0:
        try:
            account = pwd.getpwnam("postgres")
        except KeyError:
            raise PgUnavailable("running as root and there is no `postgres` system user to run the server") from None
        run_as = "postgres"
        os.chown(base, account.pw_uid, account.pw_gid)
    os.chmod(base, 0o700)
    server = PgServer(bindir=bindir, base=base, port=0, run_as=run_as)
    atexit.register(server.stop)
    pwfile = base / "pwfile"
    pwfile.write_text(SUPERUSER_PASSWORD + "\n")
    (base / "sock").mkdir()
    if run_as:
        account = pwd.getpwnam(run_as)
        for path in (pwfile, base / "sock"):
            os.chown(path, account.pw_uid, account.pw_gid)
    _run(
        run_as,
        [
            str(bindir / "initdb"),
            "-D",
            str(server.datadir),
            "-U",
            SUPERUSER,
            "-E",
            "UTF8",
            "--locale=C",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            f"--pwfile={pwfile}",
            "--no-sync",
        ],
    )
    last = ""
    for _ in range(3):  # a free port can be taken between probing and binding
        server.port = _free_port()
        options = (
            f"-c listen_addresses=127.0.0.1 -p {server.port} -k {server.socket_dir} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
        )
        result = _run(
            run_as,
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(server.datadir),
                "-l",
                str(base / "server.log"),
                "-w",
                "-t",
                "60",
                "-o",
                options,
                "start",
            ],
            check=False,
        )
        if result.returncode == 0:
            return server
        last = result.stderr + server.log()
    server.stop()
    raise RuntimeError(f"PostgreSQL did not start:\n{last}")
