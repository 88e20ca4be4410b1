"""The officer's pages: inbox, a step's page and form, starting and following a request."""

import dataclasses
import json
import re
from html import unescape

import pytest

from storage.models import WorkItemStatus
from tests.factories.bpmn import SopSpec, Step, build
from tests.web.conftest import build_org, publish
from web.usecases.context import SYSTEM
from web.usecases.pagination import PageRequest
from web.usecases.runtime import instances, work_items

PASSWORD = "rahasia-uji"
FORM = (
    '<sop:field name="nik" type="text" required="true" label="NIK pemohon" '
    'labelEn="Applicant\'s NIK"/>'
    '<sop:field name="uraian" type="textarea" label="Uraian" labelEn="Description"/>'
    '<sop:field name="jumlah" type="integer" label="Jumlah berkas" labelEn="Number of files"/>'
    '<sop:field name="biaya" type="decimal" label="Biaya" labelEn="Fee"/>'
    '<sop:field name="lengkap" type="boolean" required="true" label="Berkas lengkap?" '
    'labelEn="Documents complete?"/>'
    '<sop:field name="tanggal" type="date" label="Tanggal surat" labelEn="Letter date"/>'
    '<sop:field name="keputusan" type="choice" required="true" label="Keputusan" '
    'labelEn="Decision"><sop:option value="setuju" label="Setuju" labelEn="Approve"/>'
    '<sop:option value="tolak" label="Tolak" labelEn="Reject"/></sop:field>'
    '<sop:field name="kategori" type="choice" label="Kategori">'
    + "".join(f'<sop:option value="k{n}" label="Kategori {n}"/>' for n in range(1, 6))
    + "</sop:field>"
)
STANDARD = (
    '<sop:standard time="1 jam"><sop:requirement>Fotokopi KTP-el</sop:requirement>'
    "<sop:requirement>Surat pengantar RT/RW</sop:requirement>"
    "<sop:output>Berkas terverifikasi</sop:output></sop:standard>"
)
GOOD = {
    "nik": "3171234567890123",
    "uraian": "Berkas diterima",
    "jumlah": "3",
    "biaya": "12,5",
    "lengkap": "ya",
    "tanggal": "2026-11-20",
    "keputusan": "setuju",
    "kategori": "k2",
}


@pytest.fixture(autouse=True)
def app_clock(app, clock):
    """The app runs on the test's clock (Monday 08:00 WIB) and takes forms without tokens."""
    app.config["WTF_CSRF_ENABLED"] = False
    return clock


@pytest.fixture
def ctx(app, app_clock):
    return app.extensions["alur"]["context"]


@pytest.fixture
def org(ctx):
    return build_org(ctx)


@pytest.fixture
def key(ctx, org) -> str:
    """terima (staf, a form of every field type, mutu baku) -> setujui (kepala)."""
    spec = SopSpec(steps=[Step("terima", fields=FORM), Step("setujui", lane="kepala")])
    bpmn = build(spec).replace(b'<sop:standard time="1 jam"/>', STANDARD.encode(), 1)
    return publish(ctx, bpmn)


def log_in(app, username: str):
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def text_of(response) -> str:
    """The visible text of a page, whitespace collapsed."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def start(ctx, org, key, who="ani", **data):
    return instances.start_instance(ctx, org.actor(who), key, {"pemohon": "Sari", **data})


def open_item(ctx, instance):
    view = instances.get_instance(ctx, SYSTEM, instance.id)
    return next(w for w in view.work_items if w.status in (WorkItemStatus.OPEN, "claimed"))


def inbox_ids(ctx, org, who):
    return [i.id for i in work_items.inbox(ctx, org.actor(who), PageRequest()).items]


def test_inbox_shows_my_claimed_steps_first_then_open_ones_with_counts(
    app, ctx, org, key, app_clock
):
    first = start(ctx, org, key)
    app_clock.advance(minutes=30)
    second = start(ctx, org, key)
    work_items.claim(ctx, org.actor("ani"), open_item(ctx, second).id)
    app_clock.advance(minutes=45)  # 09:15 WIB: the first (due 09:00) is overdue

    page = log_in(app, "ani").get("/")

    assert page.status_code == 200
    text = text_of(page)
    assert "Kotak masuk" in text
    assert "1 sedang saya kerjakan" in text
    assert "1 menunggu di jabatan saya" in text
    assert "1 terlambat" in text
    rows = re.findall(r'<tr class="inbox-item".*?</tr>', page.get_data(as_text=True), re.S)
    assert [second.reference in rows[0], first.reference in rows[1]] == [True, True]
    assert "Sedang dikerjakan" in rows[0] and "Terlambat" not in rows[0]
    assert "23 Nov 2026, 09.00 WIB" in rows[1] and "Terlambat" in rows[1]
    assert "Langkah terima" in rows[1] and "Staf Pelayanan" in rows[1]


def test_inbox_filters_by_sop_and_pages_through_long_lists(app, ctx, org, key):
    other = publish(ctx, build(SopSpec(key="lain_sop", steps=[Step("catat")])))
    for _ in range(3):
        start(ctx, org, key)
    start(ctx, org, other)
    alur = app.extensions["alur"]
    alur["settings"] = dataclasses.replace(alur["settings"], page_size=2)
    client = log_in(app, "ani")

    filtered = client.get("/inbox?sop=uji_sop")
    assert "3 menunggu di jabatan saya" in text_of(filtered)
    assert "Halaman 1 dari 2" in text_of(filtered)
    assert 'href="/inbox?page=2&amp;sop=uji_sop"' in filtered.get_data(as_text=True)
    second = client.get("/inbox?page=2&sop=uji_sop")
    assert text_of(second).count("Langkah terima") == 1
    assert "Langkah catat" not in text_of(second)
    assert "Langkah catat" in text_of(client.get("/inbox?sop=lain_sop"))


def test_the_officer_pages_need_a_login(app, ctx, org, key):
    item = open_item(ctx, start(ctx, org, key))
    client = app.test_client()
    for path in ("/", "/inbox", f"/work-items/{item.id}", "/requests", "/requests/new"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path
    assert client.post(f"/work-items/{item.id}/claim").status_code == 302
    assert open_item(ctx, item.instance).status == WorkItemStatus.OPEN


def test_work_item_page_shows_the_request_the_mutu_baku_and_the_form(app, ctx, org, key):
    instance = start(ctx, org, key, nik="3171234567890123", keperluan="Pindah")
    item = open_item(ctx, instance)
    client = log_in(app, "ani")

    page = client.get(f"/work-items/{item.id}")

    html, text = page.get_data(as_text=True), text_of(page)
    assert instance.reference in text and "SOP Uji" in text
    assert "Nama pemohon Sari" in text and "Keperluan Pindah" in text
    assert "Kelengkapan Fotokopi KTP-el Surat pengantar RT/RW" in text
    assert "Waktu 1 jam" in text and "Output Berkas terverifikasi" in text
    assert "Batas waktu 23 Nov 2026, 09.00 WIB" in text
    inputs = re.findall(r'<(?:input|select|textarea)\b[^>]*\bid="([^"]+)"', html)
    labels = set(re.findall(r'<label for="([^"]+)"', html))
    assert inputs and not set(inputs) - labels
    assert 'type="date"' in html and 'type="number"' in html and "<textarea" in html
    assert re.search(r'<select id="f-kategori"', html)  # five options: a list
    assert re.search(r'type="radio" id="f-keputusan-1" name="keputusan" value="setuju"', html)
    assert re.search(r'type="radio" id="f-lengkap-1" name="lengkap" value="ya"', html)
    assert "NIK pemohon (wajib)" in text and "Uraian (wajib)" not in text
    assert re.search(r'value="3171234567890123" id="f-nik"', html)  # filled from the request
    assert "Ambil langkah ini" in text and "Selesaikan langkah" in text

    client.post("/language", data={"language": "en"})
    english = text_of(client.get(f"/work-items/{item.id}"))
    assert "Applicant's NIK (required)" in english and "Decision" in english
    assert "Approve" in english and "Kategori" in english  # no English label: Indonesian


def test_wrong_form_input_is_kept_and_each_field_says_what_is_wrong(app, ctx, org, key):
    item = open_item(ctx, start(ctx, org, key))
    bad = {**GOOD, "nik": "", "jumlah": "tiga", "lengkap": "", "comment": "Cek lagi"}

    response = log_in(app, "ani").post(f"/work-items/{item.id}/complete", data=bad)

    assert response.status_code == 422
    html, text = response.get_data(as_text=True), text_of(response)
    assert "Periksa kembali isian yang ditandai." in text
    assert re.search(r'id="f-nik" name="nik" required aria-invalid="true"', html)
    assert re.search(r'value="tiga" id="f-jumlah" name="jumlah" aria-invalid="true"', html)
    assert 'id="err-nik">Wajib diisi.' in html
    assert 'id="err-jumlah">Isi dengan bilangan bulat.' in html
    assert 'id="err-lengkap">Pilih ya atau tidak.' in html
    assert html.count("autofocus") == 1 and 'aria-describedby="err-nik" autofocus' in html
    assert 'value="Berkas diterima"' not in html  # textarea: kept as its content
    assert ">Berkas diterima</textarea>" in html and ">Cek lagi</textarea>" in html
    assert re.search(r'value="setuju"\s+checked', html)
    assert re.search(r'<option value="k2" selected>', html)
    assert open_item(ctx, item.instance).status == WorkItemStatus.OPEN


def test_completing_moves_the_request_on_to_the_next_performer(app, ctx, org, key, app_clock):
    instance = start(ctx, org, key)
    item = open_item(ctx, instance)
    client = log_in(app, "ani")
    client.post(f"/work-items/{item.id}/claim")
    app_clock.advance(minutes=20)

    done = client.post(f"/work-items/{item.id}/complete", data={**GOOD, "comment": "Lengkap"})

    assert done.status_code == 302
    assert done.headers["Location"].endswith(f"/requests/{instance.id}")
    page = text_of(client.get(done.headers["Location"]))
    assert f"Langkah “Langkah terima” pada {instance.reference} telah selesai." in page
    assert "Berkas lengkap? Ya" in page and "Keputusan Setuju" in page
    assert "Tanggal surat 20 Nov 2026" in page and "Kategori Kategori 2" in page
    assert item.id not in inbox_ids(ctx, org, "ani")
    assert "Langkah setujui" in text_of(log_in(app, "citra").get("/"))
    assert "Langkah terima" not in text_of(client.get("/"))


def test_a_step_completed_meanwhile_shows_who_and_when_on_the_step_page(app, ctx, org, key):
    item = open_item(ctx, start(ctx, org, key))
    stale = log_in(app, "ani")
    stale.get(f"/work-items/{item.id}")
    work_items.complete(ctx, org.actor("budi"), item.id, {k: v for k, v in GOOD.items()})

    response = stale.post(f"/work-items/{item.id}/complete", data={**GOOD, "nik": "9999"})

    assert response.status_code == 409
    text = text_of(response)
    assert "Orang lain lebih dulu." in text
    assert "Budi sudah menyelesaikan langkah ini pada 23 Nov 2026, 08.00 WIB." in text
    assert "Yang Anda isi" in text and "NIK pemohon 9999" in text  # nothing typed is lost
    assert "Langkah terima" in text and "Selesaikan langkah" not in text


def test_claiming_shows_colleagues_who_works_on_the_step_until_it_is_given_back(app, ctx, org, key):
    item = open_item(ctx, start(ctx, org, key))
    ani, budi = log_in(app, "ani"), log_in(app, "budi")

    claimed = ani.post(f"/work-items/{item.id}/claim", follow_redirects=True)
    assert "Anda mengambil langkah ini" in text_of(claimed)
    assert "Sedang dikerjakan oleh Ani sejak 23 Nov 2026, 08.00 WIB" in text_of(claimed)
    assert "Langkah terima" not in text_of(budi.get("/"))
    refused = budi.post(f"/work-items/{item.id}/claim")
    assert refused.status_code == 409
    assert "Ani mengambil langkah ini pada 23 Nov 2026, 08.00 WIB" in text_of(refused)

    back = ani.post(f"/work-items/{item.id}/unclaim", follow_redirects=True)
    assert "Langkah ini kembali ke kotak masuk Staf Pelayanan." in text_of(back)
    assert "Langkah terima" in text_of(budi.get("/"))


def test_an_officer_of_another_unit_may_not_open_or_act_on_a_step(app, ctx, org, key):
    item = open_item(ctx, start(ctx, org, key))
    dedi = log_in(app, "dedi")

    assert dedi.get(f"/work-items/{item.id}").status_code == 403
    for verb in ("claim", "complete"):
        response = dedi.post(f"/work-items/{item.id}/{verb}", data=GOOD)
        assert response.status_code == 403
    assert open_item(ctx, item.instance).status == WorkItemStatus.OPEN
    assert dedi.get(f"/requests/{item.instance_id}").status_code == 403


def test_a_form_posted_without_its_csrf_token_is_refused(app, ctx, org, key):
    item = open_item(ctx, start(ctx, org, key))
    client = log_in(app, "ani")
    app.config["WTF_CSRF_ENABLED"] = True

    response = client.post(f"/work-items/{item.id}/complete", data=GOOD)

    assert response.status_code == 400
    assert open_item(ctx, item.instance).status == WorkItemStatus.OPEN
    page = client.get(f"/work-items/{item.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    accepted = client.post(f"/work-items/{item.id}/claim", data={"csrf_token": token})
    assert accepted.status_code == 302


def test_starting_a_request_checks_the_applicant_and_opens_its_first_step(app, ctx, org, key):
    client = log_in(app, "ani")
    form = client.get("/requests/new").get_data(as_text=True)
    assert '<option value="uji_sop"' in form
    for name in ("sop", "pemohon", "nik", "telepon", "alamat", "keperluan"):
        assert f'<label for="{name}"' in form and f'id="{name}"' in form

    wrong = client.post(
        "/requests/new",
        data={"sop": "uji_sop", "pemohon": " ", "nik": "12345", "alamat": "Jl. Mawar"},
    )
    assert wrong.status_code == 422
    html = wrong.get_data(as_text=True)
    assert 'id="err-pemohon">Isi nama pemohon.' in html
    assert 'id="err-nik">NIK terdiri dari tepat 16 angka.' in html
    assert 'value="12345"' in html and ">Jl. Mawar</textarea>" in html
    assert re.search(r'<option value="uji_sop" selected>', html)

    data = {
        "sop": "uji_sop",
        "pemohon": "Sari",
        "nik": "3171234567890123",
        "telepon": "0812 3456 7890",
    }
    started = client.post("/requests/new", data=data)
    assert started.status_code == 302
    page = text_of(client.get(started.headers["Location"]))
    reference = re.search(r"Permohonan (\S+) telah dimulai\.", page).group(1)
    assert reference.startswith("US-2026-")
    assert "Nama pemohon Sari" in page and "Nomor telepon 0812 3456 7890" in page
    assert "Langkah terima" in text_of(client.get("/"))


def test_only_sops_the_officer_performs_in_can_be_started(app, ctx, org, key):
    dedi = log_in(app, "dedi")
    assert "tidak dapat membuat permohonan" in text_of(dedi.get("/requests/new"))

    forged = dedi.post("/requests/new", data={"sop": "uji_sop", "pemohon": "Sari"})

    assert forged.status_code == 422
    assert "tidak dapat membuat permohonan" in text_of(forged)
    assert instances.list_instances(ctx, SYSTEM, PageRequest()).total == 0


def test_request_page_marks_the_diagram_and_times_every_step(app, ctx, org, key, app_clock):
    instance = start(ctx, org, key)
    item = open_item(ctx, instance)
    app_clock.advance(hours=2, minutes=5)
    work_items.claim(ctx, org.actor("ani"), item.id)
    app_clock.advance(minutes=25)
    work_items.complete(ctx, org.actor("ani"), item.id, GOOD, "Sudah dicek")
    app_clock.advance(hours=3)  # the next step (30 menit) is overdue now

    page = log_in(app, "citra").get(f"/requests/{instance.id}")

    html, text = page.get_data(as_text=True), text_of(page)
    markers = json.loads(unescape(re.search(r"data-markers='([^']*)'", html).group(1)))
    assert markers == {"terima": "done", "setujui": "overdue"}
    assert f'data-bpmn-url="/sops/{key}/versions/1/bpmn"' in html
    assert "Selesai Menunggu atau sedang dikerjakan Terlambat" in text  # the legend
    assert "Langkah terima Staf Pelayanan Selesai Ani 2 jam 5 menit 25 menit" in text
    assert "menunggu 2 jam 5 menit; dikerjakan 25 menit; catatan: Sudah dicek" in text
    assert "Langkah diambil : Langkah terima — Ani" in text
    assert "Terlambat" in text and "Tepat waktu" not in text  # completed at 10:30, due 09:00


def test_requests_list_filters_by_sop_and_status_within_the_officers_scope(app, ctx, org, key):
    running = start(ctx, org, key)
    cancelled = start(ctx, org, key)
    instances.cancel_instance(ctx, org.actor("citra"), cancelled.id, "Salah input")
    client = log_in(app, "ani")

    everything = text_of(client.get("/requests"))
    assert running.reference in everything and cancelled.reference in everything
    only_running = text_of(client.get("/requests?status=running&sop=uji_sop"))
    assert running.reference in only_running and cancelled.reference not in only_running
    assert "Tidak ada permohonan yang cocok." in text_of(client.get("/requests?sop=lain"))
    assert running.reference not in text_of(log_in(app, "dedi").get("/requests"))


def test_requests_list_and_search_hide_requests_of_other_positions_of_the_unit(app, ctx, org):
    # The head's own SOP: its one step is the head's (UJI-KEPALA), in ani's unit.
    head = publish(ctx, build(SopSpec(key="kepala_sop", lanes={"staf": "UJI-KEPALA"})))
    theirs = instances.start_instance(ctx, org.actor("citra"), head, {"pemohon": "Rahasia"})
    client = log_in(app, "ani")

    listed = text_of(client.get("/requests"))
    searched = client.get(f"/requests?q={theirs.reference}")

    assert theirs.reference not in listed and "Rahasia" not in listed
    assert searched.status_code == 200 and "Tidak ada permohonan yang cocok." in text_of(searched)
    assert client.get(f"/requests/{theirs.id}").status_code == 403


def test_a_manager_cancels_a_request_with_a_reason_and_a_confirmation(app, ctx, org, key):
    instance = start(ctx, org, key)
    assert "Batalkan permohonan ini" not in text_of(
        log_in(app, "ani").get(f"/requests/{instance.id}")
    )
    assert (
        log_in(app, "ani")
        .post(f"/requests/{instance.id}/cancel", data={"reason": "x", "confirm": "yes"})
        .status_code
        == 403
    )
    citra = log_in(app, "citra")

    incomplete = citra.post(f"/requests/{instance.id}/cancel", data={"reason": "Ganda"})
    assert incomplete.status_code == 422
    assert "Centang kotak untuk mengonfirmasi pembatalan." in text_of(incomplete)
    assert ">Ganda</textarea>" in incomplete.get_data(as_text=True)

    done = citra.post(
        f"/requests/{instance.id}/cancel",
        data={"reason": "Permohonan ganda", "confirm": "yes"},
        follow_redirects=True,
    )
    text = text_of(done)
    assert f"Permohonan {instance.reference} dibatalkan." in text
    assert "alasan: Permohonan ganda" in text and "Langkah ditarik" in text
    assert inbox_ids(ctx, org, "ani") == []


def test_requests_are_found_by_reference_and_a_whole_one_opens_it(app, ctx, org, key):
    first, second = start(ctx, org, key), start(ctx, org, key)
    client = log_in(app, "ani")

    both = text_of(client.get("/requests", query_string={"q": first.reference[:-1]}))
    assert first.reference in both and second.reference in both

    # Lower case, as typed: the whole reference opens the request itself.
    opened = client.get("/requests", query_string={"q": second.reference.lower()})
    assert opened.status_code == 302
    assert opened.headers["Location"].endswith(f"/requests/{second.id}")

    # A LIKE wildcard is a character, not a pattern; a request out of reach is not found.
    assert first.reference not in text_of(client.get("/requests", query_string={"q": "%"}))
    assert second.reference not in text_of(
        log_in(app, "dedi").get("/requests", query_string={"q": second.reference})
    )
