"""The event log export: XES and CSV of a known log, scoped, filtered by period and version."""

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from lxml import etree

from storage.models import Role
from tests.factories.bpmn import SopSpec, Step, build
from tests.web.conftest import publish
from web.usecases.context import SYSTEM, Actor, Context
from web.usecases.dashboard.event_log import MAX_DAYS, LogFormat, export_event_log
from web.usecases.errors import Invalid
from web.usecases.organization import administration
from web.usecases.runtime import instances, work_items

XES = "{http://www.xes-standard.org/}"
SPEC = SopSpec(
    key="izin_sop",
    steps=[Step("terima"), Step("setujui", lane="dinas")],
    lanes={"staf": "UJI-STAF", "dinas": "LAIN-STAF"},
)
DAY_ONE = {"sop": "izin_sop", "from": "2026-11-23", "to": "2026-11-24"}
# The known log, in Jakarta time (the clock starts on Monday 2026-11-23 at 08:00 WIB).
EXPECTED = {
    "IS-2026-00001": [
        ("Langkah terima", "schedule", "2026-11-23T08:00:00.000+07:00", None, "UJI-STAF", "KEL"),
        ("Langkah terima", "start", "2026-11-23T09:00:00.000+07:00", "ani", "UJI-STAF", "KEL"),
        ("Langkah terima", "complete", "2026-11-23T09:30:00.000+07:00", "ani", "UJI-STAF", "KEL"),
        (
            "Langkah setujui",
            "schedule",
            "2026-11-23T09:30:00.000+07:00",
            None,
            "LAIN-STAF",
            "DINAS",
        ),
        ("Langkah setujui", "start", "2026-11-23T10:30:00.000+07:00", "dedi", "LAIN-STAF", "DINAS"),
        (
            "Langkah setujui",
            "complete",
            "2026-11-23T11:30:00.000+07:00",
            "dedi",
            "LAIN-STAF",
            "DINAS",
        ),
    ],
    "IS-2026-00002": [
        ("Langkah terima", "schedule", "2026-11-23T11:30:00.000+07:00", None, "UJI-STAF", "KEL"),
        ("Langkah terima", "start", "2026-11-23T12:00:00.000+07:00", "budi", "UJI-STAF", "KEL"),
        ("Langkah terima", "ate_abort", "2026-11-23T12:15:00.000+07:00", "budi", "UJI-STAF", "KEL"),
    ],
    "IS-2026-00003": [
        ("Langkah terima", "schedule", "2026-11-23T12:15:00.000+07:00", None, "UJI-STAF", "KEL"),
        ("Langkah terima", "withdraw", "2026-11-23T12:45:00.000+07:00", None, "UJI-STAF", "KEL"),
    ],
}


@dataclass
class Log:
    ctx: Context
    tokens: dict[str, str]

    def actor(self, name: str) -> Actor:
        return administration.authenticate_token(self.ctx, self.tokens[name].split()[1])


def _open_item(ctx: Context, instance_id: int) -> int:
    view = instances.get_instance(ctx, SYSTEM, instance_id)
    return next(i.id for i in view.work_items if i.status in ("open", "claimed"))


@pytest.fixture
def log(api_ctx, tokens, clock) -> Log:
    """Three requests on day one (completed, cancelled while claimed, cancelled unclaimed) and
    one on day two; a manager of the other unit, fajar."""
    fajar = administration.create_user(
        api_ctx, SYSTEM, "fajar", "Fajar", Role.MANAGER, ["LAIN-STAF"], password="rahasia-uji"
    )
    tokens = {
        **tokens,
        "fajar": f"Bearer {administration.create_token(api_ctx, SYSTEM, fajar.username)}",
    }
    known = Log(api_ctx, tokens)
    ani, budi, dedi, admin = (known.actor(n) for n in ("ani", "budi", "dedi", "admin"))
    publish(api_ctx, build(SPEC))

    first = instances.start_instance(api_ctx, admin, "izin_sop", {})
    clock.advance(hours=1)
    work_items.claim(api_ctx, ani, _open_item(api_ctx, first.id))
    clock.advance(minutes=30)
    work_items.complete(api_ctx, ani, _open_item(api_ctx, first.id), {})
    clock.advance(hours=1)
    work_items.claim(api_ctx, dedi, _open_item(api_ctx, first.id))
    clock.advance(hours=1)
    work_items.complete(api_ctx, dedi, _open_item(api_ctx, first.id), {})

    second = instances.start_instance(api_ctx, admin, "izin_sop", {})
    clock.advance(minutes=30)
    work_items.claim(api_ctx, budi, _open_item(api_ctx, second.id))
    clock.advance(minutes=15)
    instances.cancel_instance(api_ctx, admin, second.id, "pemohon menarik permohonan")

    third = instances.start_instance(api_ctx, admin, "izin_sop", {})
    clock.advance(minutes=30)
    instances.cancel_instance(api_ctx, admin, third.id, "berkas ganda")

    clock.advance(days=1)
    instances.start_instance(api_ctx, admin, "izin_sop", {})
    return known


def _get(client, headers, **args):
    return client.get("/api/event-log", query_string=args, headers=headers)


def _xes_traces(body: bytes) -> dict[str, list[tuple]]:
    """Each trace's events as (activity, lifecycle, timestamp, resource, role, group)."""
    root = etree.fromstring(body)
    found = {}
    for trace in root.iter(f"{XES}trace"):
        name = trace.find(f"{XES}string[@key='concept:name']").get("value")
        events = []
        for event in trace.iter(f"{XES}event"):
            values = {a.get("key"): a.get("value") for a in event}
            events.append(
                tuple(
                    values.get(k)
                    for k in (
                        "concept:name",
                        "lifecycle:transition",
                        "time:timestamp",
                        "org:resource",
                        "org:role",
                        "org:group",
                    )
                )
            )
        found[name] = events
    return found


def _csv_traces(body: bytes) -> dict[str, list[tuple]]:
    found: dict[str, list[tuple]] = {}
    for row in csv.DictReader(io.StringIO(body.decode("utf-8"))):
        found.setdefault(row["case_id"], []).append(
            (
                row["activity"],
                row["lifecycle"],
                row["timestamp"],
                row["resource"] or None,
                row["role"],
                row["group"],
            )
        )
    return found


def test_xes_has_one_trace_per_request_with_its_lifecycle_events(client, auth, log):
    response = _get(client, auth["eka"], format="xes", **DAY_ONE)

    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "application/xml"
    assert (
        'filename="izin_sop-2026-11-23-2026-11-24.xes"' in response.headers["Content-Disposition"]
    )
    assert _xes_traces(response.data) == EXPECTED


def test_xes_declares_what_process_mining_tools_read(client, auth, log):
    root = etree.fromstring(_get(client, auth["admin"], **DAY_ONE).data)

    assert root.tag == f"{XES}log"
    assert (root.get("xes.version"), root.get("xes.features")) == ("1849-2016", "")
    extensions = {e.get("prefix"): e.get("name") for e in root.findall(f"{XES}extension")}
    assert extensions == {
        "concept": "Concept",
        "time": "Time",
        "lifecycle": "Lifecycle",
        "org": "Organizational",
    }
    assert {g.get("scope") for g in root.findall(f"{XES}global")} == {"trace", "event"}
    assert "concept:name" in {c.get("keys") for c in root.findall(f"{XES}classifier")}
    # Children in the order the XES schema requires, then traces only.
    order = [etree.QName(child).localname for child in root]
    assert order.index("trace") > max(i for i, tag in enumerate(order) if tag != "trace")
    for trace in root.iter(f"{XES}trace"):
        assert trace.find(f"{XES}int[@key='sop_version']").get("value") == "1"
        stamps = []
        for event in trace.iter(f"{XES}event"):
            keys = {a.get("key"): a.tag for a in event}
            assert keys["time:timestamp"] == f"{XES}date"
            assert {"concept:name", "lifecycle:transition"} <= keys.keys()
            stamps.append(event.find(f"{XES}date").get("value"))
        assert stamps == sorted(stamps)


def test_activity_sequence_rebuilt_from_xes_is_the_order_of_completion(client, auth, log):
    traces = _xes_traces(_get(client, auth["eka"], **DAY_ONE).data)

    completed = {
        ref: [e[0] for e in events if e[1] == "complete"] for ref, events in traces.items()
    }

    assert completed == {
        "IS-2026-00001": ["Langkah terima", "Langkah setujui"],
        "IS-2026-00002": [],
        "IS-2026-00003": [],
    }


def test_csv_has_the_same_events_as_xes(client, auth, log):
    response = _get(client, auth["eka"], format="csv", **DAY_ONE)

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    header = response.data.decode().splitlines()[0]
    assert header == (
        "case_id,activity,activity_id,lifecycle,timestamp,resource,role,group,sop,sop_version"
    )
    assert _csv_traces(response.data) == EXPECTED
    rows = list(csv.DictReader(io.StringIO(response.data.decode())))
    assert {(r["sop"], r["sop_version"]) for r in rows} == {("izin_sop", "1")}
    assert {r["activity_id"] for r in rows} == {"terima", "setujui"}


def test_managers_get_the_whole_requests_they_may_open_and_officers_none(client, auth, log):
    kel = _xes_traces(_get(client, auth["citra"], **DAY_ONE).data)
    dinas = _csv_traces(
        _get(client, {"Authorization": log.tokens["fajar"]}, format="csv", **DAY_ONE).data
    )
    refused = _get(client, auth["ani"], **DAY_ONE)

    # Every request of day one had a step in KEL; only the first reached DINAS. Each comes
    # whole, as opening it shows it, not cut to the manager's units.
    assert kel == EXPECTED
    assert dinas == {"IS-2026-00001": EXPECTED["IS-2026-00001"]}
    assert (refused.status_code, refused.json["code"]) == (403, "role_required")


def test_period_is_from_included_to_excluded_by_ready_time(client, auth, log):
    def references(start: str, end: str) -> list[str]:
        body = _get(client, auth["eka"], format="csv", sop="izin_sop", **{"from": start, "to": end})
        return sorted(_csv_traces(body.data))

    assert references("2026-11-24", "2026-11-25") == ["IS-2026-00004"]
    assert references("2026-11-23", "2026-11-25") == [*sorted(EXPECTED), "IS-2026-00004"]
    assert references("2026-11-20", "2026-11-23") == []


def test_version_filter_and_unknown_version(client, auth, log):
    one = _get(client, auth["eka"], version=1, **DAY_ONE)
    missing = _get(client, auth["eka"], version=2, **DAY_ONE)

    assert _xes_traces(one.data) == EXPECTED
    assert 'filename="izin_sop-v1-' in one.headers["Content-Disposition"]
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"from": "2026-13-01"}, "from"),
        ({"to": "kemarin"}, "to"),
        ({"format": "pdf"}, "format"),
        ({"from": "2026-11-24", "to": "2026-11-23"}, "to"),
    ],
)
def test_bad_arguments_are_422_naming_the_field(client, auth, log, args, field):
    response = _get(client, auth["eka"], **{**DAY_ONE, **args})

    assert response.status_code == 422
    # The schema's refusals are "invalid"; a reversed period is the use case's own.
    assert response.json["code"] in ("invalid", "period_reversed")
    details = response.json["details"]
    assert field in details.get("fields", details)


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        (date(1, 1, 1), date(2026, 11, 24), "from"),
        (date(2026, 11, 23), date(9999, 12, 31), "to"),
        (date(2020, 1, 1), date(2026, 11, 24), "to"),
    ],
)
def test_a_period_out_of_range_or_too_long_is_refused_before_the_first_byte(log, start, end, field):
    with pytest.raises(Invalid) as refused:
        export_event_log(log.ctx, log.actor("eka"), "izin_sop", start, end, LogFormat.CSV)

    assert refused.value.details["field"] == field


def test_the_api_refuses_a_period_longer_than_the_cap_as_422(client, auth, log):
    too_long = {"from": "2020-01-01", "to": str(date(2020, 1, 1) + timedelta(days=MAX_DAYS + 1))}
    response = _get(client, auth["eka"], **{**DAY_ONE, **too_long})

    assert response.status_code == 422
    assert response.json["code"] == "period_too_long"
    assert response.json["details"]["field"] == "to"


def test_empty_period_and_unknown_sop(client, auth, log):
    empty = _get(client, auth["eka"], **{**DAY_ONE, "to": DAY_ONE["from"]})
    unknown = _get(client, auth["eka"], **{**DAY_ONE, "sop": "tidak_ada"})

    assert (empty.status_code, empty.json["code"]) == (422, "period_reversed")
    assert unknown.status_code == 404


def test_names_are_escaped(client, auth, api_ctx, tokens):
    spec = SopSpec(key="esc_sop", steps=[Step("a")], lanes={"staf": "UJI-STAF"})
    xml = build(spec).replace(
        b'name="Langkah a"', b'name="Cek &lt;berkas&gt; &amp; &quot;KTP&quot;"'
    )
    publish(api_ctx, xml)
    instances.start_instance(api_ctx, SYSTEM, "esc_sop", {})

    body = _get(client, auth["eka"], sop="esc_sop", **{"from": "2026-11-23", "to": "2026-11-24"})

    (events,) = _xes_traces(body.data).values()
    assert events[0][0] == 'Cek <berkas> & "KTP"'


def test_export_reads_lazily_and_releases_its_connection_when_abandoned(log):
    exported = export_event_log(
        log.ctx, log.actor("eka"), "izin_sop", date(2026, 11, 23), date(2026, 11, 25), LogFormat.CSV
    )
    first = next(exported.chunks)
    exported.chunks.close()  # a client that hangs up: the engine fixture checks for leaks

    assert first.startswith("case_id,") and "IS-2026-00001" in first
    assert "IS-2026-00004" not in first
