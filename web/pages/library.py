"""Pages of the SOP library: published SOPs, their SOP AP document and diagram."""

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required

from storage.models import VersionStatus
from web.headers import download
from web.pages.session import actor, context
from web.usecases.analysis import overlaps
from web.usecases.errors import Conflict, Invalid
from web.usecases.library import catalog, sops
from web.usecases.pagination import PageRequest

bp = Blueprint("library", __name__, url_prefix="/sops")

FLAGS_SHOWN = 10  # overlap flags listed on an SOP's page; the rest are on the flags page

STATUS_LABELS = {
    VersionStatus.DRAFT: lambda: _("Draft"),
    VersionStatus.PUBLISHED: lambda: _("In force"),
    VersionStatus.RETIRED: lambda: _("Retired"),
}
STATUS_BADGES = {VersionStatus.DRAFT: "warn", VersionStatus.PUBLISHED: "ok"}


def sop_date(value: str | None) -> str:
    """An SOP AP date (YYYY-MM-DD) in the reader's language; other text as written."""
    if not value:
        return "–"
    try:
        return format_date(date.fromisoformat(value), "long")
    except ValueError:
        return value


def may_publish() -> bool:
    return current_user.has_role("analyst", "admin")


@bp.context_processor
def helpers() -> dict:
    return {
        "sop_date": sop_date,
        "status_label": lambda status: STATUS_LABELS[status](),
        "status_badge": lambda status: STATUS_BADGES.get(status, ""),
        "may_publish": may_publish,
    }


@bp.get("")
@login_required
def index() -> ResponseReturnValue:
    search = request.args.get("q", "").strip()
    unit = request.args.get("unit", "").strip()
    page_number = request.args.get("page", 1, type=int) or 1
    page = catalog.published_sops(
        context(), actor(), PageRequest(page_number, 25), search or None, unit or None
    )
    return render_template(
        "library/index.html",
        page=page,
        search=search,
        unit=unit,
        units=catalog.library_units(context(), actor()),
        unpublished=catalog.unpublished_sops(context(), actor()),
    )


@bp.get("/<key>")
@bp.get("/<key>/versions/<int:number>")
@login_required
def detail(key: str, number: int | None = None) -> ResponseReturnValue:
    document = catalog.sop_document(context(), actor(), key, number)
    flags = None
    if current_user.has_role("manager", "analyst", "admin"):
        flags = overlaps.list_flags(context(), actor(), PageRequest(1, FLAGS_SHOWN), sop_key=key)
    return render_template("library/detail.html", doc=document, meta=document.metadata, flags=flags)


@bp.route("/<key>/versions/<int:number>/publish", methods=["GET", "POST"])
@login_required
def publish(key: str, number: int) -> ResponseReturnValue:
    """GET asks for confirmation; POST publishes (the use case checks who may)."""
    if request.method == "GET":
        if not may_publish():
            abort(403)
        document = catalog.sop_document(context(), actor(), key, number)
        if document.version.status != VersionStatus.DRAFT:
            return redirect(url_for("library.detail", key=key, number=number))
        current = next(
            (v for v in document.sop.versions if v.status == VersionStatus.PUBLISHED), None
        )
        return render_template("library/publish.html", doc=document, current=current)
    try:
        sops.publish_version(context(), actor(), key, number)
    except Invalid as exc:
        problems = (exc.details or {}).get("problems", [])
        lanes = ", ".join(p.get("element_name") or p.get("element_id") or "" for p in problems)
        flash(
            _(
                "Version %(number)s was not published: lanes name positions that do not "
                "exist (%(lanes)s). Create the positions first.",
                number=number,
                lanes=lanes,
            ),
            "error",
        )
    except Conflict:
        flash(_("Version %(number)s is already published.", number=number), "error")
    else:
        flash(
            _("Version %(number)s is published; new requests start on it.", number=number),
            "success",
        )
    return redirect(url_for("library.detail", key=key, number=number))


@bp.get("/<key>/versions/<int:number>/bpmn")
@login_required
def bpmn(key: str, number: int) -> Response:
    """The BPMN of a version, for the diagrams on the pages (same-origin, session login).

    The diagram script fetches it; a person opening the link gets a download, never a page.
    """
    xml = sops.get_version_bpmn(context(), actor(), key, number)
    return download(xml, f"{key}-v{number}.bpmn", "application/xml")
