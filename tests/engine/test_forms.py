"""Form data is checked on the server: types, required fields, choices, unknown keys."""

import pytest

from engine.errors import FormInvalid
from engine.forms import MAX_TEXT, FormField, FormOption, clean_form

CHOICE = FormField(
    "jenis", "choice", "Jenis", options=(FormOption("baru", "Baru"), FormOption("ulang", "Ulang"))
)


def one(kind: str, value, required: bool = False):
    field = CHOICE if kind == "choice" else FormField("isian", kind, "Isian", required=required)
    return clean_form((field,), {field.name: value})[field.name]


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("text", "  Budi  ", "Budi"),
        ("text", 12, "12"),
        ("textarea", "baris 1\nbaris 2", "baris 1\nbaris 2"),
        ("integer", 7, 7),
        ("integer", " 42 ", 42),
        ("integer", "-3", -3),
        ("decimal", 1.5, 1.5),
        ("decimal", "1,5", 1.5),
        ("decimal", "2", 2.0),
        ("decimal", 3, 3.0),
        ("boolean", True, True),
        ("boolean", "ya", True),
        ("boolean", "Tidak", False),
        ("boolean", "on", True),
        ("boolean", "", False),
        ("date", "2026-01-05", "2026-01-05"),
        ("choice", "ulang", "ulang"),
    ],
)
def test_value_is_converted_to_the_field_type(kind: str, value, expected) -> None:
    assert one(kind, value) == expected


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("text", True, "harus berupa teks"),
        ("text", ["a"], "harus berupa teks"),
        ("text", "x" * (MAX_TEXT + 1), f"paling banyak {MAX_TEXT} karakter"),
        ("integer", "1.5", "nilai tidak valid untuk jenis integer"),
        ("integer", 1.5, "harus berupa bilangan bulat"),
        ("integer", True, "harus berupa bilangan bulat"),
        ("integer", "9" * 5000, "nilai tidak valid untuk jenis integer"),
        ("decimal", "satu", "nilai tidak valid untuk jenis decimal"),
        ("decimal", False, "harus berupa angka"),
        ("decimal", "nan", "harus berupa angka"),
        ("decimal", "inf", "harus berupa angka"),
        ("decimal", "1e999", "harus berupa angka"),
        ("decimal", float("nan"), "harus berupa angka"),
        ("boolean", "mungkin", "harus ya atau tidak"),
        ("boolean", 1, "harus ya atau tidak"),
        ("date", "05/01/2026", "nilai tidak valid untuk jenis date"),
        ("date", "2026-02-30", "nilai tidak valid untuk jenis date"),
        ("date", 20260105, "harus berupa tanggal (YYYY-MM-DD)"),
        ("choice", "lama", "harus salah satu dari: baru, ulang"),
        ("choice", "Baru", "harus salah satu dari: baru, ulang"),
        ("choice", 1, "harus salah satu dari: baru, ulang"),
    ],
)
def test_wrong_value_is_refused_with_a_message(kind: str, value, message: str) -> None:
    with pytest.raises(FormInvalid) as caught:
        one(kind, value)
    assert list(caught.value.errors.values()) == [message]


@pytest.mark.parametrize("kind", ["text", "integer", "decimal", "date", "choice"])
@pytest.mark.parametrize("value", [None, "", "   "])
def test_required_field_must_be_filled(kind: str, value) -> None:
    field = FormField("isian", kind, "Isian", required=True, options=CHOICE.options)
    with pytest.raises(FormInvalid) as caught:
        clean_form((field,), {"isian": value})
    assert caught.value.errors == {"isian": "wajib diisi"}


def test_required_boolean_accepts_no() -> None:
    field = FormField("setuju", "boolean", "Setuju?", required=True)
    assert clean_form((field,), {"setuju": False}) == {"setuju": False}
    with pytest.raises(FormInvalid):
        clean_form((field,), {})


def test_optional_blank_fields_are_left_out() -> None:
    fields = (FormField("catatan", "text", "Catatan"), FormField("jumlah", "integer", "Jumlah"))
    assert clean_form(fields, {"catatan": " ", "jumlah": None}) == {}


def test_unknown_keys_are_refused_so_no_other_variable_can_be_set() -> None:
    fields = (FormField("catatan", "text", "Catatan"),)
    with pytest.raises(FormInvalid) as caught:
        clean_form(fields, {"catatan": "ok", "disetujui": True, "__class__": 1})
    assert set(caught.value.errors) == {"disetujui", "__class__"}


def test_step_without_a_form_accepts_only_nothing() -> None:
    assert clean_form((), {}) == {}
    with pytest.raises(FormInvalid):
        clean_form((), {"x": 1})


@pytest.mark.parametrize("data", [None, [], "teks", 1])
def test_data_that_is_not_an_object_is_refused(data) -> None:
    with pytest.raises(FormInvalid) as caught:
        clean_form((), data)
    assert caught.value.errors == {"_form": "data formulir harus berupa objek"}


def test_every_wrong_field_is_reported_at_once() -> None:
    fields = (
        FormField("nama", "text", "Nama", required=True),
        FormField("jumlah", "integer", "Jumlah"),
        CHOICE,
    )
    with pytest.raises(FormInvalid) as caught:
        clean_form(fields, {"jumlah": "x", "jenis": "y", "lain": 1})
    assert set(caught.value.errors) == {"nama", "jumlah", "jenis", "lain"}
    assert "nama: wajib diisi" in str(caught.value)


def test_field_round_trips_through_its_stored_form() -> None:
    field = FormField(
        "jenis", "choice", "Jenis", "Kind", True, (FormOption("baru", "Baru", "New"),)
    )
    assert FormField.from_dict(field.as_dict()) == field
