"""The SOP library and the administration pages in a real browser."""

from tests.browser.conftest import log_in

KEY = "surat_keterangan_domisili"
PHONE = {"width": 390, "height": 844}


def _fits_the_width(page) -> bool:
    """Nothing but the tables' own scroll areas is wider than the window."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_an_sop_page_shows_its_diagram_and_the_sop_ap_table(new_page):
    page = new_page()
    log_in(page, "budi")

    page.goto(f"/sops/{KEY}")
    page.wait_for_selector(".diagram[data-rendered=true]")

    assert page.locator('.diagram [data-element-id="terima_permohonan"]').count() == 1
    assert page.locator("table.sop-identity").get_by_text("470/SOP-KEL.SKM/001/2025").is_visible()
    rows = page.locator("table.sop-flowchart tbody tr")
    assert rows.count() == 6
    first = rows.first
    assert first.locator("td.performer").count() == 1
    assert first.locator("td.time").inner_text() == "10 menit"
    assert _fits_the_width(page)
    page.set_viewport_size(PHONE)
    assert _fits_the_width(page)


def test_the_library_lists_and_finds_sops(new_page):
    page = new_page()
    log_in(page, "budi")
    page.goto("/sops")
    assert page.locator("table.sop-list tbody tr").count() == 6

    page.get_by_label("Cari menurut nama atau nomor SOP").fill("domisili")
    page.get_by_role("button", name="Cari").click()

    assert page.locator("table.sop-list tbody tr").count() == 1
    page.get_by_role("link", name="Pelayanan Surat Keterangan Domisili").click()
    page.wait_for_selector(".diagram[data-rendered=true]")


def test_the_admin_page_shows_the_unit_tree(new_page):
    page = new_page()
    log_in(page, "admin")

    page.goto("/admin")

    kelurahan = page.locator('li[data-unit="KEC-SKB"] li[data-unit="KEL-SKM"]')
    assert kelurahan.count() == 1
    assert "Staf Pelayanan Kelurahan Sukamaju" in kelurahan.inner_text()
    assert page.get_by_label("Nama").first.is_visible()
    page.set_viewport_size(PHONE)
    assert _fits_the_width(page)


def test_an_officer_gets_403_on_the_admin_page(new_page):
    page = new_page()
    log_in(page, "budi")
    assert page.get_by_role("link", name="Administrasi").count() == 0

    response = page.goto("/admin")

    assert response.status == 403
    assert page.get_by_role("heading", name="Anda tidak berwenang membuka halaman ini").is_visible()
