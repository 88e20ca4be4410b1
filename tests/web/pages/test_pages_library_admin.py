"""The SOP library and administration pages, as a logged-in person sees them (in Indonesian)."""

import html
from pathlib import Path

import pytest
from lxml import html as lxml_html
from sqlalchemy import func, select

from engine.definition import load_sop
from storage.models import Event, Position, Unit, User, VersionStatus
from tests.factories.bpmn import SopSpec, Step, build
from tests.web.conftest import build_org
from web.usecases.context import SYSTEM
from web.usecases.demo import seed_organization
from web.usecases.library import catalog, sops
from web.usecases.organization import accounts

PROCESSES = Path(__file__).resolve().parents[3] / "processes"
DEMO_PASSWORD = "sandi-demo-uji"
PASSWORD = "rahasia-uji"
DEMO_SOPS = sorted(PROCESSES.glob("*.bpmn"))


@pytest.fixture(autouse=True)
def no_csrf(app):
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def demo(api_ctx):
    """The demo organization and the six SOPs of the library, as `make run` loads them."""
    seed_organization(api_ctx, PROCESSES / "demo_organization.json", DEMO_PASSWORD)
    results = sops.load_processes(api_ctx, PROCESSES)
    assert [r.outcome for r in results] == ["published"] * len(DEMO_SOPS)
    return api_ctx


@pytest.fixture
def people(api_ctx):
    return build_org(api_ctx)


def log_in(client, username: str, password: str = PASSWORD):
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def tree(response):
    return lxml_html.fromstring(response.get_data(as_text=True))


def _draft_with_lane(ctx, position: str, key: str = "sop_baru") -> int:
    spec = SopSpec(
        key=key,
        steps=[Step("terima"), Step("teken", lane="camat")],
        lanes={"staf": "UJI-STAF", "camat": position},
    )
    return sops.upload_version(ctx, SYSTEM, build(spec)).number


# --- the SOP library -----------------------------------------------------------------------------


def test_the_library_lists_the_six_demo_sops(client, demo):
    log_in(client, "budi", DEMO_PASSWORD)

    page = text(client.get("/sops"))

    assert "6 SOP berlaku" in page
    for path in DEMO_SOPS:
        metadata = load_sop(path.read_bytes()).metadata
        assert metadata.name in page
        assert metadata.identity["number"] in page
        assert f'href="/sops/{metadata.key}"' in page


def test_the_library_searches_by_name_or_number_and_filters_by_unit(client, demo):
    log_in(client, "budi", DEMO_PASSWORD)

    by_name = tree(client.get("/sops", query_string={"q": "domisili"}))
    by_number = tree(client.get("/sops", query_string={"q": "sop-disdukcapil"}))
    by_unit = tree(client.get("/sops", query_string={"unit": "Kelurahan Sukamaju"}))
    nothing = text(client.get("/sops", query_string={"q": "tidak ada"}))

    def keys(page):
        return [a.get("href") for a in page.xpath("//table[@class='sop-list']/tbody//a")]

    assert keys(by_name) == ["/sops/surat_keterangan_domisili"]
    assert keys(by_number) == ["/sops/akta_kelahiran"]
    assert keys(by_unit) == ["/sops/surat_keterangan_domisili"]
    assert "Tidak ada SOP yang cocok" in nothing


def test_an_sop_page_is_laid_out_as_an_sop_ap_document(client, demo):
    metadata = load_sop((PROCESSES / "surat_keterangan_domisili.bpmn").read_bytes()).metadata
    log_in(client, "budi", DEMO_PASSWORD)

    response = client.get("/sops/surat_keterangan_domisili")

    assert response.status_code == 200
    page = text(response)
    for label in [
        "Nomor SOP",
        "Tanggal Pembuatan",
        "Tanggal Revisi",
        "Tanggal Efektif",
        "Disahkan oleh",
        "Dasar Hukum",
        "Kualifikasi Pelaksana",
        "Keterkaitan",
        "Peralatan/Perlengkapan",
        "Peringatan",
        "Pencatatan dan Pendataan",
        "Kegiatan",
        "Pelaksana",
        "Mutu Baku",
        "Kelengkapan",
        "Waktu",
        "Output",
        "Keterangan",
    ]:
        assert label in page, label
    identity = metadata.identity
    assert identity["number"] in page and identity["approved_by"] in page
    assert "12 Februari 2024" in page  # created_on 2024-02-12, in Indonesian
    for field in ("legal_basis", "equipment", "warnings", "records"):
        for item in identity[field]:
            assert item in page, item

    rows = tree(response).xpath("//table[@class='sop-flowchart']/tbody/tr")
    lanes = [lane.id for lane in metadata.lanes]
    assert len(rows) == len(metadata.activities)
    for row, activity in zip(rows, metadata.activities, strict=True):
        cells = row.xpath("./td|./th")
        performer = cells[2 : 2 + len(lanes)]
        marked = [lanes[i] for i, cell in enumerate(performer) if "performer" in cell.classes]
        time, output, note = (c.text_content().strip() for c in cells[-3:])
        assert cells[1].text_content().strip() == activity.name
        assert marked == [activity.lane_id]
        assert [li.text_content() for li in cells[-4].xpath(".//li")] == list(activity.requirements)
        assert time == activity.time_standard.text
        assert output == activity.output
        assert note == (activity.note or "")
    assert 'data-bpmn-url="/sops/surat_keterangan_domisili/versions/1/bpmn"' in page


def test_every_demo_sop_page_and_its_diagram_open(client, demo):
    log_in(client, "agus", DEMO_PASSWORD)
    for path in DEMO_SOPS:
        key = path.stem
        assert client.get(f"/sops/{key}").status_code == 200, key
        bpmn = client.get(f"/sops/{key}/versions/1/bpmn")
        assert bpmn.status_code == 200 and bpmn.mimetype == "application/xml"


def test_unknown_sops_and_versions_are_not_found(client, people):
    log_in(client, "ani")

    assert client.get("/sops/tidak_ada").status_code == 404
    assert client.get("/sops/tidak_ada/versions/3").status_code == 404


def test_the_library_needs_a_login(client, people):
    response = client.get("/sops")

    assert response.status_code == 302 and "/login" in response.headers["Location"]


def _status(ctx, key: str, number: int) -> VersionStatus:
    return catalog.sop_document(ctx, SYSTEM, key, number).version.status


def test_an_analyst_publishes_a_draft_after_confirming(client, api_ctx, people):
    key = "uji_sop"
    sops.upload_version(api_ctx, SYSTEM, build())
    sops.publish_version(api_ctx, SYSTEM, key, 1)
    sops.upload_version(api_ctx, SYSTEM, build(SopSpec(steps=[Step("terima")])))
    log_in(client, "eka")

    draft = text(client.get(f"/sops/{key}/versions/2"))
    confirm = client.get(f"/sops/{key}/versions/2/publish")
    assert _status(api_ctx, key, 2) == VersionStatus.DRAFT  # asking changes nothing
    done = client.post(f"/sops/{key}/versions/2/publish", follow_redirects=True)

    assert "Terbitkan versi ini" in draft and "Ini bukan versi yang berlaku." in draft
    assert confirm.status_code == 200
    assert "Versi 1 menjadi tidak berlaku lagi" in text(confirm)
    assert "Versi 2 telah diterbitkan" in text(done)
    assert _status(api_ctx, key, 2) == VersionStatus.PUBLISHED
    assert _status(api_ctx, key, 1) == VersionStatus.RETIRED


def test_a_draft_with_an_unmapped_lane_stays_a_draft_with_a_clear_message(client, api_ctx, people):
    number = _draft_with_lane(api_ctx, "KEC-CAMAT")
    log_in(client, "admin")

    listed = text(client.get("/sops"))
    response = client.post(f"/sops/sop_baru/versions/{number}/publish", follow_redirects=True)

    assert "Belum diterbitkan" in listed and "/sops/sop_baru/versions/1" in listed
    assert "Versi 1 tidak diterbitkan" in text(response) and "(Camat)" in text(response)
    assert _status(api_ctx, "sop_baru", number) == VersionStatus.DRAFT


@pytest.mark.parametrize("who", ["ani", "citra"])
def test_officers_and_managers_cannot_publish(client, api_ctx, people, who):
    sops.upload_version(api_ctx, SYSTEM, build())
    log_in(client, who)

    page = text(client.get("/sops/uji_sop"))
    asked = client.get("/sops/uji_sop/versions/1/publish")
    posted = client.post("/sops/uji_sop/versions/1/publish")

    assert "Terbitkan versi ini" not in page
    assert "Belum diterbitkan" not in text(client.get("/sops"))
    assert (asked.status_code, posted.status_code) == (403, 403)
    assert _status(api_ctx, "uji_sop", 1) == VersionStatus.DRAFT


# --- administration --------------------------------------------------------------------------


ADMIN_PAGES = [
    "/admin",
    "/admin/users",
    "/admin/users/ani",
    "/admin/users/ani/deactivate",
    "/admin/lanes",
]
ADMIN_POSTS = [
    ("/admin/units", {"code": "UNIT-X", "name": "Unit X", "parent": "KEC"}),
    ("/admin/positions", {"code": "POS-X", "name": "Jabatan X", "unit": "KEL"}),
    (
        "/admin/users",
        {
            "username": "penyusup",
            "full_name": "Penyusup",
            "role": "admin",
            "password": "sandi-penyusup",
            "positions": ["UJI-KEPALA"],
        },
    ),
    ("/admin/users/ani/positions", {"positions": ["UJI-KEPALA"]}),
    ("/admin/users/ani/deactivate", {}),
    ("/admin/users/dedi/reactivate", {}),
]


def _counts(ctx) -> dict[str, int]:
    with ctx.transaction() as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (Unit, Position, User, Event)
        }


@pytest.mark.parametrize("who", ["ani", "citra", "eka"])
def test_only_admins_open_admin_pages_and_nothing_changes_otherwise(client, api_ctx, people, who):
    accounts.deactivate_user(api_ctx, SYSTEM, "dedi")
    log_in(client, who)
    before = _counts(api_ctx)

    pages = {path: client.get(path).status_code for path in ADMIN_PAGES}
    posts = {path: client.post(path, data=data).status_code for path, data in ADMIN_POSTS}

    assert set(pages.values()) == {403}, pages
    assert set(posts.values()) == {403}, posts
    assert _counts(api_ctx) == before
    ani = accounts.get_user(api_ctx, SYSTEM, "ani")
    assert ani.is_active and [p.code for p in ani.positions] == ["UJI-STAF"]
    assert not accounts.get_user(api_ctx, SYSTEM, "dedi").is_active
    assert "Anda tidak berwenang membuka halaman ini" in text(client.get("/admin"))
    assert 'href="/admin"' not in text(client.get("/sops"))  # no menu entry either


def test_admin_pages_need_a_login(client, people):
    for path in ADMIN_PAGES:
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post("/admin/units", data=ADMIN_POSTS[0][1]).status_code == 302


def test_the_admin_page_shows_units_nested_with_positions_and_holders(client, people):
    log_in(client, "admin")

    page = tree(client.get("/admin"))

    assert page.xpath("//ul[@class='unit-tree']//li[@data-unit='KEC']//li[@data-unit='KEL']")
    assert not page.xpath("//li[@data-unit='DINAS']//li[@data-unit]")
    kelurahan = page.xpath("//li[@data-unit='KEL']")[0].text_content()
    assert "Staf Pelayanan" in kelurahan and "Ani" in kelurahan and "Budi" in kelurahan
    assert "Lurah" in kelurahan and "Citra" in kelurahan
    for label in page.xpath("//form//label"):
        assert page.xpath(f"//*[@id='{label.get('for')}']"), label.get("for")


def test_an_admin_creates_a_unit_a_position_and_a_user_who_can_then_log_in(client, api_ctx, people):
    log_in(client, "admin")

    unit = client.post(
        "/admin/units", data={"code": "kel-baru", "name": "Kelurahan Baru", "parent": "KEC"}
    )
    position = client.post(
        "/admin/positions", data={"code": "KEL-BARU-STAF", "name": "Staf Baru", "unit": "KEL-BARU"}
    )
    user = client.post(
        "/admin/users",
        data={
            "username": "Siti.Rahma",
            "full_name": "Siti Rahma",
            "role": "officer",
            "password": "sandi-siti-baru",
            "positions": ["KEL-BARU-STAF"],
        },
        follow_redirects=True,
    )

    assert (unit.status_code, position.status_code) == (302, 302)
    assert "Pengguna Siti Rahma telah dibuat" in text(user)
    chart = tree(client.get("/admin"))
    new_unit = chart.xpath("//li[@data-unit='KEC']//li[@data-unit='KEL-BARU']")[0]
    assert "Staf Baru" in new_unit.text_content() and "Siti Rahma" in new_unit.text_content()
    client.post("/logout")
    log_in(client, "siti.rahma", "sandi-siti-baru")
    assert "Siti Rahma" in text(client.get("/sops"))
    assert [p.code for p in accounts.get_user(api_ctx, SYSTEM, "siti.rahma").positions] == [
        "KEL-BARU-STAF"
    ]


@pytest.mark.parametrize(
    ("path", "data", "message"),
    [
        ("/admin/units", {"code": "KEL", "name": "Lagi"}, "Unit kerja dengan kode ini sudah ada."),
        ("/admin/units", {"code": "kode salah!", "name": "X"}, "Gunakan 1 sampai 40 huruf"),
        ("/admin/units", {"code": "BARU", "name": " "}, "Isi nama unit kerja."),
        ("/admin/units", {"code": "BARU", "name": "X", "parent": "HILANG"}, "Pilih unit induk"),
        ("/admin/positions", {"code": "UJI-STAF", "name": "X", "unit": "KEL"}, "Jabatan dengan"),
        ("/admin/positions", {"code": "BARU", "name": "X", "unit": ""}, "Pilih unit kerja"),
        ("/admin/positions", {"code": "BARU", "name": "X", "unit": "HILANG"}, "Pilih unit kerja"),
        (
            "/admin/users",
            {"username": "ani", "full_name": "Ani Lagi", "role": "officer", "password": "x" * 8},
            "Nama pengguna ini sudah dipakai.",
        ),
        (
            "/admin/users",
            {"username": "baru", "full_name": "Baru", "role": "officer", "password": "pendek"},
            "Kata sandi paling sedikit 8 karakter.",
        ),
        (
            "/admin/users",
            {"username": "baru", "full_name": "Baru", "role": "raja", "password": "x" * 8},
            "Pilih peran.",
        ),
        (
            "/admin/users",
            {
                "username": "baru",
                "full_name": "Baru",
                "role": "officer",
                "password": "x" * 8,
                "positions": ["HILANG"],
            },
            "Pilih jabatan yang ada.",
        ),
    ],
)
def test_wrong_input_is_explained_kept_and_stores_nothing(
    client, api_ctx, people, path, data, message
):
    log_in(client, "admin")
    before = _counts(api_ctx)

    response = client.post(path, data=data)

    assert response.status_code == 422
    page = text(response)
    assert message in page
    assert 'class="field-error"' in page
    if data.get("name", "").strip():
        assert f'value="{data["name"]}"' in page
    if "full_name" in data:
        assert f'value="{data["full_name"]}"' in page
    assert _counts(api_ctx) == before


def test_an_admin_changes_positions_then_deactivates_after_confirming(client, api_ctx, people):
    log_in(client, "admin")

    saved = client.post(
        "/admin/users/ani/positions",
        data={"positions": ["UJI-STAF", "UJI-KEPALA"]},
        follow_redirects=True,
    )
    confirm = client.get("/admin/users/ani/deactivate")
    assert accounts.get_user(api_ctx, SYSTEM, "ani").is_active  # asking changes nothing
    done = client.post("/admin/users/ani/deactivate", follow_redirects=True)

    assert "Jabatan ani telah disimpan." in text(saved)
    held = tree(saved).xpath("//input[@name='positions'][@checked]")
    assert sorted(i.get("value") for i in held) == ["UJI-KEPALA", "UJI-STAF"]
    assert "Nonaktifkan Ani?" in text(confirm)
    assert "Ani tidak dapat masuk lagi." in text(done) and "nonaktif" in text(done)
    assert not accounts.get_user(api_ctx, SYSTEM, "ani").is_active
    other = client.application.test_client()
    assert other.post("/login", data={"username": "ani", "password": PASSWORD}).status_code == 401

    client.post("/admin/users/ani/reactivate")
    log_in(other, "ani")


def test_an_admin_cannot_deactivate_themselves(client, api_ctx, people):
    log_in(client, "admin")

    response = client.post("/admin/users/admin/deactivate", follow_redirects=True)

    assert "Anda tidak dapat menonaktifkan akun Anda sendiri." in text(response)
    assert accounts.get_user(api_ctx, SYSTEM, "admin").is_active


def test_the_lane_mapping_shows_a_lane_naming_a_missing_position_as_a_problem(
    client, api_ctx, people
):
    key = "uji_sop"
    sops.upload_version(api_ctx, SYSTEM, build())
    sops.publish_version(api_ctx, SYSTEM, key, 1)
    _draft_with_lane(api_ctx, "KEC-CAMAT")
    log_in(client, "admin")

    page = tree(client.get("/admin/lanes"))
    overview = text(client.get("/admin"))

    first, second = page.xpath("//section[contains(@class, 'lane-map')]")
    assert "sop_baru" in first.xpath(".//h3/a")[0].get("href")  # problems first
    assert "Konsep tertahan" in first.text_content()
    (problem,) = first.xpath(".//tr[@class='problem']")
    assert "KEC-CAMAT" in problem.text_content()
    assert "Masalah: tidak ada jabatan dengan kode ini" in problem.text_content()
    assert not second.xpath(".//tr[@class='problem']") and "Berlaku" in second.text_content()
    assert "1 lajur SOP menyebut jabatan yang tidak ada." in overview
