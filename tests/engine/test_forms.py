"""Form data is checked on the server: types, required fields, choices, unknown keys."""

import pytest

from engine.errors import FormInvalid
from engine.form_rules import FieldError, FieldRules
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
    ("kind", "value", "code"),
    [
        ("text", True, "not_text"),
        ("text", ["a"], "not_text"),
        ("text", "x" * (MAX_TEXT + 1), "too_long"),
        ("integer", "1.5", "not_integer"),
        ("integer", 1.5, "not_integer"),
        ("integer", True, "not_integer"),
        ("integer", "9" * 5000, "not_integer"),
        ("decimal", "satu", "not_decimal"),
        ("decimal", False, "not_decimal"),
        ("decimal", "nan", "not_decimal"),
        ("decimal", "inf", "not_decimal"),
        ("decimal", "1e999", "not_decimal"),
        ("decimal", float("nan"), "not_decimal"),
        ("boolean", "mungkin", "not_boolean"),
        ("boolean", 1, "not_boolean"),
        ("date", "05/01/2026", "not_date"),
        ("date", "2026-02-30", "not_date"),
        ("date", 20260105, "not_date"),
        ("choice", "lama", "not_choice"),
        ("choice", "Baru", "not_choice"),
        ("choice", 1, "not_choice"),
    ],
)
def test_wrong_value_is_refused_with_a_code(kind: str, value, code: str) -> None:
    with pytest.raises(FormInvalid) as caught:
        one(kind, value)
    assert [e.code for e in caught.value.errors.values()] == [code]


@pytest.mark.parametrize("kind", ["text", "integer", "decimal", "date", "choice"])
@pytest.mark.parametrize("value", [None, "", "   "])
def test_required_field_must_be_filled(kind: str, value) -> None:
    field = FormField("isian", kind, "Isian", required=True, options=CHOICE.options)
    with pytest.raises(FormInvalid) as caught:
        clean_form((field,), {"isian": value})
    assert caught.value.errors == {"isian": FieldError("required", {"type": kind})}


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
    assert caught.value.errors == {"_form": FieldError("not_object")}


def test_every_wrong_field_is_reported_at_once() -> None:
    fields = (
        FormField("nama", "text", "Nama", required=True),
        FormField("jumlah", "integer", "Jumlah"),
        CHOICE,
    )
    with pytest.raises(FormInvalid) as caught:
        clean_form(fields, {"jumlah": "x", "jenis": "y", "lain": 1})
    assert set(caught.value.errors) == {"nama", "jumlah", "jenis", "lain"}
    assert "nama: required" in str(caught.value)


def test_field_round_trips_through_its_stored_form() -> None:
    field = FormField(
        "jenis", "choice", "Jenis", "Kind", True, (FormOption("baru", "Baru", "New"),)
    )
    assert FormField.from_dict(field.as_dict()) == field


NIK = FieldRules(
    pattern="[0-9]{16}",
    pattern_message="NIK terdiri dari tepat 16 angka.",
    pattern_message_en="A NIK has exactly 16 digits.",
)


def broken(kind: str, rules: FieldRules, value, known=None) -> FieldError | None:
    field = FormField("isian", kind, "Isian", rules=rules)
    try:
        clean_form((field,), {"isian": value}, known)
    except FormInvalid as caught:
        return caught.errors["isian"]
    return None


@pytest.mark.parametrize(
    ("kind", "rules", "value", "code"),
    [
        ("text", NIK, "12", "pattern"),
        ("text", NIK, "3171234567890123x", "pattern"),
        ("text", NIK, "3171234567890123", None),
        ("text", FieldRules(min_length=3), "ab", "too_short"),
        ("text", FieldRules(max_length=3), "abcd", "too_long"),
        ("textarea", FieldRules(max_length=3), "abc", None),
        ("integer", FieldRules(minimum="1", maximum="10"), "0", "below_min"),
        ("integer", FieldRules(minimum="1", maximum="10"), 11, "above_max"),
        ("decimal", FieldRules(maximum="2.5"), "2,5", None),
        ("decimal", FieldRules(maximum="2.5"), "2,6", "above_max"),
        ("date", FieldRules(minimum="2026-01-01"), "2025-12-31", "too_early"),
        ("date", FieldRules(maximum="2026-12-31"), "2026-12-31", None),
        ("date", FieldRules(maximum="2026-12-31"), "2027-01-01", "too_late"),
    ],
)
def test_declared_rules_refuse_what_breaks_them(kind, rules, value, code) -> None:
    error = broken(kind, rules, value)
    assert (error.code if error else None) == code


def test_a_pattern_error_carries_the_sops_message_in_both_languages() -> None:
    assert broken("text", NIK, "12") == FieldError(
        "pattern",
        {
            "message": "NIK terdiri dari tepat 16 angka.",
            "message_en": "A NIK has exactly 16 digits.",
        },
    )


def test_a_date_is_not_before_the_date_it_follows_in_the_form_or_the_request() -> None:
    fields = (
        FormField("mulai", "date", "Mulai"),
        FormField("selesai", "date", "Selesai", rules=FieldRules(not_before="mulai")),
    )
    with pytest.raises(FormInvalid) as caught:
        clean_form(fields, {"mulai": "2026-12-10", "selesai": "2026-12-09"})
    assert caught.value.errors == {
        "selesai": FieldError("too_early", {"date": "2026-12-10", "field": "mulai"})
    }
    only_end = fields[1:]
    assert clean_form(only_end, {"selesai": "2026-12-10"}, {"mulai": "2026-12-10"})
    with pytest.raises(FormInvalid):
        clean_form(only_end, {"selesai": "2026-12-09"}, {"mulai": "2026-12-10"})
    # No earlier date known, or not a date: nothing to compare with.
    assert clean_form(only_end, {"selesai": "2026-12-09"}, {"mulai": "kemarin"})


def test_other_keys_pass_untouched_when_the_form_allows_them() -> None:
    fields = (FormField("nik", "text", "NIK", rules=NIK),)
    assert clean_form(fields, {"nik": "3171234567890123", "x": 1}, others_allowed=True) == {
        "nik": "3171234567890123"
    }
    with pytest.raises(FormInvalid):
        clean_form(fields, {"nik": "12", "x": 1}, others_allowed=True)


def test_rules_round_trip_through_the_stored_form() -> None:
    field = FormField("nik", "text", "NIK", rules=NIK)
    assert FormField.from_dict(field.as_dict()) == field
    stored_before_rules = {k: v for k, v in field.as_dict().items() if k != "rules"}
    assert FormField.from_dict(stored_before_rules).rules == FieldRules()
