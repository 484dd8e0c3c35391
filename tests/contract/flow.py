"""A real flow through the Python client generated from the served OpenAPI document.

Reads region 16, puts an OWES report for a past quarter with every OWES indicator of the
catalogue, submits and approves it, then reads the region's rollup for that year as JSON
(a model), CSV (text) and XLSX (bytes). Run by tests/contract/run.sh after it generates and
installs the client (package `rops_hub_client`); a change to the document that breaks
generated clients fails here.

Usage: python flow.py --base http://127.0.0.1:8080 --token <admin token>
"""

import argparse
import datetime
import sys

from rops_hub_client import AuthenticatedClient
from rops_hub_client.api.owes_reports import (
    approve_owes_report,
    put_owes_report,
    submit_owes_report,
)
from rops_hub_client.api.reference import get_catalogue, get_region
from rops_hub_client.api.rollups import (
    get_region_rollup,
    get_region_rollup_csv,
    get_region_rollup_xlsx,
)
from rops_hub_client.models import (
    Catalogue,
    OwesReportPut,
    OwesReportView,
    OwesValuesIn,
    RegionDetail,
    ReportStatus,
    Rollup,
    TransitionBody,
)
from rops_hub_client.types import File

OWES = "OWES-PN"


def expect(response, status, kind):
    """The parsed body of a response with `status`, as an instance of `kind`."""
    if response.status_code != status or not isinstance(response.parsed, kind):
        sys.exit(
            f"expected {status} with a {kind.__name__}, got {response.status_code}: "
            f"{response.content[:500]!r}"
        )
    return response.parsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--token", required=True)
    args = parser.parse_args()
    client = AuthenticatedClient(base_url=args.base, token=args.token, timeout=30.0)

    region = expect(get_region.sync_detailed("16", client=client), 200, RegionDetail)
    assert region.code == "16" and len(region.subregions) == 3, region
    print(f"region {region.code} {region.name}: {region.gmina_count} gminas")

    # Last year's first quarter: past, and within the OWES's active quarters.
    year = datetime.date.today().year - 1
    period = f"{year}-Q1"
    catalogue = expect(get_catalogue.sync_detailed(client=client), 200, Catalogue)
    codes = [
        i.code
        for i in catalogue.indicators
        if i.stream == "owes" and i.kind != "ratio"
    ]
    # `ps_jobs_created_with_grants` may not exceed `jobs_created`: every value 1.
    values = OwesValuesIn.from_dict({code: 1 for code in codes})
    body = OwesReportPut(values=values, note="contract flow")
    put = put_owes_report.sync_detailed(OWES, period, client=client, body=body)
    report = expect(put, 201, OwesReportView)
    assert report.status == ReportStatus.DRAFT and report.period == period, report
    etag = put.headers["etag"]
    print(f"put {OWES} {period}: {report.status.value}, ETag {etag}")

    # Submit with no body and the ETag read; approve with an (optional) empty object.
    submitted = expect(
        submit_owes_report.sync_detailed(OWES, period, client=client, if_match=etag),
        200,
        OwesReportView,
    )
    assert submitted.status == ReportStatus.SUBMITTED, submitted
    approved = expect(
        approve_owes_report.sync_detailed(OWES, period, client=client, body=TransitionBody()),
        200,
        OwesReportView,
    )
    assert approved.status == ReportStatus.APPROVED, approved
    print(f"submitted and approved: revision {approved.revision}")

    rollup = expect(
        get_region_rollup.sync_detailed("16", client=client, year=year, approved_only=True),
        200,
        Rollup,
    )
    jobs = next(i for i in rollup.indicators if i.code == "jobs_created")
    assert jobs.value == 1, jobs
    print(f"rollup JSON: {len(rollup.indicators)} indicators, jobs_created {jobs.value}")

    csv = get_region_rollup_csv.sync_detailed("16", client=client, year=year)
    text = expect(csv, 200, str)
    assert csv.headers["content-type"].startswith("text/csv"), csv.headers
    assert "jobs_created" in text, text[:300]
    print(f"rollup CSV: {len(text.splitlines())} lines of text")

    xlsx = get_region_rollup_xlsx.sync_detailed("16", client=client, year=year)
    workbook = expect(xlsx, 200, File).payload.read()
    assert isinstance(workbook, bytes) and workbook[:2] == b"PK", workbook[:20]
    print(f"rollup XLSX: {len(workbook)} bytes")
    print("flow passed")


if __name__ == "__main__":
    main()
