"""Shared machinery of the attack suite: results, tokens, an HTTP client that never raises,
starting and stopping `rops-hub` on a fresh SQLite folder or PostgreSQL database, and a
throwaway PostgreSQL cluster for the fault area.

Everything talks to 127.0.0.1 only. Every wait is bounded.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]
SPEC_PATH = REPO / "api-spec" / "openapi.json"
PROBLEM_JSON = "application/problem+json"
ROLES = ("admin", "analyst", "owes", "gmina", "entity")


# --------------------------------------------------------------------------------------------
# Results


class Area:
    """The cases of one area: how many were tried, how many held, and the failures.
    Failures with the same `key` are listed once, with a count of the others like it."""

    MAX_LINES = 30  # `--all-failures` lifts the cap

    def __init__(self, name: str):
        self.name = name
        self.tried = 0
        self.held = 0
        self.failures: list[list] = []  # [text, how many more like it, subjects seen]
        self._by_key: dict[str, list] = {}
        self.notes: list[str] = []
        self.lock = threading.Lock()

    def check(self, ok: bool, label: str, detail: str | None = None, key: str | None = None) -> bool:
        with self.lock:
            self.tried += 1
            if ok:
                self.held += 1
                return True
            k = key or label
            subject = label.split(":", 1)[0] if ":" in label else ""
            if k in self._by_key:
                entry = self._by_key[k]
                entry[1] += 1
                if subject and subject not in entry[2]:
                    entry[2].append(subject)
            else:
                entry = [label if not detail else f"{label}\n      {detail}", 0, [subject] if subject else []]
                self.failures.append(entry)
                self._by_key[k] = entry
        return False

    def note(self, text: str) -> None:
        with self.lock:
            if text not in self.notes:
                self.notes.append(text)

    def check_log(self, server: "Server", what: str = "a client's request") -> None:
        """No `"level":"ERROR"` line in the server's JSON log: nothing a client sends is an
        error of the server. One failure per distinct message, with an example line."""
        lines = server.error_lines()
        kinds: dict[str, list[str]] = {}
        for ln in lines:
            try:
                doc = json.loads(ln)
                k = f"{doc.get('target', '?')}: {doc.get('message', '?')}"
            except ValueError:
                k = ln[:80]
            kinds.setdefault(k, []).append(ln)
        summary = "; ".join(f"{len(v)}x `{k}`" for k, v in sorted(kinds.items(), key=lambda kv: -len(kv[1]))[:4])
        self.check(not lines, f"server logged {len(lines)} ERROR line(s) for {what}: {summary}",
                   lines[0][:300] if lines else None)

    @property
    def ok(self) -> bool:
        return self.tried > 0 and self.held == self.tried

    def report(self, cap: bool = True) -> str:
        lines = [f"{self.name}: {self.tried} cases tried, {self.held} held"]
        shown_notes = self.notes if not cap else self.notes[:12]
        for n in shown_notes:
            lines.append(f"  note: {n}")
        if len(shown_notes) < len(self.notes):
            lines.append(f"  note: … and {len(self.notes) - len(shown_notes)} more notes")
        # One line per kind of failure (label, how many more, and an example request and
        # response); with --all-failures, the example on its own full line.
        budget = self.MAX_LINES if cap else 1 << 30
        shown = 0
        for text, more, subjects in self.failures:
            label, _, detail = text.partition("\n")
            if more:
                label += f" (+{more} more like this"
                if len(subjects) > 1:
                    label += ", also in " + ", ".join(subjects[1:6]) + ("…" if len(subjects) > 6 else "")
                label += ")"
            if budget <= 0:
                break
            budget -= 1
            shown += 1
            if cap:
                line = "  FAIL " + label + (" :: " + detail.strip() if detail else "")
                lines.append(line if len(line) <= 400 else line[:399] + "…")
            else:
                lines.append("  FAIL " + label)
                if detail:
                    lines.append("      " + detail.strip())
        if shown < len(self.failures):
            rest = sum(1 + m for _, m, _ in self.failures[shown:])
            lines.append(f"  … and {rest} more failing cases of {len(self.failures) - shown} other kinds (--all-failures lists them)")
        return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Tokens (HS256 by hand so that every header and signature can be forged)


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt_encode(claims: dict, key: bytes, header: dict | None = None, alg: str = "HS256") -> str:
    hdr = {"alg": alg, "typ": "JWT"} if header is None else header
    signing_input = b64u(json.dumps(hdr, separators=(",", ":")).encode()) + "." + b64u(
        json.dumps(claims, separators=(",", ":")).encode()
    )
    digest = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}[alg]
    sig = hmac.new(key, signing_input.encode(), digest).digest()
    return signing_input + "." + b64u(sig)


def claims_for(role: str, org: str | None = None, sub: str | None = None, ttl: int = 3600) -> dict:
    now = int(time.time())
    c = {"sub": sub or f"attack-{role}", "role": role, "exp": now + ttl, "iat": now}
    if org is not None:
        c["org"] = org
    return c


# --------------------------------------------------------------------------------------------
# HTTP


@dataclass
class Resp:
    method: str
    url: str
    status: int | None  # None: no HTTP answer (connection error, timeout)
    headers: dict = field(default_factory=dict)
    body: bytes = b""
    elapsed: float = 0.0
    error: str | None = None
    req_body: bytes | None = None
    authenticated: bool = False

    @property
    def ctype(self) -> str:
        return self.headers.get("content-type", "")

    def json(self):
        try:
            return json.loads(self.body)
        except Exception:
            return None

    def is_problem(self) -> bool:
        """An RFC 9457 document whose status matches the response's."""
        if not self.ctype.lower().startswith(PROBLEM_JSON):
            return False
        doc = self.json()
        return (
            isinstance(doc, dict)
            and doc.get("status") == self.status
            and isinstance(doc.get("title"), str)
            and isinstance(doc.get("type"), str)
        )

    def short(self, limit: int = 220) -> str:
        """One line: request and response, for failure messages."""
        path = self.url.split("://", 1)[-1]
        path = path[path.find("/"):] if "/" in path else path
        if len(path) > 120:
            path = path[:100] + f"…({len(path)} chars)"
        req = f"{self.method} {path}"
        if self.req_body:
            rb = self.req_body[:80]
            req += f" body={rb!r}" + (f"…({len(self.req_body)} B)" if len(self.req_body) > 80 else "")
        if self.status is None:
            return f"{req} -> no answer ({self.error}) after {self.elapsed:.2f}s"
        body = self.body[:limit].decode("utf-8", "replace").replace("\n", "\\n")
        more = f"…({len(self.body)} B)" if len(self.body) > limit else ""
        return f"{req} -> {self.status} [{self.ctype or 'no content-type'}] {self.elapsed:.2f}s {body}{more}"


class Api:
    """A small client bound to one server; every call returns a Resp and never raises.
    One per thread (requests.Session is not shared across threads)."""

    def __init__(self, base: str, observer: list | None = None, timeout: float = 15.0):
        self.base = base.rstrip("/")
        self.session = requests.Session()
        self.session.trust_env = False  # never a proxy
        self.observer = observer
        self.timeout = timeout

    def call(
        self,
        method: str,
        path: str,
        token: str | None = None,
        json_body=None,
        data: bytes | str | None = None,
        headers: dict | None = None,
        timeout: float | None = None,
        content_type: str | None = None,
    ) -> Resp:
        h = {}
        if token is not None:
            h["Authorization"] = f"Bearer {token}"
        if json_body is not None:
            data = json.dumps(json_body, ensure_ascii=False).encode()
            content_type = content_type or "application/json"
        if isinstance(data, str):
            data = data.encode()
        if content_type is not None:
            h["Content-Type"] = content_type
        if headers:
            h.update(headers)
        url = path if path.startswith("http") else self.base + path
        t0 = time.monotonic()
        try:
            r = self.session.request(
                method, url, data=data, headers=h, timeout=timeout or self.timeout, allow_redirects=False
            )
            resp = Resp(
                method,
                url,
                r.status_code,
                {k.lower(): v for k, v in r.headers.items()},
                r.content,
                time.monotonic() - t0,
                req_body=data,
                authenticated="Authorization" in h,
            )
        except requests.RequestException as e:
            resp = Resp(method, url, None, {}, b"", time.monotonic() - t0, error=type(e).__name__,
                        req_body=data, authenticated="Authorization" in h)
        if self.observer is not None and resp.status is not None:
            self.observer.append(resp)
        return resp

    def get(self, path, token=None, **kw):
        return self.call("GET", path, token, **kw)

    def put(self, path, token=None, body=None, **kw):
        return self.call("PUT", path, token, json_body=body, **kw)

    def post(self, path, token=None, body=None, **kw):
        return self.call("POST", path, token, json_body=body, **kw)


def check_hygiene(area: Area, responses: list[Resp]) -> None:
    """X-Content-Type-Options: nosniff on every response; Cache-Control: no-store on every
    response to a request that carried a token (success or error)."""
    for r in list(responses):
        area.check(r.headers.get("x-content-type-options", "").lower() == "nosniff",
                   "every response carries X-Content-Type-Options: nosniff", r.short(100), key="nosniff missing")
        if r.authenticated:
            area.check("no-store" in r.headers.get("cache-control", "").lower(),
                       "every authenticated response carries Cache-Control: no-store", r.short(100),
                       key="no-store missing")


def raw_request(port: int, payload: bytes, timeout: float = 5.0, read_limit: int = 1 << 20) -> tuple[bytes, float]:
    """Sends bytes on a fresh TCP connection and reads until the peer closes or the timeout.
    Returns what was read and the seconds it took."""
    t0 = time.monotonic()
    data = b""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.settimeout(timeout)
            try:
                s.sendall(payload)
            except OSError:
                pass
            while len(data) < read_limit and time.monotonic() - t0 < timeout:
                try:
                    chunk = s.recv(65536)
                except socket.timeout:
                    break
                except OSError:
                    break
                if not chunk:
                    break
                data += chunk
                if _complete_response(data):
                    break
    except OSError:
        pass
    return data, time.monotonic() - t0


def _complete_response(data: bytes) -> bool:
    while re.match(rb"HTTP/1\.[01] 1\d\d", data) and b"\r\n\r\n" in data:
        data = data.partition(b"\r\n\r\n")[2]
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        return False
    m = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    if m:
        return len(body) >= int(m.group(1))
    return False


def parse_raw(data: bytes) -> tuple[int | None, dict, bytes]:
    """Status, lower-cased headers and body of a raw HTTP/1.1 response (after any 1xx)."""
    while re.match(rb"HTTP/1\.[01] 1\d\d", data) and b"\r\n\r\n" in data:
        data = data.partition(b"\r\n\r\n")[2]
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    m = re.match(rb"HTTP/1\.[01] (\d{3})", lines[0] if lines else b"")
    if not m:
        return None, {}, body
    headers = {}
    for ln in lines[1:]:
        k, _, v = ln.partition(b":")
        headers[k.strip().lower().decode("latin-1")] = v.strip().decode("latin-1")
    return int(m.group(1)), headers, body


def quote(s: str) -> str:
    return urllib.parse.quote(s, safe="")


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    v = sorted(values)
    k = min(len(v) - 1, max(0, int(round(p / 100.0 * (len(v) - 1)))))
    return v[k]


# --------------------------------------------------------------------------------------------
# PostgreSQL


def psql(url: str, sql: str, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["psql", url, "-v", "ON_ERROR_STOP=1", "-qAtc", sql],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def with_db(url: str, db: str) -> str:
    p = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((p.scheme, p.netloc, "/" + db, p.query, p.fragment))


class PgCluster:
    """A throwaway PostgreSQL cluster in a temp folder on its own port, run as `postgres`
    (initdb refuses root). Never touches the shared server on 5432."""

    def __init__(self, root: Path, port: int | None = None):
        self.bindir = self._bindir()
        self.dir = root / "pgcluster"
        self.port = port or free_port(55432)
        self.started = False

    @staticmethod
    def _bindir() -> str:
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
        if not found:
            raise RuntimeError("no PostgreSQL binaries under /usr/lib/postgresql/*/bin")
        return str(found[-1].parent)

    def _as_pg(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        cmd = list(args)
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--"] + cmd
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)

    def init(self) -> None:
        self.dir.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(self.dir.parent, "postgres")
            shutil.chown(self.dir, "postgres")
        r = self._as_pg(f"{self.bindir}/initdb", "-D", str(self.dir / "data"), "-U", "postgres",
                        "--auth=trust", "--no-sync", "-E", "UTF8")
        if r.returncode != 0:
            raise RuntimeError(f"initdb failed: {r.stderr[-500:]}")

    def start(self) -> None:
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        r = self._as_pg(f"{self.bindir}/pg_ctl", "-D", str(self.dir / "data"), "-o", opts,
                        "-l", str(self.dir / "log"), "-w", "-t", "30", "start")
        if r.returncode != 0:
            raise RuntimeError(f"pg_ctl start failed: {r.stderr[-500:]} {r.stdout[-500:]}")
        self.started = True

    def stop(self, mode: str = "fast") -> None:
        self._as_pg(f"{self.bindir}/pg_ctl", "-D", str(self.dir / "data"), "-m", mode, "-w", "-t", "30", "stop")
        self.started = False

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def destroy(self) -> None:
        if self.started:
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


def free_port(start: int) -> int:
    for port in range(start, start + 200):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise RuntimeError("no free port")


# --------------------------------------------------------------------------------------------
# The server under test


class Server:
    """One `rops-hub serve` process. stdout is read for the listening line, stderr (JSON logs)
    goes to a file that the areas scan for ERROR lines."""

    def __init__(self, binary: str, env: dict, log_path: Path, run_as: str | None = None):
        self.binary = binary
        self.env = env
        self.log_path = log_path
        self.run_as = run_as
        self.proc: subprocess.Popen | None = None
        self.base = ""
        self.port = 0
        self.stdout_lines: list[str] = []

    def launch(self) -> None:
        """Starts the process; `wait_listening` then waits for its listening line."""
        cmd = [self.binary, "serve"]
        if self.run_as is not None:
            uid = int(self.run_as)
            cmd = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--"] + cmd
        self.stderr_file = open(self.log_path, "ab")
        self.base = ""
        self._listening = threading.Event()
        self.proc = subprocess.Popen(
            cmd, env=self.env, stdout=subprocess.PIPE, stderr=self.stderr_file, stdin=subprocess.DEVNULL
        )
        proc, listening = self.proc, self._listening

        def read_stdout():
            for raw in proc.stdout:
                line = raw.decode("utf-8", "replace").rstrip()
                self.stdout_lines.append(line)
                m = re.search(r"listening on (http://\S+)", line)
                if m and not listening.is_set():
                    self.base = m.group(1).rstrip("/")
                    self.port = int(self.base.rsplit(":", 1)[1])
                    listening.set()

        threading.Thread(target=read_stdout, daemon=True).start()

    def wait_listening(self, timeout: float = 90) -> bool:
        """True once listening; False when the process exited or the time ran out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not self._listening.is_set():
            if self.proc.poll() is not None:
                time.sleep(0.2)  # let the reader see a last line
                return self._listening.is_set()
            self._listening.wait(0.1)
        return self._listening.is_set()

    def start(self, timeout: float = 90) -> "Server":
        self.launch()
        if not self.wait_listening(timeout):
            self.kill()
            raise RuntimeError(f"rops-hub did not start: {self.log_tail()}")
        return self

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout: float = 20) -> int | None:
        """SIGTERM, then SIGKILL after `timeout`. Returns the exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.stderr_file.close()
        return self.proc.returncode

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        if hasattr(self, "stderr_file"):
            self.stderr_file.close()

    def restart(self, timeout: float = 90) -> "Server":
        """The same command and environment again (after stop or kill)."""
        self.kill()
        return self.start(timeout)

    def log_text(self) -> str:
        try:
            return self.log_path.read_text("utf-8", "replace")
        except OSError:
            return ""

    def log_tail(self, n: int = 600) -> str:
        return self.log_text()[-n:].replace("\n", " | ")

    def error_lines(self) -> list[str]:
        return [ln for ln in self.log_text().splitlines() if '"level":"ERROR"' in ln]


class Ctx:
    """What every area gets: the arguments, a temp root, and fresh servers on demand.
    Tracks what it made so `close()` removes all of it."""

    def __init__(self, binary: str, backend: str, pg_url: str, secret: str | None = None,
                 spec_path: Path | None = None):
        self.binary = str(Path(binary).resolve())
        self.backend = backend
        self.pg_url = pg_url
        self.secret = secret or ("attack-suite-" + os.urandom(16).hex())
        self.root = Path(tempfile.mkdtemp(prefix="rops-attack-"))
        os.chmod(self.root, 0o755)
        self.servers: list[Server] = []
        self.databases: list[str] = []
        self.spec = json.loads((spec_path or SPEC_PATH).read_text())
        self._n = 0

    def token(self, role: str, org: str | None = None, **kw) -> str:
        return jwt_encode(claims_for(role, org, **kw), self.secret.encode())

    def fresh_db(self) -> str:
        name = f"rops_attack_{os.getpid()}_{self._n}_{os.urandom(3).hex()}"
        r = psql(self.pg_url, f"CREATE DATABASE {name}")
        if r.returncode != 0:
            raise RuntimeError(f"CREATE DATABASE failed: {r.stderr.strip()}")
        self.databases.append(name)
        return with_db(self.pg_url, name)

    def server_env(self, data_dir: Path, database_url: str | None, extra: dict | None = None) -> dict:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "ROPS_BIND": "127.0.0.1:0",
            "ROPS_DATA_DIR": str(data_dir),
            "ROPS_JWT_SECRET": self.secret,
            "ROPS_LOG_FORMAT": "json",
            "RUST_LOG": "info",
        }
        if database_url:
            env["DATABASE_URL"] = database_url
        if extra:
            env.update(extra)
        return env

    def new_server(self, label: str, database_url: str | None = None, data_dir: Path | None = None,
                   extra_env: dict | None = None, run_as: str | None = None, binary: str | None = None,
                   start: bool = True) -> Server:
        """A server on a fresh data folder; on PostgreSQL also a fresh database (unless given)."""
        self._n += 1
        if data_dir is None:
            data_dir = self.root / f"{label}-{self._n}" / "data"
            data_dir.parent.mkdir(parents=True, exist_ok=True)
        if database_url is None and self.backend == "postgres":
            database_url = self.fresh_db()
        env = self.server_env(data_dir, database_url, extra_env)
        s = Server(binary or self.binary, env, self.root / f"{label}-{self._n}.log", run_as=run_as)
        s.database_url = database_url
        s.data_dir = data_dir
        self.servers.append(s)
        if start:
            s.start()
        return s

    def close(self) -> None:
        for s in self.servers:
            try:
                s.kill()
            except Exception:
                pass
        for name in self.databases:
            psql(self.pg_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        shutil.rmtree(self.root, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# The sample region, discovered from a running server


class Sample:
    """Codes of the sample region as the server reports them."""

    def __init__(self, api: Api, admin_token: str):
        region = api.get("/api/v1/regions/16", admin_token).json() or {}
        self.region = "16"
        self.subregions = [s["code"] for s in region.get("subregions", [])] or ["OPL-PN", "OPL-C", "OPL-PD"]
        owes = api.get("/api/v1/owes?region=16", admin_token).json() or []
        self.owes = [o["code"] for o in owes] or ["OWES-PN"]
        self.owes_view = {o["code"]: o for o in owes}
        gminas = api.get("/api/v1/gminas?region=16", admin_token).json() or []
        self.gminas = [g["teryt"] for g in gminas] or ["1604023"]
        self.gmina_view = {g["teryt"]: g for g in gminas}
        self.region_view = region
        progs = api.get("/api/v1/programmes?region=16", admin_token).json() or []
        self.programme = progs[0]["code"] if progs else "OPL-2024-2027"
        self.owes_pn = "OWES-PN" if "OWES-PN" in self.owes else self.owes[0]
        self.foreign_owes = next(o for o in self.owes if o != self.owes_pn) if len(self.owes) > 1 else "OWES-XX"
        self.gmina = "1604023" if "1604023" in self.gminas else self.gminas[0]
        self.foreign_gmina = next((g for g in self.gminas if g != self.gmina), "1601011")
        self.subregion = "OPL-PN" if "OPL-PN" in self.subregions else self.subregions[0]
        catalogue = api.get("/api/v1/indicators", admin_token).json() or {}
        inds = catalogue.get("indicators", [])
        self.owes_indicators = [i["code"] for i in inds if i.get("stream") == "owes"]
        self.gmina_indicators = [i for i in inds if i.get("stream") == "gmina"]
        self.event_types = [e["code"] for e in catalogue.get("event_types", [])] or ["business_meeting"]
        entities = api.get("/api/v1/regions/16/entities", admin_token).json() or []
        codes = [e["code"] for e in entities if isinstance(e, dict)]
        self.entity = "CIS-KLUCZBORK" if "CIS-KLUCZBORK" in codes or not codes else codes[0]
        self.foreign_entity = next((c for c in codes if c != self.entity), "CIS-XX")

    def subregion_put(self, code: str) -> dict:
        """A body for PUT /subregions/{code} that keeps the subregion as it is."""
        for s in self.region_view.get("subregions", []):
            if s.get("code") == code:
                powiats = [p["code"] if isinstance(p, dict) else p for p in s.get("powiats", [])]
                return {"region": "16", "name": s.get("name", code), "powiats": powiats}
        return {"region": "16", "name": code, "powiats": []}

    def owes_put(self, code: str) -> dict:
        o = self.owes_view.get(code, {})
        return {
            "name": o.get("name", code),
            "subregion": o.get("subregion", self.subregion),
            "active_from": o.get("active_from", "2023-Q3"),
            "active_to": o.get("active_to"),
        }

    def owes_values(self, jobs: int = 4) -> dict:
        vals = {c: 1 for c in self.owes_indicators}
        vals["jobs_created"] = jobs
        vals["ps_jobs_created_with_grants"] = 0
        return vals


def spec_operations(spec: dict) -> list[dict]:
    """Every (path, method) of the spec with its operationId, parameters and request body."""
    ops = []
    for path, item in spec.get("paths", {}).items():
        for method, op in item.items():
            if method not in ("get", "put", "post", "delete", "patch"):
                continue
            body_ct = None
            example = None
            rb = op.get("requestBody")
            if rb:
                # JSON first, then CSV: the kinds of body this suite knows how to build.
                types = list(rb["content"])
                body_ct = next((t for t in ("application/json", "text/csv") if t in types), types[0])
                content = rb["content"][body_ct]
                example = content.get("example")
                if example is None:
                    example = _schema_example(spec, content.get("schema", {}))
            ops.append({
                "id": op.get("operationId"),
                "path": path,
                "method": method.upper(),
                "params": op.get("parameters", []),
                "body_ct": body_ct,
                "example": example,
            })
    return ops


def _schema_example(spec: dict, schema: dict):
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return _schema_example(spec, spec["components"]["schemas"][name])
    if "example" in schema:
        return schema["example"]
    for key in ("oneOf", "anyOf"):
        for alt in schema.get(key, []):
            ex = _schema_example(spec, alt)
            if ex is not None:
                return ex
    return None


def param_kind(path: str, name: str) -> str:
    """What a path parameter names: owes, region, subregion, programme, entity, period, gmina, year,
    event, login, key."""
    if name == "id" and path.startswith("/api/v1/me/keys/"):
        return "key"
    if name == "code":
        seg = path.split("/{code}")[0].rsplit("/", 1)[-1]
        return {"owes": "owes", "regions": "region", "subregions": "subregion", "programmes": "programme",
                "entities": "entity"}[seg]
    return {"period": "period", "teryt": "gmina", "year": "year", "id": "event", "login": "login"}[name]


def fill_path(path: str, values: dict) -> str:
    """Replaces each {param} by values[kind] (already URL-safe)."""
    def rep(m):
        return values[param_kind(path, m.group(1))]
    return re.sub(r"\{(\w+)\}", rep, path)


def unit_of(path: str) -> str | None:
    """The kind of unit a bound role must own for this path: owes, gmina, entity or None."""
    if path.startswith("/api/v1/owes/{code}") or path.startswith("/api/v1/rollups/owes/{code}"):
        return "owes"
    if path.startswith("/api/v1/gminas/{teryt}"):
        return "gmina"
    if path.startswith("/api/v1/entities/{code}"):
        return "entity"
    return None


TRANSITIONS = {
    # (from, to): the transition that makes it
    ("draft", "submitted"): "submit",
    ("returned", "submitted"): "submit",
    ("submitted", "approved"): "approve",
    ("submitted", "returned"): "return",
    ("approved", "returned"): "reopen",
}


def ensure_status(api: Api, token: str, report_path: str, want: str, put_body: dict) -> str | None:
    """Walks a report (OWES or gmina; `report_path` without trailing slash) to status `want`
    (`editable` means draft or returned), creating it with `put_body` when missing.
    Returns the status reached, or None."""
    r = api.get(report_path, token)
    if r.status == 404:
        r = api.put(report_path, token, put_body)
        if r.status not in (200, 201):
            return None
        r = api.get(report_path, token)
    for _ in range(6):
        doc = r.json() or {}
        status = doc.get("status")
        if status == want or (want == "editable" and status in ("draft", "returned")):
            return status
        if want == "editable":
            step = {"submitted": "return", "approved": "reopen"}.get(status)
        elif want == "submitted":
            step = {"draft": "submit", "returned": "submit", "approved": "reopen"}.get(status)
        elif want == "approved":
            step = {"draft": "submit", "returned": "submit", "submitted": "approve"}.get(status)
        elif want == "returned":
            step = {"draft": "submit", "submitted": "return", "approved": "reopen"}.get(status)
        else:
            step = None
        if step is None:
            return status
        if step == "submit" and status in ("draft", "returned"):
            api.put(report_path, token, put_body)
        api.post(f"{report_path}/{step}", token, {"reason": "attack suite: preparing the state"})
        r = api.get(report_path, token)
    return (r.json() or {}).get("status")
