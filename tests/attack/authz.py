"""authz: every operation of the contract without a token (401), and with every role that may
not call it (403), checking through reads that a refused write changed nothing.

The rights table below is the README's API table. An operationId of the contract that is not
in the table fails the suite: a new endpoint must say who may call it.
"""

from __future__ import annotations

import copy

from server import (Api, Area, Ctx, Sample, check_hygiene, ensure_status, fill_path, spec_operations,
                    unit_of)

ANY = ("admin", "analyst", "owes", "gmina", "entity")
ROPS = ("admin", "analyst")


def R(*roles, own=None):
    """Who may call an operation: roles, and for `own` ("owes", "gmina", "entity") the bound role
    only when the unit in the path is the token's own."""
    return {"roles": set(roles), "own": own}


RIGHTS = {
    # reference reads: any role
    "list_regions": R(*ANY),
    "get_region": R(*ANY),
    "list_gminas": R(*ANY),
    "get_gmina": R(*ANY),
    "list_owes": R(*ANY),
    "get_owes": R(*ANY),
    "get_catalogue": R(*ANY),
    "list_programmes": R(*ANY),
    "get_programme": R(*ANY),
    # reference writes: admin
    "put_owes": R("admin"),
    "put_subregion": R("admin"),
    # OWES quarterly reports: that OWES, analyst, admin; review transitions: analyst, admin
    "put_owes_report": R(*ROPS, "owes", own="owes"),
    "get_owes_report": R(*ROPS, "owes", own="owes"),
    "list_owes_reports": R(*ROPS, "owes", own="owes"),
    "list_owes_report_revisions": R(*ROPS, "owes", own="owes"),
    "submit_owes_report": R(*ROPS, "owes", own="owes"),
    "import_owes_reports": R(*ROPS, "owes", own="owes"),
    "owes_report_template": R(*ROPS, "owes", own="owes"),
    "approve_owes_report": R(*ROPS),
    "return_owes_report": R(*ROPS),
    "reopen_owes_report": R(*ROPS),
    "list_reports": R(*ROPS),
    # LPRES: writes by that gmina, analyst, admin; reads by any role
    "put_lpres": R(*ROPS, "gmina", own="gmina"),
    "get_lpres": R(*ANY),
    "list_region_lpres": R(*ANY),
    # gmina annual reports: that gmina, analyst, admin; review transitions: analyst, admin
    "put_gmina_report": R(*ROPS, "gmina", own="gmina"),
    "get_gmina_report": R(*ROPS, "gmina", own="gmina"),
    "list_gmina_reports": R(*ROPS, "gmina", own="gmina"),
    "list_gmina_report_revisions": R(*ROPS, "gmina", own="gmina"),
    "submit_gmina_report": R(*ROPS, "gmina", own="gmina"),
    "import_gmina_reports": R(*ROPS, "gmina", own="gmina"),
    "gmina_report_template": R(*ROPS, "gmina", own="gmina"),
    "approve_gmina_report": R(*ROPS),
    "return_gmina_report": R(*ROPS),
    "reopen_gmina_report": R(*ROPS),
    # entities' yearly reports: that entity, analyst, admin; review transitions: analyst, admin
    "put_entity_report": R(*ROPS, "entity", own="entity"),
    "get_entity_report": R(*ROPS, "entity", own="entity"),
    "list_entity_reports": R(*ROPS, "entity", own="entity"),
    "list_entity_report_revisions": R(*ROPS, "entity", own="entity"),
    "submit_entity_report": R(*ROPS, "entity", own="entity"),
    "import_entity_reports": R(*ROPS, "entity", own="entity"),
    "entity_report_template": R(*ROPS, "entity", own="entity"),
    "approve_entity_report": R(*ROPS),
    "return_entity_report": R(*ROPS),
    "reopen_entity_report": R(*ROPS),
    # activity register: writes by analyst, admin; reads by any role
    "create_event": R(*ROPS),
    "update_event": R(*ROPS),
    "withdraw_event": R(*ROPS),
    "list_events": R(*ANY),
    "get_event": R(*ANY),
    # register of reintegration entities: writes by analyst, admin; reads by any role
    "put_entity": R(*ROPS),
    "list_entities": R(*ANY),
    "get_entity": R(*ANY),
    "list_entity_revisions": R(*ANY),
    # rollups
    "get_region_rollup": R(*ROPS),
    "get_subregion_rollup": R(*ROPS),
    "get_owes_rollup": R(*ROPS, "owes", own="owes"),
    "get_region_rollup_csv": R(*ROPS),
    "get_region_rollup_xlsx": R(*ROPS),
    "get_subregion_rollup_csv": R(*ROPS),
    "get_subregion_rollup_xlsx": R(*ROPS),
    "get_owes_rollup_csv": R(*ROPS, "owes", own="owes"),
    "get_owes_rollup_xlsx": R(*ROPS, "owes", own="owes"),
    # who am I: any caller; one's own password and API keys: callers with an account, which a
    # server-signed JWT (all this suite uses) never has
    "get_me": R(*ANY),
    "change_my_password": R(),
    "create_my_key": R(),
    "list_my_keys": R(),
    "revoke_my_key": R(),
    # accounts: admin
    "create_user": R("admin"),
    "list_users": R("admin"),
    "get_user": R("admin"),
    "update_user": R("admin"),
}

# No bearer needed: health, and signing in and out, the first admin, a password link (checked
# in tests/e2e/accounts.rs and tests/browser).
PUBLIC = {"healthz", "readyz", "sign_in", "sign_out", "set_up_first_admin", "set_password_with_link"}

# Each transition works on its own report, put in the state where it would apply, so that a
# missing check would show as a change.
OWES_PERIOD = {
    "submit_owes_report": ("2024-Q4", "editable"),
    "approve_owes_report": ("2025-Q1", "submitted"),
    "return_owes_report": ("2025-Q2", "submitted"),
    "reopen_owes_report": ("2025-Q3", "approved"),
}
GMINA_YEAR = {
    "submit_gmina_report": ("2023", "editable"),
    "approve_gmina_report": ("2022", "submitted"),
    "return_gmina_report": ("2021", "submitted"),
    "reopen_gmina_report": ("2020", "approved"),
}
ENTITY_YEAR = {
    "submit_entity_report": ("2023", "editable"),
    "approve_entity_report": ("2022", "submitted"),
    "return_entity_report": ("2021", "submitted"),
    "reopen_entity_report": ("2020", "approved"),
}


def allowed(rights: dict, role: str, own_unit: bool) -> bool:
    if role not in rights["roles"]:
        return False
    if rights["own"] == role:
        return own_unit
    return True


def run(ctx: Ctx, area: Area) -> None:
    server = ctx.new_server("authz")
    seen: list = []
    api = Api(server.base, observer=seen)
    admin = ctx.token("admin")
    s = Sample(api, admin)
    callers = [
        ("admin", "admin", ctx.token("admin"), True),
        ("analyst", "analyst", ctx.token("analyst"), True),
        (f"owes {s.owes_pn}", "owes", ctx.token("owes", s.owes_pn), True),
        (f"owes {s.foreign_owes}", "owes", ctx.token("owes", s.foreign_owes), False),
        (f"gmina {s.gmina}", "gmina", ctx.token("gmina", s.gmina), True),
        (f"gmina {s.foreign_gmina}", "gmina", ctx.token("gmina", s.foreign_gmina), False),
        (f"entity {s.entity}", "entity", ctx.token("entity", s.entity), True),
        (f"entity {s.foreign_entity}", "entity", ctx.token("entity", s.foreign_entity), False),
    ]

    ops = spec_operations(ctx.spec)
    served = api.get("/api-docs/openapi.json").json() or {}
    served_ids = {o["id"] for o in spec_operations(served)} if served else set()
    all_ids = {o["id"] for o in ops} | served_ids
    for op_id in sorted(all_ids - PUBLIC):
        area.check(op_id in RIGHTS, f"operationId {op_id} of the contract is missing from the rights table in tests/attack/authz.py")
    for op_id in sorted(set(RIGHTS) - all_ids):
        area.note(f"rights table names {op_id}, which the contract no longer has")

    # The things the paths point at.
    ev = api.post("/api/v1/regions/16/events", admin, example_body(ops, "create_event"))
    event_id = (ev.json() or {}).get("id") or "1"
    if ev.status != 201:
        area.check(False, "setup: create an event", ev.short())
    account = api.post("/api/v1/users", admin, {"login": "authz.user", "name": "Authz", "role": "analyst"})
    if account.status != 201:
        area.check(False, "setup: create an account", account.short())
    values_owes = s.owes_values()
    owes_base = f"/api/v1/owes/{s.owes_pn}/reports"
    gmina_base = f"/api/v1/gminas/{s.gmina}/reports"
    gmina_body = example_body(ops, "put_gmina_report")
    api.put(f"{owes_base}/2024-Q3", admin, {"values": values_owes, "note": "authz"})
    api.put(f"{gmina_base}/2024", admin, gmina_body)
    entity_base = f"/api/v1/entities/{s.entity}/reports"
    entity_body = example_body(ops, "put_entity_report")
    api.put(f"{entity_base}/2024", admin, entity_body)

    def prepare(op_id: str) -> None:
        """Puts a transition's report into the state where the transition applies."""
        if op_id in OWES_PERIOD:
            period, want = OWES_PERIOD[op_id]
            got = ensure_status(api, admin, f"{owes_base}/{period}", want, {"values": values_owes})
        elif op_id in GMINA_YEAR:
            period, want = GMINA_YEAR[op_id]
            got = ensure_status(api, admin, f"{gmina_base}/{period}", want, gmina_body)
        elif op_id in ENTITY_YEAR:
            period, want = ENTITY_YEAR[op_id]
            got = ensure_status(api, admin, f"{entity_base}/{period}", want, entity_body)
        else:
            return
        area.check(got == want or (want == "editable" and got in ("draft", "returned")),
                   f"setup: report {period} brought to {want}", f"reached {got}")

    def values_for(op_id: str) -> dict:
        return {
            "owes": s.owes_pn, "region": "16", "subregion": s.subregion, "programme": s.programme,
            "period": OWES_PERIOD.get(op_id, ("2024-Q3",))[0], "gmina": s.gmina,
            "year": {**GMINA_YEAR, **ENTITY_YEAR}.get(op_id, ("2024",))[0], "event": str(event_id),
            "entity": s.entity, "login": "authz.user", "key": "000000000000",
        }

    def body_for(op: dict):
        if op["id"] == "put_owes":
            return s.owes_put(s.owes_pn)
        if op["id"] == "put_subregion":
            return s.subregion_put(s.subregion)
        if op["id"] == "import_owes_reports":
            return "period,indicator,value\n2024-Q3,jobs_created,4\n"
        if op["id"] == "import_gmina_reports":
            return "period,indicator,value\n2024,social_clause_contracts,3\n"
        if op["id"] == "import_entity_reports":
            return "period,indicator,value\n2024,participants_joined,3\n"
        return copy.deepcopy(op["example"])

    def send(op: dict, token: str | None):
        path = fill_path(op["path"], values_for(op["id"]))
        body = body_for(op)
        if op["body_ct"] == "text/csv":
            return api.call(op["method"], path, token, data=body, content_type="text/csv")
        if body is not None:
            return api.call(op["method"], path, token, json_body=body)
        return api.call(op["method"], path, token)

    snapshot_paths = [
        "/api/v1/owes", f"/api/v1/owes/{s.owes_pn}", "/api/v1/regions/16", "/api/v1/regions",
        owes_base,
        *[f"{owes_base}/{p}" for p in ["2024-Q3"] + [v[0] for v in OWES_PERIOD.values()]],
        *[f"{owes_base}/{p}/revisions" for p in ["2024-Q3"] + [v[0] for v in OWES_PERIOD.values()]],
        f"/api/v1/gminas/{s.gmina}/lpres", gmina_base,
        *[f"{gmina_base}/{y}" for y in ["2024"] + [v[0] for v in GMINA_YEAR.values()]],
        *[f"{gmina_base}/{y}/revisions" for y in ["2024"] + [v[0] for v in GMINA_YEAR.values()]],
        "/api/v1/regions/16/events?from=2020-Q1&to=2026-Q4", f"/api/v1/events/{event_id}",
        "/api/v1/regions/16/entities", f"/api/v1/entities/{s.entity}", f"/api/v1/entities/{s.entity}/revisions",
        entity_base, "/api/v1/users", "/api/v1/users/authz.user",
        *[f"{entity_base}/{y}" for y in ["2024"] + [v[0] for v in ENTITY_YEAR.values()]],
        *[f"{entity_base}/{y}/revisions" for y in ["2024"] + [v[0] for v in ENTITY_YEAR.values()]],
    ]

    def snapshot() -> dict:
        out = {}
        for p in snapshot_paths:
            r = api.get(p, admin)
            out[p] = (r.status, r.body)
        return out

    for op in ops:
        if op["id"] in PUBLIC:
            continue
        # No token: 401 problem+json, for every operation.
        r = send(op, None)
        area.check(r.status == 401 and r.is_problem(), f"{op['id']}: no token must get 401 problem+json", r.short())
        r = send(op, "")
        area.check(r.status == 401 and r.is_problem(), f"{op['id']}: empty bearer must get 401 problem+json", r.short())

        rights = RIGHTS.get(op["id"])
        if rights is None:
            continue
        bound = unit_of(op["path"])
        write = op["method"] != "GET"
        prepare(op["id"])
        before = snapshot() if write else None
        denied_any = False
        for label, role, token, own in callers:
            own_unit = own if bound == role else True
            if allowed(rights, role, own_unit):
                continue
            denied_any = True
            r = send(op, token)
            area.check(r.status == 403 and r.is_problem(),
                       f"{op['id']}: {label} must get 403 problem+json", r.short())
        if write and denied_any:
            after = snapshot()
            changed = [p for p in snapshot_paths if before[p] != after[p]]
            area.check(not changed, f"{op['id']}: refused calls changed nothing",
                       "changed: " + ", ".join(changed[:4]))
        # The callers who may: on a target in the right state, 2xx (a withdrawn event: 4xx).
        for label, role, token, own in callers:
            own_unit = own if bound == role else True
            if not allowed(rights, role, own_unit):
                continue
            prepare(op["id"])
            r = send(op, token)
            ok = r.status is not None and (200 <= r.status < 300 or (
                op["id"] in ("withdraw_event", "update_event") and r.status in (404, 409, 410)))
            area.check(ok, f"{op['id']}: {label} may call it", r.short())

    check_hygiene(area, seen)
    area.check_log(server)
    server.stop()


def example_body(ops: list[dict], op_id: str):
    for op in ops:
        if op["id"] == op_id:
            return copy.deepcopy(op["example"])
    return None
