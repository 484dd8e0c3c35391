"""tokens: forged, broken, misplaced and stale bearer tokens all get 401 problem+json, on a
read any role may do, a read only ROPS staff may do, and a write (which must then not have
happened). Every forged token claims the admin role, so accepting one would be the worst case.
"""

from __future__ import annotations

import base64
import json
import time

import jwt as pyjwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from server import Api, Area, Ctx, Sample, b64u, check_hygiene, claims_for, jwt_encode


def forged_tokens(secret: bytes, valid_analyst: str) -> list[tuple[str, str]]:
    """(label, token) pairs that must all be refused."""
    now = int(time.time())
    base = claims_for("admin", sub="forger")
    out: list[tuple[str, str]] = []

    def enc_parts(header: dict, claims: dict) -> str:
        return b64u(json.dumps(header, separators=(",", ":")).encode()) + "." + b64u(
            json.dumps(claims, separators=(",", ":")).encode())

    # alg none, every spelling, with and without a signature.
    for alg in ("none", "None", "NONE", "nOnE"):
        hp = enc_parts({"alg": alg, "typ": "JWT"}, base)
        real_sig = jwt_encode(base, secret).rsplit(".", 1)[1]
        out.append((f"alg {alg}, empty signature", hp + "."))
        out.append((f"alg {alg}, no signature part", hp))
        out.append((f"alg {alg}, a valid HS256 signature", hp + "." + real_sig))
    out.append(("no alg header", enc_parts({"typ": "JWT"}, base) + "." + jwt_encode(base, secret).rsplit(".", 1)[1]))

    # Wrong key and other HMAC algorithms with the right key.
    out.append(("HS256 with another secret", jwt_encode(base, b"another-secret-that-is-long-enough-0123")))
    out.append(("HS256 with an empty secret", jwt_encode(base, b"")))
    out.append(("HS384 with the right secret", jwt_encode(base, secret, {"alg": "HS384", "typ": "JWT"}, "HS384")))
    out.append(("HS512 with the right secret", jwt_encode(base, secret, {"alg": "HS512", "typ": "JWT"}, "HS512")))

    # RS256/HS256 key confusion and foreign asymmetric keys.
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem_pub = rsa_key.public_key().public_bytes(serialization.Encoding.PEM,
                                                 serialization.PublicFormat.SubjectPublicKeyInfo)
    out.append(("HS256 signed with an RSA public key PEM as secret", jwt_encode(base, pem_pub)))
    out.append(("alg RS256 header, HMAC signature with the PEM",
                jwt_encode(base, pem_pub, {"alg": "RS256", "typ": "JWT"}, "HS256")))
    out.append(("RS256 with a fresh RSA key", pyjwt.encode(base, rsa_key, algorithm="RS256")))
    ec_key = ec.generate_private_key(ec.SECP256R1())
    out.append(("ES256 with a fresh EC key", pyjwt.encode(base, ec_key, algorithm="ES256")))
    pub = rsa_key.public_key().public_numbers()

    def n2b(n: int) -> str:
        return b64u(n.to_bytes((n.bit_length() + 7) // 8, "big"))

    jwk = {"kty": "RSA", "n": n2b(pub.n), "e": n2b(pub.e), "kid": "attacker"}
    out.append(("RS256 with the attacker's key embedded as jwk",
                pyjwt.encode(base, rsa_key, algorithm="RS256", headers={"jwk": jwk})))
    out.append(("RS256 with jku pointing elsewhere", pyjwt.encode(
        base, rsa_key, algorithm="RS256", headers={"jku": "http://127.0.0.1:9/jwks.json", "kid": "attacker"})))
    out.append(("RS256 with x5u pointing elsewhere", pyjwt.encode(
        base, rsa_key, algorithm="RS256", headers={"x5u": "http://127.0.0.1:9/cert.pem"})))
    out.append(("HS256 with jku, signed with another secret", jwt_encode(
        base, b"attacker-secret-attacker-secret-0000", {"alg": "HS256", "jku": "http://127.0.0.1:9/jwks.json"})))
    out.append(("kid path traversal to /dev/null, empty key", jwt_encode(
        base, b"", {"alg": "HS256", "typ": "JWT", "kid": "../../../../../../dev/null"})))
    out.append(("kid SQL injection, another secret", jwt_encode(
        base, b"x", {"alg": "HS256", "typ": "JWT", "kid": "x' UNION SELECT 'x' --"})))
    out.append(("unknown crit header, right secret", jwt_encode(
        base, secret, {"alg": "HS256", "typ": "JWT", "crit": ["urn:attack:must-understand"],
                       "urn:attack:must-understand": True})))

    # Time claims.
    out.append(("expired an hour ago", jwt_encode(dict(base, exp=now - 3600, iat=now - 7200), secret)))
    out.append(("expired a minute ago", jwt_encode(dict(base, exp=now - 60, iat=now - 3600), secret)))
    out.append(("nbf one hour ahead", jwt_encode(dict(base, nbf=now + 3600), secret)))
    out.append(("iat one hour in the future", jwt_encode(dict(base, iat=now + 3600, exp=now + 7200), secret)))
    out.append(("exp as a string", jwt_encode(dict(base, exp=str(now + 3600)), secret)))

    # Missing or wrong claims.
    for missing in ("sub", "exp", "role"):
        c = dict(base)
        del c[missing]
        out.append((f"missing {missing}", jwt_encode(c, secret)))
    for role in ("superuser", "Admin", "ADMIN", "", " admin"):
        out.append((f"role {role!r}", jwt_encode(dict(base, role=role), secret)))
    out.append(("role as a list", jwt_encode(dict(base, role=["admin"]), secret)))
    out.append(("role owes without org", jwt_encode(claims_for("owes"), secret)))
    out.append(("role gmina without org", jwt_encode(claims_for("gmina"), secret)))
    out.append(("role gmina with an OWES code as org", jwt_encode(claims_for("gmina", "OWES-PN"), secret)))
    out.append(("role owes with an empty org", jwt_encode(claims_for("owes", ""), secret)))

    # Tampering: an analyst's signature over an admin payload.
    h, p, sig = valid_analyst.split(".")
    admin_payload = b64u(json.dumps(claims_for("admin"), separators=(",", ":")).encode())
    out.append(("analyst token with the payload swapped for admin", f"{h}.{admin_payload}.{sig}"))

    # Truncated, garbage, huge.
    good = jwt_encode(base, secret)
    out.append(("truncated by one character", good[:-1]))
    out.append(("truncated by ten characters", good[:-10]))
    out.append(("header and payload only", good.rsplit(".", 1)[0]))
    out.append(("header only", good.split(".", 1)[0]))
    out.append(("signature with a flipped character", good[:-2] + ("A" if good[-2] != "A" else "B") + good[-1]))
    out.append(("four parts", good + ".AAAA"))
    out.append(("garbage", "abc"))
    out.append(("dots only", "..."))
    out.append(("base64 noise", base64.b64encode(bytes(range(256))).decode()))
    out.append(("non-ASCII", "é" * 20))
    out.append(("token with a space inside", good[:20] + " " + good[20:]))
    return out


def run(ctx: Ctx, area: Area) -> None:
    server = ctx.new_server("tokens")
    seen: list = []
    api = Api(server.base, observer=seen)
    admin = ctx.token("admin")
    s = Sample(api, admin)
    secret = ctx.secret.encode()
    report = f"/api/v1/owes/{s.owes_pn}/reports/2024-Q3"
    put_body = {"values": s.owes_values(jobs=9), "note": "written by a forged token"}
    api.put(report, admin, {"values": s.owes_values(jobs=1)})
    revisions_before = api.get(report + "/revisions", admin).body

    targets = [
        ("GET", "/api/v1/regions", None),
        ("GET", "/api/v1/rollups/regions/16?year=2024", None),
        ("PUT", report, put_body),
    ]

    def send(method, path, body, headers):
        if body is not None:
            return api.call(method, path, json_body=body, headers=headers)
        return api.call(method, path, headers=headers)

    # Positive control: the real thing works, or nothing below means anything.
    for method, path, body in targets:
        r = send(method, path, body if body is None else {"values": s.owes_values(jobs=1)},
                 {"Authorization": f"Bearer {admin}"})
        area.check(r.status in (200, 201), f"control: a valid admin token is accepted on {method}", r.short())
    revisions_before = api.get(report + "/revisions", admin).body

    def expect_401(label: str, headers: dict, path_suffix: str = "", allow=(401,)):
        for method, path, body in targets:
            p = path + (("&" if "?" in path else "?") + path_suffix if path_suffix else "")
            r = send(method, p, body, headers)
            ok = r.status in allow and (r.status != 401 or r.is_problem())
            area.check(ok, f"{label}: {method} must get 401 problem+json", r.short())
            if r.status == 431:
                area.note(f"{label}: {method} answered 431 by the HTTP layer "
                          f"({'problem+json' if r.is_problem() else 'not problem+json'})")

    for label, token in forged_tokens(secret, ctx.token("analyst")):
        expect_401(label, {"Authorization": f"Bearer {token}"})

    huge = "a" * 100_000
    expect_401("100 KB garbage token", {"Authorization": f"Bearer {huge}"}, allow=(401, 431))
    expect_401("empty bearer", {"Authorization": "Bearer "})
    expect_401("bearer with spaces only", {"Authorization": "Bearer    "})

    # A valid token in places other than `Authorization: Bearer`.
    good = admin
    expect_401("valid token in ?access_token=", {}, path_suffix=f"access_token={good}")
    expect_401("valid token in ?token=", {}, path_suffix=f"token={good}")
    for cookie in ("access_token", "token", "jwt", "Authorization"):
        expect_401(f"valid token in cookie {cookie}", {"Cookie": f"{cookie}={good}"})
    expect_401("Authorization: Basic <token>", {"Authorization": f"Basic {good}"})
    expect_401("Authorization: Basic base64(admin:<token>)",
               {"Authorization": "Basic " + base64.b64encode(f"admin:{good}".encode()).decode()})
    for scheme in ("Token", "JWT", "Bearer:", "Bearer=", "Digest", "MAC", "Bearer Bearer"):
        expect_401(f"scheme {scheme!r}", {"Authorization": f"{scheme} {good}"})
    expect_401("scheme glued to the token", {"Authorization": f"Bearer{good}"})
    expect_401("bare token without a scheme", {"Authorization": good})
    expect_401("token followed by a second value", {"Authorization": f"Bearer {good} {good}"})
    expect_401("Proxy-Authorization only", {"Proxy-Authorization": f"Bearer {good}"})
    expect_401("X-Access-Token only", {"X-Access-Token": good})

    # RFC 9110 §11.1: the scheme is case-insensitive, so `bearer` may be accepted; recorded.
    for scheme in ("bearer", "BEARER", "BeArEr"):
        r = api.get("/api/v1/regions", headers={"Authorization": f"{scheme} {good}"})
        area.check(r.status in (200, 401), f"scheme {scheme!r}: 200 or 401, nothing else", r.short())
        area.note(f"scheme {scheme!r} with a valid token: {r.status} (RFC 9110: schemes are case-insensitive)")

    # The refused writes changed nothing.
    after = api.get(report + "/revisions", admin).body
    n_before, n_after = len(json.loads(revisions_before or b"[]")), len(json.loads(after or b"[]"))
    area.check(after == revisions_before, "refused token writes left the report's revisions as they were",
               f"{n_after - n_before} revisions were added by tokens that should have been refused")
    check_hygiene(area, seen)
    area.check_log(server, "a refused token")
    server.stop()
