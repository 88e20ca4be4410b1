"""The dashboard pages: figures from real requests, each linked to its requests, tables as CSV."""

import csv
import io
import json
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from storage.models import WorkItemStatus
from tests.factories.bpmn import SopSpec, Step, build
from tests.web.conftest import build_org, publish
from tests.web.pages.test_pages_officer import log_in, text_of
from web.usecases.context import SYSTEM
from web.usecases.library import sops
from web.usecases.runtime import instances, work_items

PERIOD = "from=2026-11-01&to=2026-11-30"


@pytest.fixture(autouse=True)
def no_csrf(app):
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def org(api_ctx):
    return build_org(api_ctx)


def _step(ctx, actor, instance_id, clock, minutes):
    """ani claims the open step of a request, works ``minutes`` and completes it."""
    view = instances.get_instance(ctx, SYSTEM, instance_id)
    item = next(w for w in view.work_items if w.status == WorkItemStatus.OPEN)
    work_items.claim(ctx, actor, item.id)
    clock.advance(minutes=minutes)
    work_items.complete(ctx, actor, item.id, {})


@pytest.fixture
def requests(api_ctx, org, clock):
    """Three requests on Monday 23 Nov 2026 (terima 1 h -> periksa 1 h, both Staf Pelayanan):
    SKD-1 done in 30 minutes, SKD-2 done with periksa 90 minutes late, SKD-3 still open."""
    key = publish(api_ctx)
    ani = org.actor("ani")
    started = [instances.start_instance(api_ctx, ani, key, {"pemohon": n}) for n in "ABC"]
    for minutes in (10, 20):
        _step(api_ctx, ani, started[0].id, clock, minutes)
    _step(api_ctx, ani, started[1].id, clock, 20)
    _step(api_ctx, ani, started[1].id, clock, 150)
    return key, started


def _table(html: str, name: str) -> list[list[tuple[str, str | None]]]:
    """The body rows of a dashboard table: each cell's text and link."""
    found = re.search(
        rf'<table class="figures" id="table-{name}">.*?<tbody>(.*?)</tbody>', html, re.S
    )
    assert found, f"no table {name}"
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", found.group(1), re.S):
        cells = []
        for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S):
            link = re.search(r'href="([^"]+)"', cell)
            shown = " ".join(unescape(re.sub("<[^>]+>", "", cell)).split())
            cells.append((shown, unescape(link.group(1)) if link else None))
        rows.append(cells)
    return rows


def _row(html: str, name: str, label: str) -> list[tuple[str, str | None]]:
    """The row of a table that names ``label`` in its first or second cell."""
    return next(row for row in _table(html, name) if label in (row[0][0], row[1][0]))


def _csv(client, url: str, delimiter: str = ";") -> list[list[str]]:
    """A download as Excel in the reader's language reads it: ``;`` in Indonesian, else ``,``."""
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment; filename=" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    text = response.data.decode("utf-8-sig")
    assert delimiter in text.splitlines()[0]
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


UNITS = {"hari": 24.0, "jam": 1.0, "mnt": 1 / 60}


def _same(shown: str, raw: str) -> bool:
    """A figure on the page ("1.234", "50,0%", "2 jam 15 mnt", "–") says what its CSV cell says
    (an Indonesian CSV: decimal comma)."""
    if shown == "–":
        return raw == ""
    if shown.endswith("%"):
        return abs(float(shown[:-1].replace(",", ".")) - float(raw.replace(",", "."))) < 0.051
    parts = re.findall(r"(\d+) (hari|jam|mnt)", shown)
    if parts:
        hours = sum(int(amount) * UNITS[unit] for amount, unit in parts)
        return abs(hours - float(raw.replace(",", "."))) < 1 / 60
    return shown.replace(".", "") == raw or shown == raw


def _references(client, url: str) -> set[str]:
    """The references listed behind a figure's link."""
    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    return {row[0][0] for row in _table(html, "requests")} if "table-requests" in html else set()


def test_the_overview_shows_each_sops_figures_linked_to_their_requests(app, requests):
    _key, started = requests
    client = log_in(app, "citra")

    page = client.get(f"/dashboard?{PERIOD}")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Dasbor" in text_of(page)
    row = _row(html, "sops", "SOP Uji")
    _name, started_count, completed, still_open = row[:4]
    assert (started_count[0], completed[0], still_open[0]) == ("3", "2", "1")
    assert row[9][0] == "50,0%"  # one of the two completed requests met its standard
    refs = [i.reference for i in started]
    assert _references(client, completed[1]) == set(refs[:2])
    assert _references(client, still_open[1]) == {refs[2]}
    assert _references(client, row[9][1]) == {refs[0]}  # on time
    assert _references(client, row[10][1]) == {refs[1]}  # late
    assert parse_qs(urlsplit(completed[1]).query)["figure"] == ["completed"]
    # The chart's data block and the week table agree with the rows.
    trend = json.loads(re.search(r'id="chart-trend-data">(.*?)</script>', html, re.S).group(1))
    assert sum(trend["completed"]) == 2


def test_every_table_downloads_as_csv_with_the_pages_figures(app, requests):
    client = log_in(app, "citra")
    html = client.get(f"/dashboard?{PERIOD}").get_data(as_text=True)
    csv_link = unescape(re.search(r'href="([^"]+format=csv[^"]*table=sops[^"]*)"', html).group(1))

    rows = _csv(client, csv_link)

    header, line = rows[0], rows[1]
    assert header[:4] == ["SOP", "Dimulai", "Selesai", "Masih berjalan"]
    assert line[:4] == ["SOP Uji", "3", "2", "1"]
    assert line[9] == "50,0"  # a decimal comma, as Indonesian Excel reads numbers
    assert header[6].endswith("(jam)")
    shown = [text for text, _link in _row(html, "sops", "SOP Uji")]
    assert all(_same(page, raw) for page, raw in zip(shown, line, strict=True)), (shown, line)
    weeks = _csv(client, f"/dashboard?{PERIOD}&format=csv&table=weeks")
    assert sum(int(r[2]) for r in weeks[1:]) == 2
    assert client.get(f"/dashboard?{PERIOD}&format=csv&table=nonsense").status_code == 404

    client.post("/language", data={"language": "en", "next": "/dashboard"})
    english = _csv(client, csv_link, delimiter=",")
    assert english[0][:4] == ["SOP", "Started", "Completed", "Still open"]
    assert english[0][6] == "Cycle time in office hours, median (hours)"
    assert english[1] == [cell.replace(",", ".") for cell in line]


def test_one_sops_page_shows_its_steps_heatmap_and_diagram(app, api_ctx, requests):
    key, _started = requests
    sop_id = sops.get_sop(api_ctx, SYSTEM, key).id
    client = log_in(app, "eka")

    page = client.get(f"/dashboard/sops/{sop_id}?{PERIOD}")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    terima = _row(html, "activities", "Langkah terima")
    assert terima[2][0] == "Staf"  # the lane (pelaksana)
    assert terima[4][0] == "3"  # three requests reached it
    assert "activity=terima" in terima[4][1]
    heat = json.loads(re.search(r'id="heatmap-data">(.*?)</script>', html, re.S).group(1))
    assert heat["count"]["terima"] == {"text": "3", "level": "high"}
    assert set(heat) >= {"count", "duration", "breach", "chart"}
    assert f'data-heatmap-url="/sops/{key}/versions/1/bpmn"' in html
    rows = _csv(client, f"/dashboard/sops/{sop_id}?{PERIOD}&format=csv")
    assert [rows[1][1], rows[1][4]] == ["Langkah terima", "3"]
    behind = client.get(terima[4][1])
    assert "Langkah: Langkah terima." in text_of(behind)
    assert len(_table(behind.get_data(as_text=True), "requests")) == 3


def test_versions_of_an_sop_with_one_version_cannot_be_compared(app, api_ctx, requests):
    key, _started = requests
    sop_id = sops.get_sop(api_ctx, SYSTEM, key).id
    client = log_in(app, "eka")
    assert "Bandingkan versi" not in text_of(client.get(f"/dashboard/sops/{sop_id}?{PERIOD}"))

    page = client.get(f"/dashboard/sops/{sop_id}/versions?{PERIOD}")

    assert page.status_code == 400
    assert "Hanya SOP dengan dua versi" in text_of(page)


def test_workload_lists_positions_and_officers(app, requests):
    client = log_in(app, "citra")

    page = client.get(f"/dashboard/workload?{PERIOD}")

    html = page.get_data(as_text=True)
    position = _row(html, "positions", "Staf Pelayanan")
    assert position[3][0] == "4"  # completed steps: two requests of two steps
    officer = _row(html, "officers", "Ani")
    assert officer[3][0] == "4"
    assert "user=" in officer[3][1]
    assert "jam kerja per minggu" in text_of(page).lower()
    officers = _csv(client, f"/dashboard/workload?{PERIOD}&format=csv&table=officers")
    assert officers[1][0] == "Ani" and officers[1][3] == "4"


def _selected(html: str, name: str) -> str:
    """The text of the option chosen in the select ``name``."""
    select = re.search(rf'<select id="f-{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select {name}"
    return unescape(
        re.search(r"<option[^>]*selected[^>]*>(.*?)</option>", select.group(1)).group(1)
    )


def test_versions_compares_two_versions(app, api_ctx, org, requests, clock):
    key, _started = requests
    second = sops.upload_version(api_ctx, SYSTEM, build(SopSpec(steps=[Step("terima")])))
    sops.publish_version(api_ctx, SYSTEM, key, second.number)
    instance = instances.start_instance(api_ctx, org.actor("ani"), key, {"pemohon": "D"})
    _step(api_ctx, org.actor("ani"), instance.id, clock, 15)
    # A third version with a request still running: nothing to compare yet.
    third = sops.upload_version(
        api_ctx, SYSTEM, build(SopSpec(steps=[Step("terima", time="2 jam")]))
    )
    sops.publish_version(api_ctx, SYSTEM, key, third.number)
    instances.start_instance(api_ctx, org.actor("ani"), key, {"pemohon": "E"})
    sop_id = second.sop_id
    client = log_in(app, "eka")
    sop_page = client.get(f"/dashboard/sops/{sop_id}?{PERIOD}").get_data(as_text=True)
    assert f"/dashboard/sops/{sop_id}/versions?" in sop_page

    page = client.get(f"/dashboard/sops/{sop_id}/versions?{PERIOD}")

    assert page.status_code == 200
    html, text = page.get_data(as_text=True), text_of(page)
    assert "Bandingkan versi" in text
    # It opens on the two latest versions that completed requests.
    assert (_selected(html, "before"), _selected(html, "after")) == ("Versi 1", "Versi 2")
    # One or two requests a side prove nothing: no p-value, no verdict, "too few".
    assert "bisa kebetulan" not in text.lower()
    differences = _table(html, "differences")
    assert {row[5][0] for row in differences} == {"–"}
    assert {row[6][0] for row in differences} == {"Terlalu sedikit permohonan"}
    # Each version is measured over its whole life: no period to choose.
    assert 'type="date"' not in re.search(r"<form.*?</form>", html, re.S).group(0)
    assert "Langkah periksa" in text  # a step of version 1 only, named all the same
    rows = _csv(client, f"/dashboard/sops/{sop_id}/versions?{PERIOD}&format=csv")
    assert rows[0][:4] == ["Ukuran", "Langkah", "Sebelum", "Sesudah"]


def test_an_officer_may_not_open_the_dashboard(app, requests):
    client = log_in(app, "ani")
    assert "/dashboard" not in client.get("/").get_data(as_text=True)
    assert client.get("/dashboard").status_code == 403
    assert client.get(f"/dashboard/requests?figure=started&{PERIOD}").status_code == 403


@pytest.mark.parametrize(
    ("query", "parameter"),
    [("from=2026-13-01", "from"), ("to=kemarin", "to"), ("unit=x", "unit")],
)
def test_a_bad_filter_gives_400_naming_it(app, org, query, parameter):
    client = log_in(app, "eka")

    page = client.get(f"/dashboard?{query}")

    assert page.status_code == 400
    text = text_of(page)
    assert f"“{parameter}”" in text
    assert 'aria-invalid="true"' in page.get_data(as_text=True)


def test_a_drill_down_needs_a_known_figure(app, org):
    client = log_in(app, "eka")
    assert client.get(f"/dashboard/requests?figure=nonsense&{PERIOD}").status_code == 400
    page = client.get(f"/dashboard/requests?figure=position&position=abc&{PERIOD}")
    assert page.status_code == 400 and "“position”" in text_of(page)
