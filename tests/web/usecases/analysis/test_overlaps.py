"""The overlap flags through the use cases and the CLI: SOPs and work with planted overlaps.

- domisili: staff "memeriksa surat pengantar RT/RW", then the head "memverifikasi" it again
  (repeated_check);
- reklame and rekomendasi: the same "verifikasi berkas permohonan izin reklame" done by a
  unit of Dinas Lain and by the kelurahan (similar_activity);
- balik: the head sends drafts back to staff to redo them (bouncing, in real requests).
"""

import pytest

from storage.models import FlagState, WorkItemStatus
from tests.factories.bpmn import SopSpec, Step, build, flow, gateway
from tests.web.conftest import Org, publish
from web.usecases.analysis import overlaps
from web.usecases.context import SYSTEM, Context
from web.usecases.errors import Conflict, Forbidden, Invalid
from web.usecases.library import sops
from web.usecases.pagination import PageRequest
from web.usecases.runtime import instances, work_items

LANES = {"staf": "UJI-STAF", "kepala": "UJI-KEPALA", "lain": "LAIN-STAF"}
LENGKAP = '<sop:field name="lengkap" type="boolean" required="true"/>'
ALL = PageRequest(1, 100)


def named(data: bytes, title: str, names: dict[str, str]) -> bytes:
    """The factory's SOP with a real title and real activity names."""
    for step_id, name in names.items():
        data = data.replace(f'name="Langkah {step_id}"'.encode(), f'name="{name}"'.encode())
    return data.replace(b'name="SOP Uji"', f'name="{title}"'.encode())


def domisili(fixed: bool = False) -> bytes:
    steps = [Step("terima"), Step("periksa", lane="kepala"), Step("teken", lane="kepala")]
    check = "Menandatangani register" if fixed else "Memverifikasi surat pengantar RT/RW"
    names = {
        "terima": "Menerima permohonan dan memeriksa surat pengantar RT/RW",
        "periksa": check,
        "teken": "Menandatangani surat keterangan",
    }
    spec = SopSpec(key="domisili", steps=steps, lanes=LANES)
    return named(build(spec), "Surat Keterangan Domisili", names)


def izin(key: str, lane: str, verb: str) -> bytes:
    spec = SopSpec(
        key=key, steps=[Step("verif", lane=lane), Step("teken", lane="kepala")], lanes=LANES
    )
    names = {"verif": f"{verb} berkas permohonan izin reklame", "teken": "Menandatangani izin"}
    return named(build(spec), f"Izin {key}", names)


def balik(note: str = "") -> bytes:
    """terima (staff) -> periksa (head, "lengkap?") -> arsip (Dinas Lain), or back to terima."""
    steps = [
        Step("terima"),
        Step("periksa", lane="kepala", fields=LENGKAP),
        Step("arsip", lane="lain", time=note or "1 jam"),
    ]
    extra = (
        '<bpmn:startEvent id="mulai"/><bpmn:endEvent id="selesai"/>'
        + gateway("cek", default="f_kurang")
        + flow("mulai", "terima")
        + flow("terima", "periksa")
        + flow("periksa", "cek")
        + flow("cek", "arsip", "lengkap == True", flow_id="f_lengkap")
        + flow("cek", "terima", flow_id="f_kurang")
        + flow("arsip", "selesai")
    )
    spec = SopSpec(key="balik", steps=steps, lanes=LANES, chain=False, extra=extra)
    names = {
        "terima": "Menyusun konsep surat",
        "periksa": "Menelaah konsep surat",
        "arsip": "Mengarsipkan surat",
    }
    return named(build(spec), "Surat Dinas", names)


def _complete(ctx: Context, org: Org, clock, instance_id: int, who: str, data: dict) -> None:
    clock.advance(minutes=30)
    view = instances.get_instance(ctx, SYSTEM, instance_id)
    item = next(i for i in view.work_items if i.status == WorkItemStatus.OPEN)
    work_items.complete(ctx, org.actor(who), item.id, data)


def run_requests(ctx: Context, org: Org, clock, bouncing: int, straight: int) -> list[str]:
    """Requests of "balik": ``bouncing`` sent back once, then ``straight`` ones; returns the
    references of those sent back."""
    sent_back = []
    for number in range(bouncing + straight):
        instance = instances.start_instance(ctx, org.actor("ani"), "balik", {})
        _complete(ctx, org, clock, instance.id, "ani", {})
        if number < bouncing:
            _complete(ctx, org, clock, instance.id, "citra", {"lengkap": False})
            _complete(ctx, org, clock, instance.id, "ani", {})
            sent_back.append(instance.reference)
        _complete(ctx, org, clock, instance.id, "citra", {"lengkap": True})
        _complete(ctx, org, clock, instance.id, "dedi", {})
    return sent_back


def plant(ctx: Context, org: Org, clock) -> list[str]:
    """Publish the four SOPs and run five requests, three sent back; returns those three."""
    for data in (
        domisili(),
        izin("reklame", "lain", "Memverifikasi"),
        izin("rekomendasi", "staf", "Verifikasi"),
        balik(),
    ):
        publish(ctx, data)
    references = run_requests(ctx, org, clock, bouncing=3, straight=2)
    clock.advance(hours=1)
    return references


def flags_by_kind(ctx: Context, **filters) -> dict[str, list]:
    found: dict[str, list] = {}
    for flag in overlaps.list_flags(ctx, SYSTEM, ALL, **filters).items:
        found.setdefault(flag.kind, []).append(flag)
    return found


@pytest.fixture
def planted(ctx, org, clock) -> list[str]:
    return plant(ctx, org, clock)


def test_the_analysis_finds_the_planted_overlaps_in_the_library_and_in_the_work(ctx, org, planted):
    result = overlaps.analyze(ctx, org.actor("eka"))

    assert result.by_kind == {"repeated_check": 1, "similar_activity": 1, "bouncing": 1}
    assert (result.sops, result.found, result.opened) == (4, 3, 3)
    assert result.steps == 3 * 5 + 2 * 3
    flags = flags_by_kind(ctx)
    [check] = flags["repeated_check"]
    refs = {(a["sop_key"], a["activity_id"]) for a in check.evidence["activities"]}
    assert refs == {("domisili", "terima"), ("domisili", "periksa")}
    assert (check.origin, check.state, check.sop_keys) == ("library", FlagState.OPEN, " domisili ")
    [similar] = flags["similar_activity"]
    assert similar.sop_keys.split() == ["reklame", "rekomendasi"]
    assert set(similar.evidence["units"]) == {"DINAS", "KEL"}
    [bounce] = flags["bouncing"]
    assert bounce.origin == "work"
    assert set(bounce.evidence["positions"]) == {"UJI-STAF", "UJI-KEPALA"}
    assert sorted(bounce.evidence["shared"]) == sorted(planted)
    assert "3 permohonan pada SOP balik" in bounce.explanation_id
    assert "3 requests of SOP balik" in bounce.explanation_en


def test_a_second_analysis_keeps_the_state_and_the_note(ctx, org, clock, planted):
    overlaps.analyze(ctx, org.actor("eka"))
    [flag] = flags_by_kind(ctx)["bouncing"]
    overlaps.acknowledge(ctx, org.actor("eka"), flag.id, "Dibahas dengan lurah; dipantau.")
    clock.advance(days=1)

    result = overlaps.analyze(ctx, org.actor("admin"))

    assert (result.found, result.opened, result.resolved, result.gone) == (3, 0, 0, 0)
    again = overlaps.get_flag(ctx, org.actor("citra"), flag.id)
    assert (again.key, again.state) == (flag.key, FlagState.ACKNOWLEDGED)
    assert again.note == "Dibahas dengan lurah; dipantau."
    assert again.first_seen_at == flag.first_seen_at
    assert again.last_seen_at == clock.now
    assert again.state_changed_by.username == "eka"


def test_acknowledging_needs_a_note(ctx, org, planted):
    overlaps.analyze(ctx, org.actor("eka"))
    [flag] = flags_by_kind(ctx)["repeated_check"]

    for note in ("", "   "):
        with pytest.raises(Invalid) as refused:
            overlaps.acknowledge(ctx, org.actor("eka"), flag.id, note)
        assert refused.value.details == {"field": "note"}
    with pytest.raises(Invalid):
        overlaps.acknowledge(ctx, org.actor("eka"), flag.id, "x" * (overlaps.NOTE_MAX + 1))
    assert overlaps.get_flag(ctx, SYSTEM, flag.id).state == FlagState.OPEN

    done = overlaps.acknowledge(ctx, org.actor("eka"), flag.id, "  Diterima apa adanya.  ")

    assert (done.state, done.note) == (FlagState.ACKNOWLEDGED, "Diterima apa adanya.")


def test_only_a_version_published_after_the_flag_resolves_it(ctx, org, clock, planted):
    overlaps.analyze(ctx, org.actor("eka"))
    [flag] = flags_by_kind(ctx)["repeated_check"]
    current = sops.get_version(ctx, SYSTEM, "domisili")
    other = sops.get_version(ctx, SYSTEM, "balik")

    with pytest.raises(Conflict) as too_old:
        overlaps.resolve(ctx, org.actor("eka"), flag.id, current.id)
    with pytest.raises(Conflict) as elsewhere:
        overlaps.resolve(ctx, org.actor("eka"), flag.id, other.id)
    assert "raised_at" in too_old.value.details
    assert elsewhere.value.details == {"sops": ["domisili"]}
    assert overlaps.resolving_versions(ctx, org.actor("eka"), flag.id) == []

    clock.advance(days=2)
    publish(ctx, domisili(fixed=True))
    fixed = sops.get_version(ctx, SYSTEM, "domisili")
    assert [v.id for v in overlaps.resolving_versions(ctx, org.actor("eka"), flag.id)] == [fixed.id]
    clock.advance(hours=1)

    result = overlaps.analyze(ctx, org.actor("eka"))

    assert (result.resolved, result.gone) == (1, 0)
    resolved = overlaps.get_flag(ctx, SYSTEM, flag.id)
    assert resolved.state == FlagState.RESOLVED
    assert (resolved.resolved_by_version_id, resolved.resolved_by_version.number) == (fixed.id, 2)
    assert resolved.state_changed_at == clock.now and resolved.state_changed_by_id is None
    assert "repeated_check" not in flags_by_kind(ctx, state=FlagState.OPEN)


def test_an_analyst_resolves_a_flag_by_hand_and_reopens_it(ctx, org, clock, planted):
    overlaps.analyze(ctx, org.actor("eka"))
    [flag] = flags_by_kind(ctx)["bouncing"]
    clock.advance(days=1)
    publish(ctx, balik(note="2 jam"))
    redesign = sops.get_version(ctx, SYSTEM, "balik")

    resolved = overlaps.resolve(ctx, org.actor("eka"), flag.id, redesign.id, "Alur baru.")

    assert (resolved.state, resolved.resolved_by_version_id) == (FlagState.RESOLVED, redesign.id)
    assert overlaps.synergy(ctx, SYSTEM).resolved == 1
    reopened = overlaps.reopen(ctx, org.actor("admin"), flag.id)
    assert (reopened.state, reopened.resolved_by_version_id) == (FlagState.OPEN, None)
    assert reopened.note == "Alur baru."  # reopening without a note keeps the last one


def test_flags_no_longer_found_without_a_new_version_are_set_aside(ctx, org, clock, planted):
    overlaps.analyze(ctx, org.actor("eka"))
    clock.advance(days=overlaps.WORK_DAYS + 1)  # the requests leave the analysed window

    result = overlaps.analyze(ctx, org.actor("eka"))

    assert (result.found, result.resolved, result.gone) == (2, 0, 1)
    assert "bouncing" not in flags_by_kind(ctx)
    [gone] = flags_by_kind(ctx, include_gone=True)["bouncing"]
    assert (gone.current, gone.state) == (False, FlagState.OPEN)
    assert sum(overlaps.synergy(ctx, SYSTEM).open_by_severity.values()) == 2


def test_officers_may_not_see_flags_and_managers_may_only_look(ctx, org, planted):
    overlaps.analyze(ctx, org.actor("eka"))
    [flag] = flags_by_kind(ctx)["bouncing"]
    officer, manager = org.actor("ani"), org.actor("citra")

    for call in (
        lambda who: overlaps.list_flags(ctx, who, ALL),
        lambda who: overlaps.get_flag(ctx, who, flag.id),
        lambda who: overlaps.synergy(ctx, who),
        lambda who: overlaps.resolving_versions(ctx, who, flag.id),
    ):
        with pytest.raises(Forbidden):
            call(officer)
        call(manager)
    for who in (officer, manager):
        with pytest.raises(Forbidden):
            overlaps.analyze(ctx, who)
        with pytest.raises(Forbidden):
            overlaps.acknowledge(ctx, who, flag.id, "Tidak berwenang.")
        with pytest.raises(Forbidden):
            overlaps.reopen(ctx, who, flag.id)
    assert overlaps.get_flag(ctx, SYSTEM, flag.id).state == FlagState.OPEN


def test_the_synergy_answer_flips_with_the_open_serious_flags(ctx, org, clock, planted):
    before = overlaps.synergy(ctx, org.actor("citra"))
    assert (before.answer, before.analysed_at) == (True, None)

    overlaps.analyze(ctx, org.actor("eka"))
    after = overlaps.synergy(ctx, org.actor("citra"))
    assert after.answer is False
    assert sum(after.open_by_severity.values()) == 3
    assert after.analysed_at == clock.now

    serious = [
        flag
        for flag in overlaps.list_flags(ctx, SYSTEM, ALL).items
        if flag.severity in ("high", "medium")
    ]
    for flag in serious:
        overlaps.acknowledge(ctx, org.actor("eka"), flag.id, "Direncanakan perbaikan.")
    settled = overlaps.synergy(ctx, org.actor("citra"))
    assert settled.answer is True
    assert settled.acknowledged == len(serious)

    overlaps.reopen(ctx, org.actor("eka"), serious[0].id)
    assert overlaps.synergy(ctx, SYSTEM).answer is False


def test_the_list_filters_by_state_kind_severity_and_sop(ctx, org, planted):
    overlaps.analyze(ctx, org.actor("eka"))
    [bounce] = flags_by_kind(ctx)["bouncing"]
    overlaps.acknowledge(ctx, org.actor("eka"), bounce.id, "Dipantau.")

    assert list(flags_by_kind(ctx, state=FlagState.ACKNOWLEDGED)) == ["bouncing"]
    assert list(flags_by_kind(ctx, kind="similar_activity")) == ["similar_activity"]
    assert list(flags_by_kind(ctx, sop_key="domisili")) == ["repeated_check"]
    assert list(flags_by_kind(ctx, sop_key="rekomendasi")) == ["similar_activity"]
    assert flags_by_kind(ctx, sop_key="domisil") == {}
    assert flags_by_kind(ctx, sop_key="domisil_") == {}  # no LIKE wildcards
    assert flags_by_kind(ctx, sop_key="%") == {}
    assert set(flags_by_kind(ctx, severity="high")) == {"bouncing", "similar_activity"}
    assert list(flags_by_kind(ctx, severity="medium")) == ["repeated_check"]
    ranks = [f.severity_rank for f in overlaps.list_flags(ctx, SYSTEM, ALL).items]
    assert ranks == sorted(ranks)
    with pytest.raises(Invalid):
        overlaps.list_flags(ctx, SYSTEM, ALL, kind="nope")
    with pytest.raises(Invalid):
        overlaps.list_flags(ctx, SYSTEM, ALL, severity="urgent")


# --- alur overlaps -------------------------------------------------------------------------------


def test_the_cli_analyses_and_prints_the_flags_and_the_synergy_line(alur, ctx, org, planted):
    result = alur("overlaps")

    assert result.exit_code == 0, result.output
    assert "Analysed 4 SOPs and 21 completed steps: 3 flags" in result.output
    assert "Synergy (no overlapping duties): no - open:" in result.output
    assert "3 flags:" in result.output
    for kind in ("repeated_check", "similar_activity", "bouncing"):
        assert kind in result.output
    assert "3 permohonan pada SOP balik" in result.output
    english = alur("overlaps", "--no-analyze", "--language", "en")
    assert "3 requests of SOP balik" in english.output
    assert "Analysed" not in english.output


def test_the_cli_filters_by_kind_and_refuses_an_unknown_one(alur, ctx, org, planted):
    alur("overlaps")

    bouncing = alur("overlaps", "--no-analyze", "--kind", "bouncing")
    unknown = alur("overlaps", "--no-analyze", "--kind", "nope")

    assert bouncing.exit_code == 0
    assert "1 flags:" in bouncing.output
    assert "bouncing" in bouncing.output and "repeated_check" not in bouncing.output
    assert unknown.exit_code == 1
    assert "Unknown flag kind 'nope'" in unknown.output
    assert "repeated_check" in unknown.output  # the details list the kinds there are
