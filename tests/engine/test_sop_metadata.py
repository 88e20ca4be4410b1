"""The SOP AP document fields carried by the BPMN: identity, performers, mutu baku, forms."""

import pytest

from engine.definition import load_sop
from engine.errors import BpmnRejected
from engine.sop_metadata import SopMetadata
from tests.factories.bpmn import SopSpec, Step, build

IDENTITY = """<bpmn:extensionElements><sop:identity>
  <sop:number>470/SOP-KEL.SKM/001/2025</sop:number>
  <sop:unit>Kelurahan   Sukamaju</sop:unit>
  <sop:createdOn>2025-01-02</sop:createdOn>
  <sop:effectiveOn>2025-02-01</sop:effectiveOn>
  <sop:approvedBy>Lurah Sukamaju</sop:approvedBy>
  <sop:legalBasis><sop:item>UU 23/2014</sop:item><sop:item>Permenpan RB 35/2012</sop:item>
  </sop:legalBasis>
  <sop:warnings><sop:item>Berkas palsu ditolak</sop:item><sop:item>  </sop:item></sop:warnings>
</sop:identity></bpmn:extensionElements>"""

STANDARD = """<sop:standard time="30 menit">
  <sop:requirement>Formulir permohonan</sop:requirement>
  <sop:requirement>Fotokopi KTP</sop:requirement>
  <sop:output>Berkas terverifikasi</sop:output>
  <sop:note>Diperiksa di loket</sop:note>
</sop:standard>"""

FORM = """<sop:form>
  <sop:field name="berkas_lengkap" type="boolean" label="Berkas lengkap?" labelEn="Complete?"
             required="true"/>
  <sop:field name="jenis" type="choice" label="Jenis">
    <sop:option value="baru" label="Baru" labelEn="New"/><sop:option value="ulang"/>
  </sop:field>
  <sop:field name="catatan"/>
</sop:form>"""


def full_sop() -> bytes:
    data = build(SopSpec(steps=[Step("verifikasi", time=None), Step("setujui", lane="kepala")]))
    data = data.replace(b'isExecutable="true">', b'isExecutable="true">' + IDENTITY.encode(), 1)
    return data.replace(
        b'<bpmn:userTask id="verifikasi" name="Langkah verifikasi"><bpmn:extensionElements>',
        b'<bpmn:userTask id="verifikasi" name="Langkah verifikasi"><bpmn:extensionElements>'
        + STANDARD.encode()
        + FORM.encode(),
        1,
    )


@pytest.fixture(scope="module")
def metadata() -> SopMetadata:
    return load_sop(full_sop()).metadata


def test_identity_is_read_with_whitespace_normalised(metadata: SopMetadata) -> None:
    assert (metadata.key, metadata.name) == ("uji_sop", "SOP Uji")
    identity = metadata.identity
    assert identity["number"] == "470/SOP-KEL.SKM/001/2025"
    assert identity["unit"] == "Kelurahan Sukamaju"
    assert identity["created_on"] == "2025-01-02"
    assert identity["revised_on"] is None
    assert identity["approved_by"] == "Lurah Sukamaju"
    assert identity["legal_basis"] == ["UU 23/2014", "Permenpan RB 35/2012"]
    assert identity["warnings"] == ["Berkas palsu ditolak"]
    assert identity["equipment"] == []


def test_missing_identity_is_empty_not_refused() -> None:
    identity = load_sop(build()).metadata.identity
    assert identity["number"] is None
    assert identity["records"] == []


def test_lanes_map_to_positions(metadata: SopMetadata) -> None:
    assert [(lane.id, lane.name, lane.position_code) for lane in metadata.lanes] == [
        ("lane_staf", "Staf", "UJI-STAF"),
        ("lane_kepala", "Kepala", "UJI-KEPALA"),
    ]


def test_activity_carries_its_performer_and_mutu_baku(metadata: SopMetadata) -> None:
    activity = metadata.activity("verifikasi")
    assert activity.name == "Langkah verifikasi"
    assert (activity.lane_id, activity.position_code) == ("lane_staf", "UJI-STAF")
    assert activity.time_standard.text == "30 menit"
    assert activity.time_standard.minutes == 30
    assert activity.requirements == ("Formulir permohonan", "Fotokopi KTP")
    assert activity.output == "Berkas terverifikasi"
    assert activity.note == "Diperiksa di loket"
    assert metadata.activity("setujui").position_code == "UJI-KEPALA"
    assert metadata.activity("tidak_ada") is None


def test_form_fields_are_read_with_their_options(metadata: SopMetadata) -> None:
    fields = {f.name: f for f in metadata.activity("verifikasi").fields}
    assert list(fields) == ["berkas_lengkap", "jenis", "catatan"]
    assert fields["berkas_lengkap"].required
    assert (fields["berkas_lengkap"].label, fields["berkas_lengkap"].label_en) == (
        "Berkas lengkap?",
        "Complete?",
    )
    assert [(o.value, o.label, o.label_en) for o in fields["jenis"].options] == [
        ("baru", "Baru", "New"),
        ("ulang", "ulang", None),
    ]
    assert (fields["catatan"].type, fields["catatan"].label, fields["catatan"].required) == (
        "text",
        "catatan",
        False,
    )


def test_metadata_round_trips_through_a_dict(metadata: SopMetadata) -> None:
    assert SopMetadata.from_dict(metadata.as_dict()) == metadata


@pytest.mark.parametrize("tag", ["manualTask", "task"])
def test_manual_and_plain_tasks_are_activities_too(tag: str) -> None:
    data = build().replace(b"bpmn:userTask", f"bpmn:{tag}".encode())
    metadata = load_sop(data).metadata
    assert [a.id for a in metadata.activities] == ["terima", "periksa"]


def test_every_field_problem_of_a_task_is_reported() -> None:
    fields = (
        '<sop:field name="Nama"/><sop:field name="x" type="file"/>'
        '<sop:field name="pilih" type="choice"/><sop:field name="ok"/><sop:field name="ok"/>'
        '<sop:field name=""/>'
    )
    with pytest.raises(BpmnRejected) as caught:
        load_sop(build(SopSpec(steps=[Step("terima", fields=fields)])))
    assert [p.code for p in caught.value.problems] == ["field_invalid"] * 5
