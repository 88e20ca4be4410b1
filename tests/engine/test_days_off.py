"""Days off: national holidays and cuti bersama from the holidays package, plus the local file."""

from datetime import date

import pytest

from engine.days_off import DaysOff, load_local_days, national_days_off, parse_local_days

LOCAL = """
# Hari libur daerah
2026-10-28  KOTA-SKM  Hari Jadi Kota Sukamaju
2026-12-29..2026-12-31  *  Cuti bersama akhir tahun daerah

!2026-12-24 KOTA-SKM  Pelayanan tetap buka
"""


def test_national_holidays_and_cuti_bersama_of_2026_are_named_in_indonesian():
    days = national_days_off(2026)
    assert days[date(2026, 12, 25)] == "Hari Raya Natal"
    assert days[date(2026, 12, 24)] == "Cuti Bersama Hari Raya Natal"
    assert days[date(2026, 8, 17)] == "Hari Kemerdekaan Republik Indonesia"
    # Idul Fitri 1447 H: the holiday itself and the cuti bersama around it.
    assert {date(2026, 3, d) for d in (20, 21, 22, 23, 24)} <= set(days)
    assert days[date(2026, 3, 20)].startswith("Cuti Bersama")


def test_future_islamic_holidays_are_marked_as_estimates():
    days = DaysOff().of_year(2028)
    assert any(d.estimated for d in days)
    assert not any(d.estimated for d in DaysOff().of_year(2025))


def test_local_days_apply_to_their_organization_or_to_all():
    local = parse_local_days(LOCAL, "libur.txt")
    skm, other = DaysOff("KOTA-SKM", local), DaysOff("KOTA-LAIN", local)

    assert date(2026, 10, 28) in skm and date(2026, 10, 28) not in other
    assert all(date(2026, 12, d) in skm and date(2026, 12, d) in other for d in (29, 30, 31))
    # "!" keeps a national day off a working day for that organization only.
    assert date(2026, 12, 24) not in skm and date(2026, 12, 24) in other
    assert date(2026, 12, 25) in skm


def test_of_year_says_where_each_day_comes_from():
    days = {d.day: d for d in DaysOff("KOTA-SKM", parse_local_days(LOCAL)).of_year(2026)}
    assert days[date(2026, 10, 28)].source == "local"
    assert days[date(2026, 10, 28)].name == "Hari Jadi Kota Sukamaju"
    assert days[date(2026, 12, 25)].source == "national"
    assert date(2026, 12, 24) not in days
    assert list(days) == sorted(days)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("2026-13-01 * Salah", "libur.txt:2: month must be in 1..12"),
        ("28-10-2026 KOTA-SKM Hari Jadi", "libur.txt:2: expected 'YYYY-MM-DD"),
        ("2026-10-28 KOTA-SKM", "libur.txt:2: expected"),
        ("2026-12-31..2026-12-01 * Mundur", "backwards"),
        ("2026-01-01..2027-06-01 * Terlalu panjang", "over a year"),
    ],
)
def test_a_line_not_understood_is_refused_with_its_file_and_line(line, message):
    with pytest.raises(ValueError, match=message):
        parse_local_days(f"# komentar\n{line}\n", "libur.txt")


def test_the_file_is_read_from_disk_and_a_missing_one_is_an_error(tmp_path):
    path = tmp_path / "libur.txt"
    path.write_text(LOCAL, encoding="utf-8")
    assert len(load_local_days(path)) == 5
    assert load_local_days(None) == []
    with pytest.raises(ValueError, match="cannot read the local holidays file"):
        load_local_days(tmp_path / "tidak-ada.txt")


def test_days_off_holds_dates_only():
    assert "2026-12-25" not in DaysOff()
    assert date(2026, 12, 25) in DaysOff()
