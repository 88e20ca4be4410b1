"""One validator for every form: a step's fields follow their declared rules, and a later step
shows what the request already holds (from the start form or an earlier step)."""

import re

import pytest

from tests.factories.bpmn import SopSpec, Step, build
from tests.web.conftest import publish
from tests.web.pages import test_pages_officer as officer
from tests.web.pages.test_pages_officer import log_in, open_item, start, text_of
from web.usecases.runtime import work_items

NIK_FIELD = (
    '<sop:field name="nik" type="text" required="true" label="NIK pemohon" '
    'pattern="[0-9]{16}" patternMessage="NIK terdiri dari tepat 16 angka." '
    'patternMessageEn="A NIK has exactly 16 digits."/>'
)
TERIMA = NIK_FIELD + '<sop:field name="tanggal_surat" type="date" label="Tanggal surat"/>'
PERIKSA = (
    NIK_FIELD + '<sop:field name="tanggal_surat" type="date" label="Tanggal surat"/>'
    '<sop:field name="tanggal_selesai" type="date" label="Tanggal selesai" '
    'notBefore="tanggal_surat"/>'
)
NIK = "3171234567890123"
# The officer pages' fixtures: the test clock, no CSRF tokens, the test organization.
app_clock, ctx, org = officer.app_clock, officer.ctx, officer.org


@pytest.fixture
def key(ctx, org) -> str:
    """terima (staf: NIK, letter date) -> periksa (staf: NIK, letter date, end date)."""
    steps = [Step("terima", fields=TERIMA), Step("periksa", fields=PERIKSA)]
    return publish(ctx, build(SopSpec(steps=steps)))


def test_a_nik_of_two_digits_is_refused_at_a_step_in_the_readers_language(app, ctx, org, key):
    item = open_item(ctx, start(ctx, org, key))
    client = log_in(app, "ani")

    refused = client.post(f"/work-items/{item.id}/complete", data={"nik": "12"})

    assert refused.status_code == 422
    assert 'id="err-nik">NIK terdiri dari tepat 16 angka.' in refused.get_data(as_text=True)
    client.post("/language", data={"language": "en"})
    english = client.post(f"/work-items/{item.id}/complete", data={"nik": "12"})
    assert 'id="err-nik">A NIK has exactly 16 digits.' in english.get_data(as_text=True)
    assert open_item(ctx, item.instance).id == item.id


def test_a_later_step_shows_the_nik_of_the_start_and_the_date_of_an_earlier_step(
    app, ctx, org, key
):
    instance = start(ctx, org, key, nik=NIK)
    first = open_item(ctx, instance)
    client = log_in(app, "ani")
    assert re.search(rf'value="{NIK}" id="f-nik"', client.get(f"/work-items/{first.id}").text)
    done = client.post(
        f"/work-items/{first.id}/complete", data={"nik": NIK, "tanggal_surat": "2026-11-20"}
    )
    assert done.status_code == 302

    later = client.get(f"/work-items/{open_item(ctx, instance).id}").get_data(as_text=True)

    assert re.search(rf'value="{NIK}" id="f-nik"', later)
    assert re.search(r'value="2026-11-20" id="f-tanggal_surat"', later)
    assert not re.search(r'value="[^"]+" id="f-tanggal_selesai"', later)


def test_a_date_before_the_date_it_follows_is_refused_naming_that_date(app, ctx, org, key):
    instance = start(ctx, org, key, nik=NIK)
    first = open_item(ctx, instance)
    work_items.complete(
        ctx, org.actor("ani"), first.id, {"nik": NIK, "tanggal_surat": "2026-11-20"}
    )
    second = open_item(ctx, instance)
    client = log_in(app, "ani")
    wrong = {"nik": NIK, "tanggal_surat": "2026-11-20", "tanggal_selesai": "2026-11-19"}

    refused = client.post(f"/work-items/{second.id}/complete", data=wrong)

    assert refused.status_code == 422
    assert "Isi tanggal 20 November 2026 atau sesudahnya." in text_of(refused)
    accepted = client.post(
        f"/work-items/{second.id}/complete", data={**wrong, "tanggal_selesai": "2026-11-20"}
    )
    assert accepted.status_code == 302


def test_the_start_form_and_a_step_refuse_the_same_nik_with_the_same_words(app, ctx, org, key):
    client = log_in(app, "ani")
    started = client.post("/requests/new", data={"sop": key, "pemohon": "Sari", "nik": "12"})
    item = open_item(ctx, start(ctx, org, key))
    stepped = client.post(f"/work-items/{item.id}/complete", data={"nik": "12"})

    for response in (started, stepped):
        assert response.status_code == 422
        assert 'id="err-nik">NIK terdiri dari tepat 16 angka.' in response.get_data(as_text=True)
