"""A redesign resolves the work flags it removes: the dynamic rules judge each SOP on the work
of its version in force, so the old version's rework no longer keeps a flag open.

"balik" (tests/web/usecases/analysis/test_overlaps.py): the head sends drafts back to staff.
Its redesign "lurus" has the same steps with no way back.
"""

from storage.models import FlagState
from tests.factories.bpmn import SopSpec, Step, build
from tests.web.conftest import publish
from tests.web.usecases.analysis.test_overlaps import (
    LANES,
    LENGKAP,
    balik,
    flags_by_kind,
    named,
    run_requests,
)
from web.usecases.analysis import overlaps
from web.usecases.context import SYSTEM
from web.usecases.library import sops


def lurus() -> bytes:
    """balik redesigned: terima -> periksa -> arsip, nothing sent back."""
    steps = [
        Step("terima"),
        Step("periksa", lane="kepala", fields=LENGKAP),
        Step("arsip", lane="lain"),
    ]
    names = {
        "terima": "Menyusun konsep surat",
        "periksa": "Menelaah konsep surat",
        "arsip": "Mengarsipkan surat",
    }
    return named(build(SopSpec(key="balik", steps=steps, lanes=LANES)), "Surat Dinas", names)


def _bounce_flag_raised_on_version_1(ctx, org, clock):
    publish(ctx, balik())
    run_requests(ctx, org, clock, bouncing=3, straight=2)
    overlaps.analyze(ctx, org.actor("eka"))
    [flag] = flags_by_kind(ctx)["bouncing"]
    assert flag.state == FlagState.OPEN
    clock.advance(days=1)
    return flag


def test_a_redesign_without_the_rework_resolves_the_bounce_flag(ctx, org, clock):
    flag = _bounce_flag_raised_on_version_1(ctx, org, clock)
    publish(ctx, lurus())
    redesign = sops.get_version(ctx, SYSTEM, "balik")

    # Published, but nobody has worked on it yet: version 1's work still speaks.
    overlaps.analyze(ctx, org.actor("eka"))
    assert overlaps.get_flag(ctx, SYSTEM, flag.id).state == FlagState.OPEN

    run_requests(ctx, org, clock, bouncing=0, straight=3)
    result = overlaps.analyze(ctx, org.actor("eka"))

    resolved = overlaps.get_flag(ctx, SYSTEM, flag.id)
    assert (resolved.state, resolved.resolved_by_version_id) == (FlagState.RESOLVED, redesign.id)
    assert result.resolved == 1 and "bouncing" not in result.by_kind
    assert overlaps.synergy(ctx, SYSTEM).resolved == 1


def test_a_new_version_that_keeps_the_rework_keeps_the_flag_open(ctx, org, clock):
    flag = _bounce_flag_raised_on_version_1(ctx, org, clock)
    publish(ctx, balik(note="2 jam"))

    run_requests(ctx, org, clock, bouncing=3, straight=2)
    result = overlaps.analyze(ctx, org.actor("eka"))

    kept = overlaps.get_flag(ctx, SYSTEM, flag.id)
    assert (kept.state, kept.current, kept.resolved_by_version_id) == (FlagState.OPEN, True, None)
    assert result.resolved == 0 and result.by_kind["bouncing"] == 1
