"""Mutu baku *Waktu* as analysts write it, read as working time."""

import pytest

from engine.time_standard import TimeStandard, parse_time_standard


@pytest.mark.parametrize(
    ("text", "days", "minutes"),
    [
        ("15 menit", 0, 15),
        ("15 Menit", 0, 15),
        ("15menit", 0, 15),
        ("5 mnt", 0, 5),
        ("2 jam", 0, 120),
        ("1,5 jam", 0, 90),
        ("1.5 jam", 0, 90),
        ("1 hari", 1, 0),
        ("3 hari kerja", 3, 0),
        ("3  Hari   Kerja", 3, 0),
        ("1,5 hari", 1, 240),
        ("1 minggu", 5, 0),
        ("2 pekan", 10, 0),
        ("1 bulan", 22, 0),
        ("1-2 hari", 2, 0),
        ("1 - 2 hari", 2, 0),
        ("1–2 hari", 2, 0),
        ("10 s/d 15 menit", 0, 15),
        ("1 sampai 3 jam", 0, 180),
        ("2 hours", 0, 120),
        ("1 hour", 0, 60),
        ("30 minutes", 0, 30),
        ("3 working days", 3, 0),
        ("1 week", 5, 0),
        ("2 days.", 2, 0),
        ("90 detik", 0, 2),
        ("10 detik", 0, 1),
    ],
)
def test_documented_forms_are_understood(text: str, days: int, minutes: int) -> None:
    standard = parse_time_standard(text)
    assert (standard.days, standard.minutes) == (days, minutes)
    assert standard.text == text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "segera",
        "jam",
        "hari kerja",
        "2 tahun",
        "2 jam 30 menit",
        "0 jam",
        "0,0 hari",
        "-1 jam",
        "jam 2",
        "1.5.3 jam",
        "1e3 jam",
        "satu hari",
        "2 hari; DROP TABLE",
        "1-2",
        "99999999 hari",
        "9999999999 menit",
        "0,001 menit",
    ],
)
def test_nonsense_is_refused_with_examples(text: str) -> None:
    with pytest.raises(ValueError, match="time standard"):
        parse_time_standard(text)


def test_range_takes_the_promise_made_to_the_citizen() -> None:
    assert parse_time_standard("2-1 hari").days == 2


def test_estimate_counts_a_working_day_as_eight_hours() -> None:
    assert parse_time_standard("1,5 hari").total_minutes_estimate == 720
    assert TimeStandard("x", days=2, minutes=30).as_dict() == {
        "text": "x",
        "days": 2,
        "minutes": 30,
    }
