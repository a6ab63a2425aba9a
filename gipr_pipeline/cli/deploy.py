"""Bring the shared deployment up and down on one machine (``make deploy-up`` / ``deploy-down``).

Starts, on 127.0.0.1, each in its own process group, recorded in ``<state>/state.json``:

- **Postgres** (the OS package's ``initdb``/``pg_ctl``; run as the ``postgres`` user when this
  runs as root, which Postgres refuses) with a ``dagster`` database for the instance;
- **Redis** (``redis-server``, no persistence): the Celery broker and result backend;
- **N Celery workers** (``celery -A dagster_celery.app worker``, one task at a time each,
  prefetch 1 so the steps spread over them);
- **dagster-daemon** (queued runs, schedules, sensors, run monitoring) and optionally
  **dagster-webserver**, on the deployment's code location (``deploy/workspace.yaml``).

Everything lives under the state folder (default ``data/deploy``): ``home/`` (DAGSTER_HOME with
``deploy/dagster.yaml``), ``lake/`` (the warehouse), ``work/`` (run stages), ``docs/``,
``logs/``, and ``env`` — the environment every process shares (source it to run ``dagster``
commands against the deployment). ``up`` is idempotent: what runs already is kept.

Usage: ``python -m gipr_pipeline.cli.deploy up|down|status [--state DIR] [--workers N] …``
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
DEFAULT_STATE = "data/deploy"
PORTS = {"postgres": 15432, "redis": 16379, "webserver": 3000}
PG_USER = "gipr"
BIN = Path(sys.executable).parent  # the venv's console scripts (dagster-daemon, celery, …)


class DeployError(RuntimeError):
    """A service could not be started (the message names it and its log)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _wait(what: str, ok, timeout: float, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ok():
            return
        time.sleep(0.2)
    tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
    raise DeployError(f"{what} did not start in {timeout:.0f} s (log {log}):\n{tail}")


def missing_tools() -> list[str]:
    """The OS programs the deployment needs and this machine lacks (``.ci/deploy-deps``)."""
    need = {"initdb": _pg_bin("initdb"), "pg_ctl": _pg_bin("pg_ctl"), "redis-server": None}
    return [n for n, p in need.items() if not (p and Path(p).exists()) and shutil.which(n) is None]


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    cands = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return str(cands[-1]) if cands else None


def _as_pg(cmd: list[str]) -> list[str]:
    """Postgres refuses to run as root: run its programs as the ``postgres`` user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def _pg_dir(state: Path, st: dict) -> Path:
    if st.get("pg_dir"):
        return Path(st["pg_dir"])
    if os.geteuid() != 0:
        return state / "pg"
    # Run as root: the data folder must be reachable by the postgres user, which a folder under
    # a 0700 parent (a pytest tmp dir, /root) is not; a private folder under /tmp is.
    d = Path(tempfile.mkdtemp(prefix="gipr-pg-", dir="/tmp"))
    shutil.chown(d, "postgres", "postgres")
    return d


def _spawn(cmd: list[str], env: dict, log: Path, cwd: Path = REPO) -> int:
    fh = open(log, "ab")  # noqa: SIM115  (the child keeps it)
    p = subprocess.Popen(
        cmd, env=env, cwd=cwd, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True
    )
    fh.close()
    return p.pid


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (exited child not reaped) is not alive.
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def _load(state: Path) -> dict:
    p = state / "state.json"
    return json.loads(p.read_text()) if p.exists() else {}


def _save(state: Path, st: dict) -> None:
    (state / "state.json").write_text(json.dumps(st, indent=1, sort_keys=True))


def environment(state: Path, st: dict) -> dict[str, str]:
    """The variables every process of the deployment shares (also written to ``<state>/env``)."""
    p = st["ports"]
    return {
        "DAGSTER_HOME": str(state / "home"),
        "GIPR_PG_URL": f"postgresql+psycopg2://{PG_USER}@127.0.0.1:{p['postgres']}/dagster",
        "GIPR_CELERY_BROKER": f"redis://127.0.0.1:{p['redis']}/0",
        "GIPR_CELERY_BACKEND": f"redis://127.0.0.1:{p['redis']}/1",
        "GIPR_SHARED": str(state),
        "GIPR_RAW_DIR": st["raw_dir"],
        "GIPR_SHARD_SIZE": str(st["shard_size"]),
        # The Celery workers' settings module (dagster_celery reads `dagster_celery_config`).
        "PYTHONPATH": str(DEPLOY / "celery"),
    }


def up(
    state: str | Path = DEFAULT_STATE,
    raw_dir: str | Path = "data/raw",
    workers: int = 2,
    webserver: bool = True,
    ports: dict[str, int] | None = None,
    shard_size: int = 2000,
    worker_env: dict[str, str] | None = None,
) -> dict:
    """Start what is not running yet; returns the state (ports, pids, env). Raises DeployError
    naming the service that failed and the end of its log."""
    state = Path(state).resolve()
    for d in ("home", "logs", "lake", "work", "docs"):
        (state / d).mkdir(parents=True, exist_ok=True)
    st = _load(state)
    st.setdefault("ports", {**PORTS, **(ports or {})})
    st["raw_dir"] = str(Path(raw_dir).resolve())
    st["shard_size"] = shard_size
    st.setdefault("pids", {})
    shutil.copy(DEPLOY / "dagster.yaml", state / "home" / "dagster.yaml")
    env_vars = environment(state, st)
    env = {**os.environ, **env_vars}
    env["PYTHONPATH"] = os.pathsep.join(
        x for x in (env_vars["PYTHONPATH"], os.environ.get("PYTHONPATH")) if x
    )
    (state / "env").write_text("".join(f"export {k}={v}\n" for k, v in env_vars.items()))
    logs = state / "logs"

    _postgres_up(state, st, logs)
    _save(state, st)

    if not _alive(st["pids"].get("redis")):
        rd = state / "redis"
        rd.mkdir(exist_ok=True)
        port = st["ports"]["redis"]
        cmd = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        cmd += ["--appendonly", "no", "--dir", str(rd), "--daemonize", "no"]
        st["pids"]["redis"] = _spawn(cmd, env, logs / "redis.log")
        _wait("redis", lambda: _port_open(port), 30, logs / "redis.log")
    _save(state, st)

    for i in range(1, workers + 1):
        key = f"worker{i}"
        if _alive(st["pids"].get(key)):
            continue
        cmd = [str(BIN / "celery"), "-A", "dagster_celery.app", "worker", "-Q", "dagster"]
        cmd += ["--concurrency", "1", "--hostname", f"w{i}@gipr", "--loglevel", "INFO"]
        wenv = {**env, **(worker_env or {})}
        st["pids"][key] = _spawn(cmd, wenv, logs / f"{key}.log")
    _save(state, st)

    ws = str(DEPLOY / "workspace.yaml")
    if not _alive(st["pids"].get("daemon")):
        cmd = [str(BIN / "dagster-daemon"), "run", "-w", ws]
        st["pids"]["daemon"] = _spawn(cmd, env, logs / "daemon.log")
    if webserver and not _alive(st["pids"].get("webserver")):
        port = st["ports"]["webserver"]
        cmd = [str(BIN / "dagster-webserver"), "-h", "127.0.0.1", "-p", str(port), "-w", ws]
        st["pids"]["webserver"] = _spawn(cmd, env, logs / "webserver.log")
    _save(state, st)
    st["env"] = env_vars
    return st


def _postgres_up(state: Path, st: dict, logs: Path) -> None:
    pg = _pg_dir(state, st)
    st["pg_dir"] = str(pg)
    port = st["ports"]["postgres"]
    sock = pg / "socket"
    if not (pg / "data" / "PG_VERSION").exists():
        subprocess.run(
            _as_pg(
                [
                    _pg_bin("initdb"),
                    "-D",
                    str(pg / "data"),
                    "-U",
                    PG_USER,
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--locale=C",
                ]
            ),
            check=True,
            capture_output=True,
        )
    if not _port_open(port):
        subprocess.run(_as_pg(["mkdir", "-p", str(sock)]), check=True)
        opts = f"-p {port} -c listen_addresses=127.0.0.1 -k {sock}"
        r = subprocess.run(
            _as_pg(
                [
                    _pg_bin("pg_ctl"),
                    "-D",
                    str(pg / "data"),
                    "-o",
                    opts,
                    "-l",
                    str(pg / "postgres.log"),
                    "-w",
                    "-t",
                    "60",
                    "start",
                ]
            ),
            capture_output=True,
            text=True,
        )
        if r.returncode != 0:
            log = pg / "postgres.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise DeployError(f"postgres did not start: {r.stdout}{r.stderr}\n{tail}")
    psql = ["psql", "-h", "127.0.0.1", "-p", str(port), "-U", PG_USER, "-d", "postgres", "-tAc"]
    have = subprocess.run(
        [*psql, "select 1 from pg_database where datname = 'dagster'"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if have != "1":
        subprocess.run([*psql, "create database dagster"], check=True, capture_output=True)


def _group_alive(pgid: int) -> bool:
    """Whether a process of group ``pgid`` is still running (zombies do not count; ours are
    reaped)."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pgid, os.WNOHANG)
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def _stop_group(pgid: int, timeout: float = 20) -> None:
    """SIGTERM the process group, SIGKILL it if it has not ended after ``timeout`` s."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _group_alive(pgid):
            return
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)


def down(state: str | Path = DEFAULT_STATE, purge: bool = False) -> None:
    """Stop every process ``up`` started (by its process group), then Postgres. ``purge`` also
    removes the Postgres data folder (the run history) when it lives outside the state folder."""
    state = Path(state).resolve()
    st = _load(state)
    pids = st.get("pids", {})
    # Dagster first (runs end, workers drain), Redis last of the process groups.
    order = ["webserver", "daemon", *sorted(k for k in pids if k.startswith("worker")), "redis"]
    for key in order:
        if pids.get(key):
            _stop_group(pids[key])
            pids[key] = None
    if st.get("pg_dir"):
        data = Path(st["pg_dir"]) / "data"
        if data.exists():
            subprocess.run(
                _as_pg([_pg_bin("pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
                capture_output=True,
            )
        if purge and not Path(st["pg_dir"]).is_relative_to(state):
            shutil.rmtree(st["pg_dir"], ignore_errors=True)
            st["pg_dir"] = None
    if st:
        _save(state, st)


def status(state: str | Path = DEFAULT_STATE) -> dict[str, bool]:
    st = _load(Path(state).resolve())
    out = {k: _alive(v) for k, v in st.get("pids", {}).items()}
    if st.get("ports"):
        out["postgres"] = _port_open(st["ports"]["postgres"])
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m gipr_pipeline.cli.deploy", description=__doc__)
    ap.add_argument("command", choices=["up", "down", "status"])
    ap.add_argument("--state", default=DEFAULT_STATE, help="state folder (default data/deploy)")
    ap.add_argument("--raw", default="data/raw", help="raw reports folder")
    ap.add_argument("--workers", type=int, default=2, help="Celery workers (default 2)")
    ap.add_argument("--shard-size", type=int, default=2000, help="inputs per parse shard")
    ap.add_argument("--no-webserver", action="store_true")
    ap.add_argument("--purge", action="store_true", help="down: also remove the run history")
    a = ap.parse_args(argv)
    try:
        if a.command == "up":
            st = up(a.state, a.raw, a.workers, not a.no_webserver, shard_size=a.shard_size)
            print(f"deployment up (state {Path(a.state).resolve()}):")
            for k, v in sorted(st["pids"].items()):
                print(f"  {k:<10} pid {v}")
            if not a.no_webserver:
                print(f"  UI: http://127.0.0.1:{st['ports']['webserver']}")
            print(f"  environment for dagster commands: source {Path(a.state).resolve()}/env")
        elif a.command == "down":
            down(a.state, a.purge)
            print("deployment down")
        else:
            for k, v in sorted(status(a.state).items()):
                print(f"  {k:<10} {'running' if v else 'stopped'}")
    except DeployError as e:
        print(f"deploy: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
