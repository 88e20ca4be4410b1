"""The library's forms carry the rules of what they ask: NIK, NIP, counts and dates in order."""

from pathlib import Path

import pytest

from engine.definition import load_sop
from engine.errors import FormInvalid
from engine.forms import clean_form

PROCESSES = Path(__file__).resolve().parents[2] / "processes"


def _field(file: str, name: str):
    """The field ``name`` of a library file, as published."""
    process = load_sop((PROCESSES / file).read_bytes())
    return next(
        spec
        for activity in process.metadata.activities
        for spec in activity.fields
        if spec.name == name
    )


@pytest.mark.parametrize(
    ("file", "name", "wrong", "right"),
    [
        ("surat_keterangan_domisili.bpmn", "nik", "12", "3275010101900001"),
        ("akta_kelahiran.bpmn", "nik_anak", "3275-0114", "3275011402250003"),
        ("cuti_pegawai.bpmn", "nip", "19870315", "198703152010012005"),
        ("cuti_pegawai.bpmn", "lama_cuti_hari", "0", "5"),
    ],
)
def test_a_library_field_refuses_what_its_rule_refuses(file, name, wrong, right) -> None:
    spec = _field(file, name)
    assert name in clean_form((spec,), {name: right})
    with pytest.raises(FormInvalid) as caught:
        clean_form((spec,), {name: wrong})
    assert set(caught.value.errors) == {name}


@pytest.mark.parametrize(
    ("file", "name", "earlier"),
    [
        ("surat_keterangan_domisili.bpmn", "tanggal_penyerahan", "tanggal_tanda_tangan"),
        ("akta_kelahiran.bpmn", "tanggal_penyerahan", "tanggal_penandatanganan"),
        ("akta_kelahiran.bpmn", "tanggal_penandatanganan", "tanggal_lahir_anak"),
        ("pengaduan_masyarakat.bpmn", "tanggal_penutupan", "tanggal_tindak_lanjut"),
        ("persetujuan_bangunan_gedung.bpmn", "tanggal_terbit_pbg", "tanggal_konsultasi"),
    ],
)
def test_a_library_date_is_not_before_the_date_it_follows(file, name, earlier) -> None:
    spec = _field(file, name)
    known = {earlier: "2025-03-03"}
    assert clean_form((spec,), {name: "2025-03-03"}, known)
    with pytest.raises(FormInvalid) as caught:
        clean_form((spec,), {name: "2025-03-02"}, known)
    assert caught.value.errors[name].code == "too_early"
