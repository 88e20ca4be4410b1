"""Overlap flags (tumpang tindih): the list with the yearly evaluation's synergy answer, one
flag with its evidence, and the analyst's actions on it (acknowledge, resolve, reopen).

Managers, analysts and administrators may look; analysts and administrators may act. The use
cases check both; this module only hides the forms from those who may not use them.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_percent, get_locale, lazy_gettext
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.overlaps import FlagKind, Severity
from storage.models import FlagState, OverlapFlag, Role
from web.error_text import localized
from web.pages.display import page_request
from web.pages.session import actor, context
from web.usecases.analysis import overlap_names, overlaps
from web.usecases.context import Actor, Context
from web.usecases.errors import Conflict, Invalid, NotFound
from web.usecases.library import sops

bp = Blueprint("overlaps", __name__, url_prefix="/overlaps")

DIAGRAMS = 3  # SOP diagrams drawn on a flag's page; further SOPs are only linked
KINDS = {
    FlagKind.SIMILAR_ACTIVITY: lazy_gettext("Near-identical activity by different performers"),
    FlagKind.SEVERAL_PERFORMERS: lazy_gettext("One activity, several performers"),
    FlagKind.LANE_UNMAPPED: lazy_gettext("Performer without a position"),
    FlagKind.LANE_SEVERAL: lazy_gettext("Performer mapped to several positions"),
    FlagKind.REPEATED_CHECK: lazy_gettext("The same document checked again"),
    FlagKind.POSITION_IN_MANY_SOPS: lazy_gettext("One position doing the same work in many SOPs"),
    FlagKind.PERFORMER_MISMATCH: lazy_gettext("Done by people outside the declared position"),
    FlagKind.BOUNCING: lazy_gettext("Work handed back and forth"),
    FlagKind.SPLIT_OWNERSHIP: lazy_gettext("Work split with no clear owner"),
}
SEVERITIES = {
    Severity.HIGH: (lazy_gettext("High"), "bad"),
    Severity.MEDIUM: (lazy_gettext("Medium"), "warn"),
    Severity.LOW: (lazy_gettext("Low"), ""),
}
STATES = {
    FlagState.OPEN: (lazy_gettext("Awaiting review"), "warn"),
    FlagState.ACKNOWLEDGED: (lazy_gettext("Acknowledged"), ""),
    FlagState.RESOLVED: (lazy_gettext("Resolved"), "ok"),
}
# What the evidence's score measures, by kind (static kinds: the lowest name similarity).
SCORES = {
    FlagKind.PERFORMER_MISMATCH: lazy_gettext("Share of the steps done by non-holders"),
    FlagKind.BOUNCING: lazy_gettext("Share of the SOP's requests handed back"),
    FlagKind.SPLIT_OWNERSHIP: lazy_gettext("Largest share done by one group"),
}
FILTERS = {
    "state": {str(state) for state in FlagState},
    "kind": {str(kind) for kind in FlagKind},
    "severity": {str(severity) for severity in Severity},
}


def may_act() -> bool:
    return current_user.has_role("analyst", "admin")


def explanation(flag: OverlapFlag) -> str:
    """The flag's explanation in the reader's language."""
    return flag.explanation_en if str(get_locale()) == "en" else flag.explanation_id


def kind_label(kind: str) -> str:
    return str(KINDS[FlagKind(kind)])


# Globals, so that the macros of overlaps/_macros.html see them wherever they are imported
# (the SOP's page in the library lists its flags too).
bp.add_app_template_global(explanation, "flag_explanation")
bp.add_app_template_global(kind_label, "flag_kind_label")
bp.add_app_template_global(SEVERITIES, "FLAG_SEVERITIES")
bp.add_app_template_global(STATES, "FLAG_STATES")


def _filters() -> dict[str, str]:
    """The list's filters from the query string; values it does not know are left out."""
    chosen = {
        key: request.args.get(key, "") for key in ("state", "kind", "severity", "sop", "gone")
    }
    for key, allowed in FILTERS.items():
        if chosen[key] not in allowed:
            chosen[key] = ""
    chosen["sop"] = chosen["sop"].strip()
    chosen["gone"] = "1" if chosen["gone"] == "1" else ""
    return {key: value for key, value in chosen.items() if value}


@bp.get("")
@login_required
def index() -> ResponseReturnValue:
    filters = _filters()
    page = overlaps.list_flags(
        context(),
        actor(),
        page_request(),
        state=FlagState(filters["state"]) if "state" in filters else None,
        kind=filters.get("kind"),
        severity=filters.get("severity"),
        sop_key=filters.get("sop"),
        include_gone="gone" in filters,
    )
    return render_template(
        "overlaps/index.html",
        page=page,
        filters=filters,
        synergy=overlaps.synergy(context(), actor()),
        sops=sops.list_sops(context(), actor()),
        kinds=KINDS,
        names=overlap_names.evidence_names(context(), actor()),
    )


@bp.post("/analyze")
@login_required
def analyze() -> ResponseReturnValue:
    result = overlaps.analyze(context(), actor())
    flash(
        _(
            "Analysis finished: %(sops)s SOPs and %(steps)s completed steps; %(found)s flags, "
            "%(opened)s new, %(resolved)s resolved by a new version, %(gone)s no longer found.",
            sops=result.sops,
            steps=result.steps,
            found=result.found,
            opened=result.opened,
            resolved=result.resolved,
            gone=result.gone,
        ),
        "success",
    )
    return redirect(url_for(".index"))


@dataclass(frozen=True)
class SopLink:
    """An SOP of a flag's evidence, with its published version when it has one."""

    key: str
    name: str | None
    number: int | None
    markers: dict[str, str]  # its flagged activities and lanes, for the diagram


def _sop_links(evidence: dict) -> list[SopLink]:
    links = []
    for key in evidence.get("sops", []):
        flagged = [a["activity_id"] for a in evidence.get("activities", []) if a["sop_key"] == key]
        flagged += [lane["lane_id"] for lane in evidence.get("lanes", []) if lane["sop_key"] == key]
        try:
            version = sops.get_version(context(), actor(), key)
        except NotFound:  # retired since: the flag stays readable
            links.append(SopLink(key, None, None, {}))
            continue
        links.append(SopLink(key, version.name, version.number, dict.fromkeys(flagged, "flagged")))
    return links


def _score(flag: OverlapFlag) -> tuple[str, str] | None:
    score = flag.evidence.get("score")
    if score is None:
        return None
    label = SCORES.get(FlagKind(flag.kind), lazy_gettext("Similarity of the names"))
    return str(label), format_percent(score)


def _detail(flag_id: int, errors: dict[str, str] | None = None, status: int = 200):
    flag = overlaps.get_flag(context(), actor(), flag_id)
    acting = may_act()
    versions = (
        overlaps.resolving_versions(context(), actor(), flag_id)
        if acting and flag.state != FlagState.RESOLVED
        else []
    )
    links = _sop_links(flag.evidence)
    return render_template(
        "overlaps/detail.html",
        flag=flag,
        evidence=flag.evidence,
        names=overlap_names.evidence_names(context(), actor()),
        sop_links=links,
        diagrams=[link for link in links if link.number][:DIAGRAMS],
        score=_score(flag),
        # Those the viewer may open (get_flag left the others out); split flags "group: count".
        requests_shared=flag.kind in overlaps.NAMING_REQUESTS,
        split=flag.kind == FlagKind.SPLIT_OWNERSHIP,
        versions=versions,
        may_act=acting,
        errors=errors or {},
        values=request.form if errors else {},
    ), status


@bp.get("/<int:flag_id>")
@login_required
def detail(flag_id: int) -> ResponseReturnValue:
    return _detail(flag_id)


Change = Callable[[Context, Actor, int, str], object]  # a use case: (ctx, actor, flag, note)


def _changed(flag_id: int, form: str, change: Change, done: str) -> ResponseReturnValue:
    """Apply ``change`` with the form's note; on success flash ``done`` and go back to the
    flag, else show the flag again with the reason next to ``form``."""
    try:
        change(context(), actor(), flag_id, request.form.get("note", ""))
    except Invalid as error:
        return _detail(flag_id, {form: localized(error)}, 400)
    except Conflict as error:
        return _detail(flag_id, {form: localized(error)}, 409)
    flash(done, "success")
    return redirect(url_for(".detail", flag_id=flag_id))


@bp.post("/<int:flag_id>/acknowledge")
@login_required
def acknowledge(flag_id: int) -> ResponseReturnValue:
    done = _("The flag is acknowledged; your note is kept with it.")
    return _changed(flag_id, "acknowledge", overlaps.acknowledge, done)


@bp.post("/<int:flag_id>/resolve")
@login_required
def resolve(flag_id: int) -> ResponseReturnValue:
    actor().require_role(Role.ANALYST, Role.ADMIN, action="change overlap flags")
    version_id = request.form.get("version", type=int)
    if version_id is None:
        return _detail(flag_id, {"resolve": _("Choose the version that resolves the flag.")}, 400)

    def by_version(ctx: Context, who: Actor, flag: int, note: str) -> object:
        return overlaps.resolve(ctx, who, flag, version_id, note)

    return _changed(flag_id, "resolve", by_version, _("The flag is resolved by the new version."))


@bp.post("/<int:flag_id>/reopen")
@login_required
def reopen(flag_id: int) -> ResponseReturnValue:
    return _changed(flag_id, "reopen", overlaps.reopen, _("The flag is open again."))
