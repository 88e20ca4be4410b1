"""An officer works a request in a real browser, on the demo organization and SOP library."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import DEMO_PASSWORD, log_in
from web.usecases.organization import login
from web.usecases.pagination import PageRequest
from web.usecases.runtime import instances, work_items

SOP = "surat_keterangan_domisili"


def _first_step(live_app, username: str = "budi"):
    """Start a request through the use case and return its first step, as the app would."""
    context = live_app.extensions["alur"]["context"]
    officer = login.authenticate_password(context, username, DEMO_PASSWORD).actor
    instances.start_instance(
        context, officer, SOP, {"pemohon": "Siti Aminah", "nik": "3171234567890123"}
    )
    return work_items.inbox(context, officer, PageRequest()).items[0]


def _fill_first_step(page) -> None:
    page.fill("#f-nama_pemohon", "Siti Aminah")
    page.fill("#f-alamat_domisili", "Jl. Melati 5, RT 02/RW 03")
    page.fill("#f-keperluan", "Pembukaan rekening bank")
    page.check("#f-berkas_lengkap-1")


def test_officer_starts_claims_and_completes_a_step_that_moves_to_the_next_inbox(new_page):
    page = new_page()
    log_in(page, "budi")
    page.get_by_role("link", name="Permohonan baru").click()
    page.select_option("#sop", SOP)
    page.fill("#pemohon", "Siti Aminah")
    page.fill("#nik", "3171234567890123")
    page.fill("#keperluan", "Pembukaan rekening bank")
    page.get_by_role("button", name="Mulai permohonan").click()
    expect(page.locator(".flash-success")).to_contain_text("telah dimulai")
    reference = re.search(r"SKD-\d{4}-\d{5}", page.locator("h1").inner_text()).group(0)

    page.get_by_role(
        "link", name="Menerima permohonan dan memeriksa kelengkapan berkas"
    ).first.click()
    page.get_by_role("button", name="Ambil langkah ini").click()
    expect(page.locator(".flash-success")).to_contain_text("Anda mengambil langkah ini")
    expect(page.locator("#f-nik")).to_have_value("3171234567890123")  # from the request
    _fill_first_step(page)
    page.get_by_role("button", name="Selesaikan langkah").click()

    expect(page.locator(".flash-success")).to_contain_text(f"pada {reference} telah selesai")
    expect(page.locator(".diagram[data-rendered=true]")).to_be_visible()
    expect(page.locator('g.alur-done[data-element-id="terima_permohonan"]')).to_have_count(1)
    expect(page.locator('g.alur-active[data-element-id="verifikasi_data"]')).to_have_count(1)
    page.get_by_role("link", name="Kotak masuk").click()
    expect(page.locator("main")).not_to_contain_text(reference)

    next_performer = new_page()
    log_in(next_performer, "dedi")
    row = next_performer.locator("tr.inbox-item", has_text=reference)
    expect(row).to_contain_text("Memverifikasi data kependudukan")


def test_an_officer_of_another_unit_gets_403_on_a_step(new_page, live_app):
    item = _first_step(live_app)
    page = new_page()
    log_in(page, "indah")  # front office of Disdukcapil, not of the kelurahan

    response = page.goto(f"/work-items/{item.id}")

    assert response.status == 403
    expect(page.locator("main form")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text("Siti Aminah")


def test_a_stale_form_shows_who_completed_the_step_first(new_page, live_app):
    item = _first_step(live_app)
    first = new_page()
    log_in(first, "budi")
    second = first.context.new_page()
    for page in (first, second):
        page.goto(f"/work-items/{item.id}")
        _fill_first_step(page)

    first.bring_to_front()  # chromium slows tabs in the background
    first.get_by_role("button", name="Selesaikan langkah").click()
    expect(first).to_have_url(re.compile(r"/requests/\d+$"))
    second.get_by_role("button", name="Selesaikan langkah").click()

    conflict = second.locator(".conflict")
    expect(conflict).to_contain_text("Budi Santoso sudah menyelesaikan langkah ini pada")
    expect(second.locator("h1")).to_have_text(item.activity_name)


def test_the_language_switch_changes_the_inbox(new_page):
    page = new_page()
    log_in(page, "budi")
    expect(page.locator("h1")).to_have_text("Kotak masuk")

    page.select_option("#language", "en")
    expect(page.locator("h1")).to_have_text("Inbox")
    page.select_option("#language", "id")
    expect(page.locator("h1")).to_have_text("Kotak masuk")
