"""`alur calendar`, `alur run-timers` and `alur scheduler` as an administrator uses them."""

from pathlib import Path

from tests.web.test_scheduler import start_overdue_requests
from web.usecases.runtime import timers

PROCESSES = Path(__file__).resolve().parents[3] / "processes"


def test_calendar_show_lists_hours_and_days_off_of_a_year(alur, tmp_path, monkeypatch):
    local = tmp_path / "libur.txt"
    local.write_text("2026-10-28 KOTA-SKM Hari Jadi Kota Sukamaju\n", encoding="utf-8")
    monkeypatch.setenv("ALUR_LOCAL_HOLIDAYS_FILE", str(local))
    alur("demo")

    shown = alur("calendar", "show", "--org", "KOTA-SKM", "--year", "2026")

    assert shown.exit_code == 0, shown.output
    assert "KOTA-SKM: Asia/Jakarta" in shown.output
    assert "fri  07:30-16:30" in shown.output
    assert "2026-12-24 Thu  national  Cuti Bersama Hari Raya Natal" in shown.output
    assert "2026-10-28 Wed  local     Hari Jadi Kota Sukamaju" in shown.output


def test_calendar_set_changes_zone_and_hours(alur):
    alur("demo")

    changed = alur(
        "calendar",
        "set",
        "--org",
        "KOTA-SKM",
        "--timezone",
        "Asia/Makassar",
        "--day",
        "sat=08:00-12:00",
        "--day",
        "fri=off",
    )

    assert changed.exit_code == 0, changed.output
    assert "KOTA-SKM: Asia/Makassar" in changed.output
    assert "sat 08:00-12:00" in changed.output and "fri" not in changed.output
    shown = alur("calendar", "show", "--org", "KOTA-SKM")
    assert "sat  08:00-12:00" in shown.output


def test_calendar_set_refuses_hours_that_make_no_sense(alur):
    alur("demo")
    result = alur("calendar", "set", "--org", "KOTA-SKM", "--day", "mon=16:00-08:00")
    assert result.exit_code == 1
    assert "closes" in result.output


def test_a_local_holidays_file_with_a_bad_line_stops_the_command(alur, tmp_path, monkeypatch):
    local = tmp_path / "libur.txt"
    local.write_text("28-10-2026 KOTA-SKM Hari Jadi\n", encoding="utf-8")
    monkeypatch.setenv("ALUR_LOCAL_HOLIDAYS_FILE", str(local))
    result = alur("calendar", "show")
    assert result.exit_code == 1
    assert "libur.txt:1: expected 'YYYY-MM-DD ORGANIZATION NAME'" in result.output


def test_run_timers_reports_one_tick(alur):
    result = alur("run-timers")
    assert result.exit_code == 0
    assert "0 requests woken by their timers, 0 breaches recorded" in result.output


def test_run_timers_refuses_delivery_settings_that_cannot_work(alur, monkeypatch):
    monkeypatch.setenv("ALUR_NOTIFY_VIA", "webhook")
    result = alur("run-timers")
    assert result.exit_code == 1
    assert "ALUR_WEBHOOK_URL" in result.output


def test_scheduler_interval_must_be_positive(alur):
    result = alur("scheduler", "--interval", "0")
    assert result.exit_code == 2
    assert "--interval" in result.output


def test_run_timers_goes_on_until_every_due_timer_fired(alur, ctx, org, clock, monkeypatch):
    start_overdue_requests(ctx, org, clock, 3)
    monkeypatch.setattr(timers, "BATCH", 1)

    result = alur("run-timers")

    assert result.exit_code == 0, result.output
    assert "3 requests woken by their timers, 3 breaches recorded" in result.output
