"""The overlap pages: the flags with the synergy box, one flag with its evidence, the forms
that change its state, and the flags box on an SOP's page; in Indonesian and in English."""

import dataclasses
import re
from html import unescape

import pytest

from storage.models import FlagState
from tests.web.conftest import build_org, publish
from tests.web.pages.test_pages_officer import log_in, text_of
from tests.web.usecases.analysis.test_overlap_evidence_scope import outside_manager
from tests.web.usecases.analysis.test_overlaps import ALL, domisili, plant
from web.usecases.analysis import overlaps
from web.usecases.context import SYSTEM
from web.usecases.library import sops


@pytest.fixture(autouse=True)
def no_csrf(app):
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def org(api_ctx):
    return build_org(api_ctx)


@pytest.fixture
def flags(api_ctx, org, clock) -> dict:
    """The planted SOPs and requests, analysed: the flags by kind."""
    plant(api_ctx, org, clock)
    overlaps.analyze(api_ctx, org.actor("eka"))
    clock.advance(minutes=5)
    return {flag.kind: flag for flag in overlaps.list_flags(api_ctx, SYSTEM, ALL).items}


def state_of(api_ctx, flag) -> FlagState:
    return overlaps.get_flag(api_ctx, SYSTEM, flag.id).state


def rows(response) -> list[str]:
    """The ids of the flags listed on a page."""
    return re.findall(r'<tr id="flag-(\d+)">', response.get_data(as_text=True))


def test_the_flags_page_answers_the_synergy_question_and_lists_the_flags(app, flags):
    client = log_in(app, "eka")

    response = client.get("/overlaps")

    assert response.status_code == 200
    page = text_of(response)
    assert "Evaluasi SOP AP — sinergi" in page
    assert "Apakah prosedur berjalan sinergis tanpa tumpang tindih tugas? Tidak" in page
    assert "Belum ditinjau: 2 tinggi, 1 sedang, 0 rendah" in page
    assert "Jalankan analisis" in page
    assert "3 temuan" in page
    for label in (
        "Pekerjaan bolak-balik",
        "Dokumen yang sama diperiksa berulang",
        "Kegiatan serupa oleh pelaksana berbeda",
    ):
        assert label in page
    assert flags["bouncing"].explanation_id in page
    assert flags["bouncing"].explanation_en not in page
    assert sorted(rows(response)) == sorted(str(flag.id) for flag in flags.values())
    html = unescape(response.get_data(as_text=True))
    assert f'href="/overlaps/{flags["repeated_check"].id}"' in html
    assert 'href="/sops/domisili"' in html


def test_the_pages_speak_english_on_request(app, flags):
    client = log_in(app, "citra")
    client.post("/language", data={"language": "en", "next": "/overlaps"})

    listing = text_of(client.get("/overlaps"))
    detail = text_of(client.get(f"/overlaps/{flags['bouncing'].id}"))

    assert "SOP AP evaluation — synergy" in listing
    assert "Do the procedures work in synergy, with no overlapping duties? No" in listing
    assert "Work handed back and forth" in listing
    assert flags["bouncing"].explanation_en in listing
    assert "3 flags" in listing
    assert flags["bouncing"].explanation_en in detail
    assert "Requests (a sample)" in detail and "Evidence" in detail


def test_the_list_filters_and_keeps_its_filters_across_pages(app, api_ctx, flags):
    overlaps.acknowledge(api_ctx, SYSTEM, flags["bouncing"].id, "Dipantau.")
    client = log_in(app, "citra")

    def listed(query: str) -> set[str]:
        return set(rows(client.get(f"/overlaps?{query}")))

    assert listed("kind=bouncing") == {str(flags["bouncing"].id)}
    assert listed("state=acknowledged") == {str(flags["bouncing"].id)}
    assert listed("sop=domisili") == {str(flags["repeated_check"].id)}
    assert listed("severity=medium") == {str(flags["repeated_check"].id)}
    assert len(listed("kind=nope&severity=urgent")) == 3  # unknown values are ignored
    empty = text_of(client.get("/overlaps?state=resolved"))
    assert "Tidak ada temuan yang cocok dengan saringan ini." in empty
    chosen = client.get("/overlaps?severity=high").get_data(as_text=True)
    assert '<option value="high" selected>' in chosen

    settings = app.extensions["alur"]["settings"]
    app.extensions["alur"]["settings"] = dataclasses.replace(settings, page_size=1)
    first = client.get("/overlaps?severity=high")
    assert len(rows(first)) == 1
    assert 'href="/overlaps?page=2&amp;severity=high" rel="next"' in first.get_data(as_text=True)
    assert "Halaman 1 dari 2" in text_of(first)
    second = client.get("/overlaps?page=2&severity=high")
    assert rows(second) != rows(first) and len(rows(second)) == 1
    assert 'href="/overlaps?page=1&amp;severity=high" rel="prev"' in second.get_data(as_text=True)


def test_running_the_analysis_from_the_page_flashes_its_counts(app, api_ctx, org, clock):
    plant(api_ctx, org, clock)
    client = log_in(app, "eka")
    assert "Analisis belum pernah dijalankan." in text_of(client.get("/overlaps"))

    response = client.post("/overlaps/analyze", follow_redirects=True)

    page = text_of(response)
    assert (
        "Analisis selesai: 4 SOP dan 21 langkah selesai; 3 temuan, 3 baru, 0 teratasi oleh "
        "versi baru, 0 tidak ditemukan lagi." in page
    )
    assert "Analisis terakhir: 23 Nov 2026" in page
    assert len(rows(response)) == 3


def test_a_flag_shows_its_evidence_linked_to_sops_diagrams_and_requests(app, flags):
    client = log_in(app, "citra")

    bounce = client.get(f"/overlaps/{flags['bouncing'].id}")
    check = client.get(f"/overlaps/{flags['repeated_check'].id}")

    assert bounce.status_code == check.status_code == 200
    page, html = text_of(bounce), unescape(bounce.get_data(as_text=True))
    assert flags["bouncing"].explanation_id in page
    assert "Pekerjaan bolak-balik" in page and "dari pekerjaan yang dilakukan" in page
    assert "Bagian permohonan SOP yang dikembalikan 60%" in page
    for reference in flags["bouncing"].evidence["shared"]:
        assert f'href="/requests?q={reference}&sop=balik">{reference}</a>' in html
    assert 'data-bpmn-url="/sops/balik/versions/1/bpmn"' in html
    assert 'href="/sops/balik"' in html
    page, html = text_of(check), unescape(check.get_data(as_text=True))
    assert "Menerima permohonan dan memeriksa surat pengantar RT/RW" in page
    assert 'href="/sops/domisili#activity-periksa"' in html
    assert '"periksa": "flagged"' in html and '"terima": "flagged"' in html
    assert "Kesamaan" in page and "Pertama ditemukan" in page
    assert 'href="/sops/domisili#diagram-title"' in html
    # A manager looks: no forms.
    assert (
        "Tandai sudah ditinjau" not in page and '<form method="post" action="/overlaps' not in html
    )


def test_acknowledging_through_the_form_needs_a_note(app, api_ctx, flags):
    client = log_in(app, "eka")
    flag = flags["repeated_check"]

    refused = client.post(f"/overlaps/{flag.id}/acknowledge", data={"note": "  "})
    done = client.post(
        f"/overlaps/{flag.id}/acknowledge", data={"note": "Diterima: dua pemeriksaan berbeda."}
    )

    assert refused.status_code == 400
    assert "Tulis keterangan: apa yang diputuskan, dan mengapa." in text_of(refused)
    assert 'aria-invalid="true"' in refused.get_data(as_text=True)
    assert done.status_code == 302 and done.headers["Location"] == f"/overlaps/{flag.id}"
    assert state_of(api_ctx, flag) == FlagState.ACKNOWLEDGED
    page = text_of(client.get(done.headers["Location"]))
    assert "Temuan sudah ditinjau; keterangan Anda disimpan bersamanya." in page
    assert "Keadaan Sudah ditinjau" in page
    assert "Diterima: dua pemeriksaan berbeda." in page
    assert "Eka" in page  # who changed it
    assert "Buka kembali" in page and "Tandai sudah ditinjau" not in page


def test_resolving_through_the_form_needs_a_newer_version(app, api_ctx, clock, flags):
    client = log_in(app, "eka")
    flag = flags["repeated_check"]
    stale = sops.get_version(api_ctx, SYSTEM, "domisili")

    before = text_of(client.get(f"/overlaps/{flag.id}"))
    assert "Belum ada versi SOP temuan ini yang diterbitkan setelah temuan muncul." in before
    unchosen = client.post(f"/overlaps/{flag.id}/resolve", data={})
    too_old = client.post(f"/overlaps/{flag.id}/resolve", data={"version": stale.id})
    assert unchosen.status_code == 400
    assert "Pilih versi yang mengatasi temuan ini." in text_of(unchosen)
    assert too_old.status_code == 409
    assert "Hanya versi yang diterbitkan setelah temuan muncul" in text_of(too_old)

    clock.advance(days=1)
    publish(api_ctx, domisili(fixed=True))
    fixed = sops.get_version(api_ctx, SYSTEM, "domisili")
    form = client.get(f"/overlaps/{flag.id}").get_data(as_text=True)
    assert f'<option value="{fixed.id}"' in form
    done = client.post(
        f"/overlaps/{flag.id}/resolve", data={"version": fixed.id}, follow_redirects=True
    )

    page, html = text_of(done), unescape(done.get_data(as_text=True))
    assert "Temuan teratasi oleh versi baru." in page
    assert "Keadaan Teratasi" in page
    assert 'href="/sops/domisili/versions/2"' in html
    assert state_of(api_ctx, flag) == FlagState.RESOLVED

    reopened = client.post(f"/overlaps/{flag.id}/reopen", data={}, follow_redirects=True)
    assert "Temuan dibuka kembali." in text_of(reopened)
    assert state_of(api_ctx, flag) == FlagState.OPEN


def test_officers_get_403_and_managers_may_not_act(app, api_ctx, flags):
    officer, manager = log_in(app, "ani"), log_in(app, "citra")
    flag = flags["bouncing"]

    for url in ("/overlaps", f"/overlaps/{flag.id}"):
        assert officer.get(url).status_code == 403
    for client in (officer, manager):
        assert client.post("/overlaps/analyze").status_code == 403
        assert (
            client.post(f"/overlaps/{flag.id}/acknowledge", data={"note": "x"}).status_code == 403
        )
        assert client.post(f"/overlaps/{flag.id}/resolve", data={}).status_code == 403
        assert client.post(f"/overlaps/{flag.id}/reopen", data={}).status_code == 403
    assert "Jalankan analisis" not in text_of(manager.get("/overlaps"))
    assert state_of(api_ctx, flag) == FlagState.OPEN
    assert manager.get("/overlaps/99999").status_code == 404


def test_the_sop_page_lists_its_flags_for_managers_and_analysts(app, api_ctx, org, clock):
    plant(api_ctx, org, clock)
    manager = log_in(app, "citra")
    assert "Tidak ada temuan tumpang tindih pada SOP ini." in text_of(manager.get("/sops/domisili"))
    overlaps.analyze(api_ctx, org.actor("eka"))
    [flag] = overlaps.list_flags(api_ctx, SYSTEM, ALL, sop_key="domisili").items

    shown = manager.get("/sops/domisili")
    officer = text_of(log_in(app, "ani").get("/sops/domisili"))

    page = text_of(shown)
    assert "Tumpang tindih tugas" in page
    assert "Dokumen yang sama diperiksa berulang" in page and flag.explanation_id in page
    assert f'href="/overlaps/{flag.id}"' in shown.get_data(as_text=True)
    assert "Tumpang tindih tugas" not in officer and flag.explanation_id not in officer


def test_state_changes_need_the_forms_csrf_token(app, api_ctx, flags):
    app.config["WTF_CSRF_ENABLED"] = True
    client = log_in_with_token(app, "eka")
    flag = flags["bouncing"]

    forged = client.post(f"/overlaps/{flag.id}/acknowledge", data={"note": "Palsu."})
    page = client.get(f"/overlaps/{flag.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    genuine = client.post(
        f"/overlaps/{flag.id}/acknowledge", data={"note": "Asli.", "csrf_token": token}
    )

    assert forged.status_code == 400
    assert genuine.status_code == 302
    assert overlaps.get_flag(api_ctx, SYSTEM, flag.id).note == "Asli."


def log_in_with_token(app, username: str):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login", data={"username": username, "password": "rahasia-uji", "csrf_token": token}
    )
    assert response.status_code == 302
    return client


def test_a_flag_names_only_the_requests_the_manager_may_open(app, api_ctx, org, flags):
    outside = outside_manager(api_ctx, org)
    url, references = f"/overlaps/{flags['bouncing'].id}", flags["bouncing"].evidence["shared"]

    outsider, analyst = text_of(log_in(app, outside).get(url)), text_of(log_in(app, "eka").get(url))

    assert references and not [ref for ref in references if ref in outsider]
    assert flags["bouncing"].explanation_id in outsider  # the counts stay, as aggregates
    assert all(ref in analyst for ref in references)
