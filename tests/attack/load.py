"""load: 16 clients for ~20 s mixing writes (OWES report PUTs with If-Match read first and
without, submit/approve/return/reopen, LPRES puts, events) and reads (reports, revisions,
rollups). Then:
- no 5xx and no request left unanswered;
- a PUT without If-Match never answers 412;
- every report's revisions are gapless 1..n, and each acknowledged write is the revision its
  ETag named, with the values that were sent;
- the region rollup of `jobs_created` over 2024 (approved_only, and all counted statuses)
  equals the sum recomputed from the reports' final state.
"""

from __future__ import annotations

import random
import threading
import time

from server import Api, Area, Ctx, Resp, Sample

DURATION_S = 20
CLIENTS = 16
PERIODS = ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]


def etag_of(r: Resp) -> int | None:
    try:
        return int(r.headers.get("etag", "").replace("W/", "").strip('"'))
    except ValueError:
        return None


class Run:
    def __init__(self, ctx: Ctx, area: Area):
        self.ctx = ctx
        self.area = area
        self.server = ctx.new_server("load", extra_env={"RUST_LOG": "warn"})
        self.admin = ctx.token("admin")
        self.analyst = ctx.token("analyst")
        api = Api(self.server.base)
        self.s = Sample(api, self.admin)
        self.owes = self.s.owes[:3]
        self.reports = [f"/api/v1/owes/{o}/reports/{p}" for o in self.owes for p in PERIODS]
        self.lock = threading.Lock()
        self.responses: list[tuple[str, Resp]] = []
        self.writes: list[tuple[str, int, dict]] = []  # report, revision, values sent
        self.events: list[str] = []
        self.deadline = 0.0
        for path in self.reports:
            r = api.put(path, self.admin, {"values": self.s.owes_values(jobs=1)})
            if r.status in (200, 201):
                self.writes.append((path, etag_of(r), self.s.owes_values(jobs=1)))

    def record(self, label: str, r: Resp) -> Resp:
        with self.lock:
            self.responses.append((label, r))
        return r

    def values(self, rng: random.Random) -> dict:
        jobs = rng.randint(0, 20)
        v = self.s.owes_values(jobs=jobs)
        v["ps_jobs_created_with_grants"] = rng.randint(0, jobs)
        return v

    def put_report(self, api: Api, token: str, path: str, rng: random.Random, with_if_match: bool) -> None:
        values = self.values(rng)
        headers = {}
        if with_if_match:
            g = self.record("GET report", api.get(path, token))
            if g.headers.get("etag"):
                headers["If-Match"] = g.headers["etag"]
        r = self.record("PUT report with If-Match" if with_if_match else "PUT report without If-Match",
                        api.put(path, token, {"values": values}, headers=headers))
        if r.status in (200, 201):
            with self.lock:
                self.writes.append((path, etag_of(r), values))

    def editor(self, i: int) -> None:
        """An OWES (or an analyst) editing reports and submitting them."""
        rng = random.Random(i)
        api = Api(self.server.base, timeout=15)
        owes = self.owes[i % len(self.owes)]
        token = self.ctx.token("owes", owes) if i % 2 == 0 else self.analyst
        while time.monotonic() < self.deadline:
            path = f"/api/v1/owes/{owes}/reports/{rng.choice(PERIODS)}"
            roll = rng.random()
            if roll < 0.4:
                self.put_report(api, token, path, rng, with_if_match=True)
            elif roll < 0.75:
                self.put_report(api, token, path, rng, with_if_match=False)
            else:
                g = self.record("GET report", api.get(path, token))
                self.record("submit", api.post(path + "/submit", token, {},
                                               headers={"If-Match": g.headers.get("etag", '"0"')}))

    def reviewer(self, i: int) -> None:
        rng = random.Random(100 + i)
        api = Api(self.server.base, timeout=15)
        while time.monotonic() < self.deadline:
            path = rng.choice(self.reports)
            g = self.record("GET report", api.get(path, self.analyst))
            status = (g.json() or {}).get("status")
            headers = {"If-Match": g.headers["etag"]} if g.headers.get("etag") and rng.random() < 0.5 else {}
            if status == "submitted":
                step = "approve" if rng.random() < 0.7 else "return"
            elif status == "approved" and rng.random() < 0.3:
                step = "reopen"
            elif status in ("draft", "returned"):
                self.put_report(api, self.analyst, path, rng, with_if_match=rng.random() < 0.5)
                continue
            else:
                continue
            self.record(step, api.post(f"{path}/{step}", self.analyst,
                                       {"reason": "load test"} if step != "approve" else {}, headers=headers))

    def gmina(self, i: int) -> None:
        rng = random.Random(200 + i)
        api = Api(self.server.base, timeout=15)
        teryt = self.s.gminas[i % len(self.s.gminas)]
        token = self.ctx.token("gmina", teryt)
        while time.monotonic() < self.deadline:
            status = rng.choice(["none", "in_preparation", "draft"])
            body = {"status": status}
            if rng.random() < 0.5:
                g = self.record("GET lpres", api.get(f"/api/v1/gminas/{teryt}/lpres", token))
                headers = {"If-Match": g.headers["etag"]} if g.headers.get("etag") else {}
                self.record("PUT lpres with If-Match", api.put(f"/api/v1/gminas/{teryt}/lpres", token, body, headers=headers))
            else:
                self.record("PUT lpres without If-Match", api.put(f"/api/v1/gminas/{teryt}/lpres", token, body))

    def register(self, i: int) -> None:
        rng = random.Random(300 + i)
        api = Api(self.server.base, timeout=15)
        mine = []
        while time.monotonic() < self.deadline:
            body = {"type": rng.choice(self.s.event_types), "date": f"2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                    "subregion": rng.choice(self.s.subregions + [None]), "title": f"load {i}",
                    "participants": rng.randint(0, 50)}
            if mine and rng.random() < 0.5:
                eid = rng.choice(mine)
                self.record("PUT event", api.put(f"/api/v1/events/{eid}", self.analyst, body))
            else:
                r = self.record("POST event", api.post("/api/v1/regions/16/events", self.analyst, body))
                if r.status == 201 and (r.json() or {}).get("id"):
                    mine.append(r.json()["id"])
        with self.lock:
            self.events += mine

    def reader(self, i: int) -> None:
        rng = random.Random(400 + i)
        api = Api(self.server.base, timeout=15)
        while time.monotonic() < self.deadline:
            path = rng.choice([
                "/api/v1/rollups/regions/16?year=2024",
                "/api/v1/rollups/regions/16?year=2024&approved_only=true",
                f"/api/v1/rollups/subregions/{rng.choice(self.s.subregions)}?year=2024",
                "/api/v1/reports?region=16",
                rng.choice(self.reports) + "/revisions",
                rng.choice(self.reports),
            ])
            self.record("read", api.get(path, self.analyst))

    def go(self) -> None:
        roles = ([self.editor] * 6 + [self.reviewer] * 4 + [self.gmina] * 2 + [self.register] * 2
                 + [self.reader] * 2)
        assert len(roles) == CLIENTS
        self.deadline = time.monotonic() + DURATION_S
        threads = [threading.Thread(target=fn, args=(i,), daemon=True) for i, fn in enumerate(roles)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(DURATION_S + 40)
        self.area.check(not any(t.is_alive() for t in threads), "every load client finished in time")

    def verify(self) -> None:
        area = self.area
        by_label: dict[str, int] = {}
        for label, r in self.responses:
            by_label[label] = by_label.get(label, 0) + 1
            area.check(r.status is not None and r.status < 500, f"{label}: no 5xx and no dropped request under load",
                       r.short(), key=f"5xx {label} {r.status}")
            if label.endswith("without If-Match"):
                area.check(r.status != 412, f"{label}: never 412 (no precondition was sent)", r.short(),
                           key=f"412 {label}")
        area.note(f"{len(self.responses)} requests in {DURATION_S} s by {CLIENTS} clients; "
                  f"{len(self.writes)} acknowledged report writes")
        api = Api(self.server.base, timeout=30)
        final = {}
        for path in self.reports:
            revs = api.get(path + "/revisions", self.admin).json()
            numbers = [rv.get("revision") for rv in revs] if isinstance(revs, list) else []
            area.check(numbers == list(range(1, len(numbers) + 1)) and numbers,
                       "every report's revisions are gapless 1..n", f"{path}: {numbers[:12]}…")
            final[path] = api.get(path, self.admin).json() or {}
            by_rev = {rv.get("revision"): rv.get("values") for rv in revs} if isinstance(revs, list) else {}
            for wpath, rev, values in self.writes:
                if wpath != path:
                    continue
                stored = by_rev.get(rev) or {}
                area.check(all(stored.get(k) == v for k, v in values.items()),
                           "each acknowledged write is stored as the revision its ETag named",
                           f"{path} revision {rev}: sent jobs_created {values.get('jobs_created')}, "
                           f"stored {stored.get('jobs_created')}", key="write vs revision")
        for event_id in self.events:
            doc = api.get(f"/api/v1/events/{event_id}", self.admin).json() or {}
            numbers = [rv.get("revision") for rv in doc.get("revisions", [])]
            area.check(numbers == list(range(1, len(numbers) + 1)) and numbers,
                       "every event's revisions are gapless 1..n", f"event {event_id}: {numbers[:12]}")
        for approved_only, statuses in ((True, ("approved",)), (False, ("submitted", "approved"))):
            counted = [d for d in final.values() if d.get("status") in statuses
                       and (d.get("values") or {}).get("jobs_created") is not None]
            expected = sum(d["values"]["jobs_created"] for d in counted) if counted else None
            url = "/api/v1/rollups/regions/16?year=2024" + ("&approved_only=true" if approved_only else "")
            r = api.get(url, self.analyst)
            doc = r.json() or {}
            got = next((i.get("value") for i in doc.get("indicators", []) if i.get("code") == "jobs_created"), "missing")
            # Other OWES of the region (not written here) hold no reports: nothing else counts.
            area.check(r.status == 200 and got == expected,
                       f"region rollup jobs_created 2024{' approved_only' if approved_only else ''} equals the "
                       f"sum of the final reports", f"rollup {got}, recomputed {expected} from {len(counted)} reports")
        area.note("statuses at the end: " + ", ".join(
            f"{k} {sum(1 for d in final.values() if d.get('status') == k)}"
            for k in ("draft", "submitted", "returned", "approved")))


def run(ctx: Ctx, area: Area) -> None:
    run_ = Run(ctx, area)
    run_.go()
    run_.verify()
    area.check_log(run_.server, "load")
    run_.server.stop()
