"""Overlap flags in a real browser: an analyst opens a flag of the demo library, sees it on
the diagram, and acknowledges it with a note."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from web.usecases.analysis import overlaps
from web.usecases.context import SYSTEM
from web.usecases.pagination import PageRequest


@pytest.fixture
def analysed(live_app):
    """The demo library analysed: its repeated checks are flagged."""
    context = live_app.extensions["alur"]["context"]
    overlaps.analyze(context, SYSTEM)
    page = overlaps.list_flags(context, SYSTEM, PageRequest(1, 50), kind="repeated_check")
    assert page.total > 0
    return context


def test_an_analyst_acknowledges_a_flag_with_a_note(new_page, analysed):
    page = new_page()
    log_in(page, "ratna")  # analyst, bagian organisasi

    page.goto("/overlaps")
    expect(page.locator("h1")).to_have_text("Tumpang tindih tugas")
    expect(page.locator("#synergy-answer")).to_have_text("Tidak")
    page.select_option("#filter-kind", "repeated_check")
    page.get_by_role("button", name="Saring").click()
    rows = page.locator("table.flag-list tbody tr")
    expect(rows.first).to_be_visible()
    rows.first.get_by_role("link", name="Dokumen yang sama diperiksa berulang").click()

    expect(page.locator("#flag-state")).to_have_text("Belum ditinjau")
    expect(page.locator(".diagram[data-rendered=true]").first).to_be_visible()
    assert page.locator(".diagram .alur-flagged").count() >= 2  # the two steps that check
    page.get_by_role("button", name="Tandai sudah ditinjau").click()
    expect(page.locator("#ack-error")).to_have_text(
        "Tulis keterangan: apa yang diputuskan, dan mengapa."
    )
    page.fill("#ack-note", "Dibahas dengan Bagian Organisasi; revisi SOP dijadwalkan.")
    page.get_by_role("button", name="Tandai sudah ditinjau").click()

    expect(page.locator(".flash-success")).to_have_text(
        "Temuan sudah ditinjau; keterangan Anda disimpan bersamanya."
    )
    expect(page.locator("#flag-state")).to_have_text("Sudah ditinjau")
    expect(page.locator("#flag-history")).to_contain_text(
        "Dibahas dengan Bagian Organisasi; revisi SOP dijadwalkan."
    )
    flag_id = int(page.url.rsplit("/", 1)[1])
    assert overlaps.get_flag(analysed, SYSTEM, flag_id).state.value == "acknowledged"
