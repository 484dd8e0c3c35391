"""faults: the database going away under load, a read-only or vanished SQLite folder,
`kill -9` in the middle of an import, and SIGTERM with requests in flight.

(a) PostgreSQL (backend postgres): a throwaway cluster of our own on another port (never the
    shared server on 5432), stopped with `pg_ctl stop -m immediate` under load: every request
    answers 503 problem+json within 1 s; started again, writes succeed within 15 s by themselves.
(b) SQLite (backend sqlite): the data folder removed under load (writes and /readyz 503, no
    write acknowledged and lost); the folder made read-only (writes 503; every acknowledged
    write still there after a restart); restart on a folder whose database vanished refuses to
    start instead of creating an empty database.
    Root ignores file permissions, so the read-only server runs as `nobody` through
    `setpriv --reuid=65534 --regid=65534 --clear-groups` on a copy of the binary in the temp
    root (the build folder under /root is not reachable for nobody).
(c) both: `kill -9` during a multi-quarter CSV import: after restart all quarters of that
    import are stored or none.
(d) both: SIGTERM while slow requests are in flight: they finish with a normal response.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

from server import Api, Area, Ctx, PgCluster, Resp, Sample, psql, with_db

GRACE_S = 1.0  # requests started this long after a fault may still see the old world


def run(ctx: Ctx, area: Area) -> None:
    steps = [pg_outage] if ctx.backend == "postgres" else [sqlite_removed, sqlite_readonly, sqlite_vanished]
    steps += [kill9_import, sigterm_in_flight]
    for step in steps:
        try:
            step(ctx, area)
        except Exception as e:
            import traceback
            area.check(False, f"suite error in faults.{step.__name__}: {e!r}",
                       " | ".join(traceback.format_exc(limit=4).strip().splitlines()[-3:]))
        finally:
            for s in ctx.servers:
                s.kill()


# --------------------------------------------------------------------------------------------


class Load:
    """A few clients mixing report writes, reads and /readyz; records (start time, kind, Resp)."""

    def __init__(self, base: str, ctx: Ctx, sample: Sample, clients: int = 4, periods=None):
        self.base = base
        self.ctx = ctx
        self.s = sample
        self.stop = threading.Event()
        self.log: list[tuple[float, str, str, Resp]] = []
        self.lock = threading.Lock()
        self.periods = periods or ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
        self.threads = [threading.Thread(target=self.client, args=(i,), daemon=True) for i in range(clients)]
        self.jobs = 100

    def client(self, i: int) -> None:
        api = Api(self.base, timeout=20)
        token = self.ctx.token("admin")
        n = 0
        while not self.stop.is_set():
            n += 1
            period = self.periods[(i + n) % len(self.periods)]
            path = f"/api/v1/owes/{self.s.owes_pn}/reports/{period}"
            kind = ("write", "read", "ready")[n % 3] if i % 2 == 0 else ("write", "read")[n % 2]
            t0 = time.monotonic()
            if kind == "write":
                with self.lock:
                    self.jobs += 1
                    jobs = self.jobs
                r = api.put(path, token, {"values": self.s.owes_values(jobs=jobs)})
                r.jobs = jobs
            elif kind == "read":
                r = api.get(path, token)
            else:
                r = api.get("/readyz")
            with self.lock:
                self.log.append((t0, kind, path, r))
            time.sleep(0.02)

    def start(self) -> "Load":
        for t in self.threads:
            t.start()
        return self

    def finish(self, timeout: float = 25) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout)

    def since(self, t: float) -> list[tuple[float, str, str, Resp]]:
        with self.lock:
            return [x for x in self.log if x[0] >= t]


def pg_outage(ctx: Ctx, area: Area) -> None:
    cluster = PgCluster(ctx.root)
    try:
        cluster.init()
        cluster.start()
        r = psql(cluster.url, "CREATE DATABASE rops")
        if r.returncode != 0:
            raise RuntimeError(f"CREATE DATABASE on the throwaway cluster: {r.stderr}")
        server = ctx.new_server("pg-outage", database_url=with_db(cluster.url, "rops"))
        api = Api(server.base)
        admin = ctx.token("admin")
        s = Sample(api, admin)
        load = Load(server.base, ctx, s).start()
        time.sleep(2)
        t_stop = time.monotonic()
        cluster.stop("immediate")
        stopped_at = time.monotonic()
        time.sleep(6)
        load.finish(timeout=25)
        before = [x for x in load.log if x[0] + x[3].elapsed < t_stop]
        bad_before = [x[3] for x in before if x[3].status is None or x[3].status >= 500]
        area.check(bool(before) and not bad_before, "PostgreSQL up: no 5xx under load",
                   bad_before[0].short() if bad_before else f"{len(before)} requests")
        # Requests sent while the cluster stopped may still succeed; after that every one is
        # 503 problem+json, answered within 1 s of the later of its start and the stop.
        during = load.since(t_stop)
        area.check(len(during) > 0, "requests were made while PostgreSQL was down", f"{len(during)} requests")
        for t0, kind, path, r in during:
            allowance = 1.0 + max(0.0, stopped_at - t0)
            ok = ((r.status == 503 and r.is_problem()) or (t0 < stopped_at and r.status in (200, 201))) \
                and r.elapsed <= allowance
            area.check(ok, f"PostgreSQL down: {kind} answers 503 problem+json within 1 s", r.short(),
                       key=f"pg down {kind}: {r.status} {'slow' if r.elapsed > allowance else ''}")
        probe = Api(server.base)
        for path in ("/readyz", f"/api/v1/owes/{s.owes_pn}/reports/2024-Q1", "/api/v1/rollups/regions/16?year=2024"):
            r = probe.get(path, admin, timeout=20)
            area.check(r.status == 503 and r.is_problem() and r.elapsed <= 1.0,
                       f"PostgreSQL down: GET {path} answers 503 problem+json within 1 s", r.short())
        r = probe.get("/healthz", timeout=5)
        area.check(r.status == 200 and r.elapsed <= 1.0, "PostgreSQL down: /healthz still answers 200", r.short())
        # Back up: writes succeed again by themselves within 15 s.
        cluster.start()
        t_up = time.monotonic()
        recovered = None
        last = None
        while time.monotonic() - t_up < 15:
            last = probe.put(f"/api/v1/owes/{s.owes_pn}/reports/2024-Q2", admin,
                             {"values": s.owes_values(jobs=77)}, timeout=5)
            if last.status in (200, 201):
                recovered = time.monotonic() - t_up
                break
            time.sleep(0.5)
        area.check(recovered is not None, "PostgreSQL back: writes succeed again within 15 s",
                   last.short() if last else None)
        if recovered is not None:
            area.note(f"PostgreSQL back: first write succeeded after {recovered:.1f} s")
        r = probe.get("/readyz", timeout=5)
        area.check(r.status == 200, "PostgreSQL back: /readyz 200", r.short())
        server.stop()
    finally:
        cluster.destroy()


def sqlite_removed(ctx: Ctx, area: Area) -> None:
    server = ctx.new_server("sqlite-removed")
    api = Api(server.base)
    s = Sample(api, ctx.token("admin"))
    load = Load(server.base, ctx, s).start()
    time.sleep(1.5)
    t_rm = time.monotonic()
    remove_folder(server.data_dir)
    time.sleep(GRACE_S + 3)
    load.finish()
    after = load.since(t_rm + GRACE_S)
    writes = [x for x in after if x[1] == "write"]
    ready = [x for x in after if x[1] == "ready"]
    area.check(bool(writes) and bool(ready), "requests were made after the data folder was removed",
               f"{len(writes)} writes, {len(ready)} readyz")
    for _, kind, path, r in writes + ready:
        ok = r.status == 503 and r.is_problem()
        what = "write" if kind == "write" else "/readyz"
        if r.status is not None and r.status < 300 and kind == "write":
            label = f"data folder removed: a write was acknowledged ({r.status}) into a database that no longer exists (lost)"
        else:
            label = f"data folder removed: {what} answers 503 problem+json"
        area.check(ok, label, r.short(), key=f"removed {kind}: {r.status}")
    server.stop()


def remove_folder(folder: Path) -> None:
    """Takes the folder away at once (a rename: the server may be creating a journal in it
    right now), then deletes it."""
    gone = folder.with_name(folder.name + ".removed")
    os.rename(folder, gone)
    for _ in range(5):
        shutil.rmtree(gone, ignore_errors=True)
        if not gone.exists():
            break
        time.sleep(0.1)


def nobody_binary(ctx: Ctx) -> str:
    dst = ctx.root / "bin" / "rops-hub"
    if not dst.exists():
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ctx.binary, dst)
        os.chmod(dst.parent, 0o755)
        os.chmod(dst, 0o755)
    return str(dst)


def sqlite_readonly(ctx: Ctx, area: Area) -> None:
    if os.geteuid() != 0:
        run_as = None  # already unprivileged: permissions apply
    else:
        run_as = "65534"
    data_dir = ctx.root / "sqlite-readonly" / "data"
    data_dir.mkdir(parents=True)
    os.chmod(data_dir.parent, 0o755)
    if run_as:
        os.chown(data_dir, 65534, 65534)
    server = ctx.new_server("sqlite-readonly", data_dir=data_dir, run_as=run_as,
                            binary=nobody_binary(ctx) if run_as else None)
    api = Api(server.base)
    admin = ctx.token("admin")
    s = Sample(api, admin)
    periods = ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
    load = Load(server.base, ctx, s, clients=2, periods=periods).start()
    time.sleep(1.5)
    t_ro = time.monotonic()
    files = [p for p in data_dir.iterdir()]
    for p in files:
        os.chmod(p, 0o444)
    os.chmod(data_dir, 0o555)
    time.sleep(GRACE_S + 3)
    r_ready = Api(server.base).get("/readyz")
    load.finish()
    area.note(f"read-only folder ({', '.join(sorted(p.name for p in files))} 444, folder 555, server as "
              f"{'nobody' if run_as else 'this user'}): /readyz {r_ready.status}")
    after = [x for x in load.since(t_ro + GRACE_S) if x[1] == "write"]
    area.check(bool(after), "writes were made after the folder became read-only", f"{len(after)} writes")
    for _, kind, path, r in after:
        area.check(r.status == 503 and r.is_problem(), "read-only data folder: writes answer 503 problem+json",
                   r.short(), key=f"read-only write: {r.status}")
    acknowledged = [(path, r) for _, kind, path, r in load.log if kind == "write" and r.status in (200, 201)]
    server.stop()
    # Writable again, restarted: every acknowledged write is there.
    os.chmod(data_dir, 0o755)
    for p in data_dir.iterdir():
        os.chmod(p, 0o644)
    server.restart()
    api = Api(server.base)
    revisions = {}
    for p in periods:
        path = f"/api/v1/owes/{s.owes_pn}/reports/{p}"
        doc = api.get(path + "/revisions", admin).json() or []
        revisions[path] = {rv.get("revision"): (rv.get("values") or {}).get("jobs_created") for rv in doc} if isinstance(doc, list) else {}
    lost = []
    for path, r in acknowledged:
        rev = etag_revision(r)
        if revisions.get(path, {}).get(rev) != getattr(r, "jobs", None):
            lost.append(f"{path} revision {rev} jobs_created {getattr(r, 'jobs', None)}")
    area.check(bool(acknowledged), "some writes were acknowledged before the folder became read-only")
    area.check(not lost, f"every acknowledged write ({len(acknowledged)}) is there after a restart",
               f"{len(lost)} lost, e.g. {lost[0]}" if lost else None)
    server.stop()


def etag_revision(r: Resp) -> int | None:
    etag = r.headers.get("etag", "").strip('W/"')
    try:
        return int(etag)
    except ValueError:
        doc = r.json() or {}
        return doc.get("revision")


def sqlite_vanished(ctx: Ctx, area: Area) -> None:
    server = ctx.new_server("sqlite-vanished")
    server.stop()
    db = server.data_dir / "rops-hub.db"
    had = sorted(p.name for p in server.data_dir.iterdir())
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    left = sorted(p.name for p in server.data_dir.iterdir())
    server.launch()
    started = server.wait_listening(15)
    if not started:
        try:
            server.proc.wait(5)
        except Exception:
            pass
    code = server.proc.poll()
    log = server.log_text()[-2000:]
    server.kill()
    area.note(f"database vanished: the folder held {had}, after removing the database {left}")
    area.check(not started and code not in (None, 0),
               "restart on a data folder whose database vanished must refuse to start (non-zero exit)",
               f"started={started} exit={code}")
    area.check(not db.exists(), "…and must not create an empty database", f"{db} was created again")
    last = log.strip().splitlines()[-1] if log.strip() else ""
    area.check(not started and "database" in log.lower(), "…with a clear message naming the database",
               last[:300])


def kill9_import(ctx: Ctx, area: Area) -> None:
    """kill -9 while a 14-quarter CSV import runs: after restart all quarters or none."""
    server = ctx.new_server("kill9")
    api = Api(server.base)
    admin = ctx.token("admin")
    s = Sample(api, admin)
    quarters = [f"{y}-Q{q}" for y in range(2023, 2027) for q in range(1, 5)][2:]  # 2023-Q3 ..
    now = time.gmtime()
    current = f"{now.tm_year}-Q{(now.tm_mon - 1) // 3 + 1}"
    quarters = [q for q in quarters if q <= current]

    def csv_for(marker: int) -> bytes:
        rows = ["period,indicator,value"]
        for q in quarters:
            for code in s.owes_indicators:
                v = marker if code == "jobs_created" else 0 if code == "ps_jobs_created_with_grants" else 1
                rows.append(f"{q},{code},{v}")
        return ("\n".join(rows) + "\n").encode()

    path = f"/api/v1/owes/{s.owes_pn}/reports/import"
    t0 = time.monotonic()
    r = api.call("POST", path, admin, data=csv_for(1000), content_type="text/csv", timeout=30)
    took = time.monotonic() - t0
    area.check(r.status in (200, 201), f"a {len(quarters)}-quarter import is accepted", r.short())
    area.note(f"kill -9: a {len(quarters)}-quarter import takes {took * 1000:.0f} ms")
    delays = [took * f for f in (0.1, 0.3, 0.5, 0.7, 0.9, 1.2)]
    outcomes = []
    for attempt, delay in enumerate(delays, start=1):
        marker = 1000 + attempt
        body = csv_for(marker)
        thread = threading.Thread(target=lambda: Api(server.base).call(
            "POST", path, admin, data=body, content_type="text/csv", timeout=10), daemon=True)
        thread.start()
        time.sleep(delay)
        server.proc.kill()
        server.proc.wait(10)
        thread.join(10)
        server.restart()
        api = Api(server.base)
        got = {}
        for q in quarters:
            doc = api.get(f"/api/v1/owes/{s.owes_pn}/reports/{q}", admin).json() or {}
            got[q] = (doc.get("values") or {}).get("jobs_created")
        hits = [q for q in quarters if got[q] == marker]
        outcomes.append("all" if len(hits) == len(quarters) else "none" if not hits else f"{len(hits)}")
        area.check(len(hits) in (0, len(quarters)),
                   f"kill -9 after {delay * 1000:.0f} ms of an import: all quarters or none stored",
                   f"{len(hits)} of {len(quarters)} quarters hold the import's values: {hits[:4]}")
    area.note(f"kill -9 during imports: quarters stored per attempt: {', '.join(outcomes)}")
    server.stop()


def sigterm_in_flight(ctx: Ctx, area: Area) -> None:
    """SIGTERM while slow requests are in flight: each finishes with a normal response."""
    server = ctx.new_server("sigterm")
    api = Api(server.base)
    admin = ctx.token("admin")
    s = Sample(api, admin)
    port = server.port
    results: dict[int, bytes] = {}

    def slow_upload(i: int) -> None:
        import json
        body = json.dumps({"values": s.owes_values(jobs=10 + i)}).encode()
        head = (f"PUT /api/v1/owes/{s.owes_pn}/reports/2024-Q{i + 1} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                f"Authorization: Bearer {admin}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
        data = b""
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
                sock.sendall(head + body[:10])
                time.sleep(1.0)  # SIGTERM arrives meanwhile
                sock.sendall(body[10:])
                while True:
                    chunk = sock.recv(65536)
                    if not chunk:
                        break
                    data += chunk
        except OSError as e:
            data += f"<{type(e).__name__}>".encode()
        results[i] = data

    rollups: dict[int, Resp] = {}

    def rollup(i: int) -> None:
        rollups[i] = Api(server.base).get("/api/v1/rollups/regions/16?year=2024&format=xlsx", admin, timeout=20)

    threads = [threading.Thread(target=slow_upload, args=(i,), daemon=True) for i in range(4)]
    threads += [threading.Thread(target=rollup, args=(i,), daemon=True) for i in range(2)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    t_term = time.monotonic()
    server.proc.terminate()
    for t in threads:
        t.join(25)
    try:
        code = server.proc.wait(20)
    except Exception:
        code = None
    exited_after = time.monotonic() - t_term
    for i in range(4):
        data = results.get(i, b"")
        first = data.split(b"\r\n", 1)[0]
        area.check(first.startswith(b"HTTP/1.1 20"), f"SIGTERM: slow upload {i + 1} in flight finishes with a normal response",
                   f"got {first[:100]!r} ({len(data)} B)", key="sigterm upload")
    for i, r in rollups.items():
        area.check(r.status == 200, "SIGTERM: a rollup in flight finishes with 200", r.short(), key="sigterm rollup")
    area.check(code == 0, "SIGTERM: the server then exits with 0", f"exit {code} after {exited_after:.1f} s")
    server.kill()
