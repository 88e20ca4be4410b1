"""The service level on the pages: the inbox's time-standard column and overdue filter, and
escalations by a BPMN timer in the request's history."""

import pytest

from tests.factories.bpmn import SopSpec, Step, boundary_timer, build, flow
from tests.web.conftest import build_org, publish
from tests.web.pages.test_pages_officer import log_in, text_of
from web.usecases.runtime import instances, timers


@pytest.fixture
def people(app, api_ctx):
    app.config["WTF_CSRF_ENABLED"] = False
    return build_org(api_ctx)


def test_inbox_shows_on_time_at_risk_and_overdue_and_filters_overdue(app, api_ctx, people, clock):
    key = publish(api_ctx)  # terima: 1 jam, Monday 08:00 WIB
    instances.start_instance(api_ctx, people.actor("ani"), key, {"pemohon": "Sari"})
    client = log_in(app, "ani")
    assert "Tepat waktu" in text_of(client.get("/inbox"))

    clock.advance(minutes=50)  # 50 of 60 working minutes used
    assert "Berisiko terlambat" in text_of(client.get("/inbox"))

    clock.advance(minutes=20)
    instances.start_instance(api_ctx, people.actor("ani"), key, {"pemohon": "Budi"})
    page = text_of(client.get("/inbox"))
    assert "Terlambat" in page and "Tepat waktu" in page
    overdue_only = text_of(client.get("/inbox?overdue=1"))
    assert "Terlambat" in overdue_only and "Tepat waktu" not in overdue_only


def test_an_escalation_shows_in_the_request_history(app, api_ctx, people, clock):
    spec = SopSpec(
        steps=[Step("terima"), Step("eskalasi", lane="kepala", chained=False)],
        extra=boundary_timer("batas", "terima", "PT2H", interrupting=False)
        + '<bpmn:endEvent id="akhir_eskalasi"/>'
        + flow("batas", "eskalasi")
        + flow("eskalasi", "akhir_eskalasi"),
    )
    key = publish(api_ctx, build(spec))
    instance = instances.start_instance(api_ctx, people.actor("ani"), key, {"pemohon": "Sari"})
    clock.advance(hours=3)
    assert timers.fire_due_timers(api_ctx) == 1

    page = text_of(log_in(app, "citra").get(f"/requests/{instance.id}"))
    assert "Batas waktu tercapai: eskalasi" in page
    assert "dieskalasi ke: Langkah eskalasi" in page
