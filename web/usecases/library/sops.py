"""The SOP library: upload a BPMN as a new version, publish it, read it back."""

import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from engine.definition import SopDefinition, load_sop
from engine.errors import BpmnRejected, BpmnTooLarge, Problem
from engine.serialization import SERIALIZER_VERSION
from storage.models import Event, Role, Sop, SopVersion, User, VersionStatus
from storage.repositories import organization as org_repo
from storage.repositories import sops as repo
from web.usecases.context import SYSTEM, Actor, Context
from web.usecases.errors import Conflict, Invalid, NotFound, PayloadTooLarge, message

BPMN_MISSING = message(
    "bpmn_missing", "The request has no BPMN: send it as the body or as multipart 'file'."
)
BPMN_FILE_MISSING = message("bpmn_file_missing", "Send the BPMN as a multipart field named 'file'.")
BPMN_REFUSED = message("bpmn_refused", "The BPMN was refused: {reason}")
BPMN_TOO_LARGE = message("bpmn_too_large", "The file was refused: {reason}")
IDENTICAL = message("sop_version_identical", "This file is identical to version {number} of {key}.")
SOP_NOT_FOUND = message("sop_not_found", "SOP {key} does not exist.")
VERSION_NOT_FOUND = message("sop_version_not_found", "SOP {key} has no version {number}.")
NOT_PUBLISHED = message("sop_not_published_yet", "SOP {key} has no published version.")
ALREADY_PUBLISHED = message(
    "sop_version_already_published", "Version {number} of {key} is already published."
)
LANES_UNMAPPED = message(
    "sop_lanes_unmapped", "Version {number} of {key} cannot be published: lanes are unmapped."
)

_EDITORS = (Role.ANALYST, Role.ADMIN)


def _rejected(exc: BpmnRejected) -> Invalid:
    details = {"problems": [p.as_dict() for p in exc.problems]}
    if isinstance(exc, BpmnTooLarge):
        return PayloadTooLarge(BPMN_TOO_LARGE, details, reason=str(exc))
    return Invalid(BPMN_REFUSED, details, reason=str(exc))


def _reference_prefix(session: Session, key: str) -> str:
    words = [w for w in re.split(r"[_\-\s]+", key) if w]
    base = ("".join(w[0] for w in words) if len(words) > 1 else key[:3]).upper()[:8] or "SOP"
    prefix, n = base, 1
    while repo.reference_prefix_taken(session, prefix):
        n += 1
        prefix = f"{base}{n}"
    return prefix


def upload_version(ctx: Context, actor: Actor, data: bytes) -> SopVersion:
    """Validate an uploaded BPMN and store it as the SOP's next draft version.

    :raises Invalid: the BPMN is refused (details list every problem, by element).
    :raises PayloadTooLarge: the file exceeds the configured size.
    :raises Conflict: the file is identical to the SOP's latest version.
    """
    actor.require_role(*_EDITORS, action="upload SOP versions")
    try:
        definition = load_sop(data, ctx.engine_options)
    except BpmnRejected as exc:
        raise _rejected(exc) from None
    with ctx.transaction() as session:
        return _store_version(session, ctx, actor, definition, data)


def _store_version(
    session: Session,
    ctx: Context,
    actor: Actor,
    definition: SopDefinition,
    data: bytes,
    source_file: str | None = None,
) -> SopVersion:
    now = ctx.clock()
    metadata = definition.metadata
    sop = repo.sop_by_key(session, metadata.key)
    if sop is None:
        sop = Sop(
            key=metadata.key,
            name=metadata.name,
            created_at=now,
            reference_prefix=_reference_prefix(session, metadata.key),
        )
        session.add(sop)
        session.flush()
    latest = repo.latest_version(session, sop.id)
    if latest is not None and latest.bpmn_sha256 == definition.bpmn_sha256:
        raise Conflict(
            IDENTICAL,
            {"sop": sop.key, "version": latest.number},
            number=latest.number,
            key=sop.key,
        )
    sop.name = metadata.name
    version = SopVersion(
        sop=sop,
        number=(latest.number + 1) if latest else 1,
        status=VersionStatus.DRAFT,
        name=metadata.name,
        bpmn_xml=data.decode("utf-8"),
        bpmn_sha256=definition.bpmn_sha256,
        sop_metadata=metadata.as_dict(),
        spec_json=definition.spec_json,
        serializer_version=SERIALIZER_VERSION,
        created_at=now,
        created_by_id=actor.user_id,
        source_file=source_file,
    )
    session.add(version)
    session.flush()
    session.add(
        Event(
            type="sop_version_uploaded",
            occurred_at=now,
            actor_id=actor.user_id,
            sop_version_id=version.id,
            payload={"sop": sop.key, "version": version.number},
        )
    )
    return version


def publish_version(ctx: Context, actor: Actor, key: str, number: int) -> SopVersion:
    """Make a version the one new requests start on; the previously published one retires.

    :raises Invalid: a lane names a position that does not exist (details name the lanes).
    """
    actor.require_role(*_EDITORS, action="publish SOP versions")
    with ctx.transaction() as session:
        return _publish(session, ctx, actor, key, number)


def _publish(session: Session, ctx: Context, actor: Actor, key: str, number: int) -> SopVersion:
    version = repo.version(session, key, number)
    if version is None:
        raise NotFound(VERSION_NOT_FOUND, key=key, number=number)
    if version.status == VersionStatus.PUBLISHED:
        raise Conflict(ALREADY_PUBLISHED, number=number, key=key)
    lanes = version.sop_metadata["lanes"]
    found = org_repo.positions_by_codes(session, [lane["position_code"] for lane in lanes])
    problems = [
        Problem(
            "position_unknown",
            f"Lane '{lane['name']}' names position {lane['position_code']}, which does not "
            "exist; create it or change the lane.",
            lane["id"],
            lane["name"],
        ).as_dict()
        for lane in lanes
        if lane["position_code"] not in found
    ]
    if problems:
        raise Invalid(
            LANES_UNMAPPED,
            {"problems": problems},
            number=number,
            key=key,
        )
    now = ctx.clock()
    current = repo.published_version(session, key)
    if current is not None:
        current.status = VersionStatus.RETIRED
    version.status = VersionStatus.PUBLISHED
    version.published_at = now
    version.published_by_id = actor.user_id
    session.add(
        Event(
            type="sop_version_published",
            occurred_at=now,
            actor_id=actor.user_id,
            sop_version_id=version.id,
            payload={"sop": key, "version": number, "retired": current.number if current else None},
        )
    )
    return version


@dataclass(frozen=True)
class LoadResult:
    file: str
    key: str | None
    version: int | None
    # "published", "unchanged", "kept" (a newer version came from elsewhere), "draft" (lanes
    # unmapped) or "refused"
    outcome: str
    problems: tuple[dict, ...] = ()
    note: str = ""


def load_processes(ctx: Context, directory: Path, force: bool = False) -> list[LoadResult]:
    """Publish every ``*.bpmn`` in ``directory`` whose content is new; one transaction per file.

    A file is published only when its content is not already a version of its SOP and the SOP's
    newest version came from this same file: a newer version uploaded by a person (API,
    modeler) is kept, unless ``force``. A valid file whose lanes name positions that do not
    exist yet is stored as a draft; loading again after the positions exist publishes it.
    """
    results = []
    for path in sorted(directory.glob("*.bpmn")):
        data = path.read_bytes()
        try:
            definition = load_sop(data, ctx.engine_options)
        except BpmnRejected as exc:
            problems = tuple(p.as_dict() for p in exc.problems)
            results.append(LoadResult(path.name, None, None, "refused", problems))
            continue
        with ctx.transaction() as session:
            results.append(_load_file(session, ctx, path.name, definition, data, force))
    return results


def _load_file(
    session: Session, ctx: Context, name: str, definition: SopDefinition, data: bytes, force: bool
) -> LoadResult:
    sop = repo.sop_by_key(session, definition.key)
    latest = repo.latest_version(session, sop.id) if sop else None
    if latest is not None and latest.bpmn_sha256 == definition.bpmn_sha256:
        version = latest
    else:
        if latest is not None and not force:
            older = repo.version_by_sha256(session, latest.sop_id, definition.bpmn_sha256)
            if older is not None or latest.source_file != name:
                note = _kept(session, latest, name)
                return LoadResult(name, definition.key, latest.number, "kept", note=note)
        version = _store_version(session, ctx, SYSTEM, definition, data, source_file=name)
    if version.status == VersionStatus.PUBLISHED:
        return LoadResult(name, definition.key, version.number, "unchanged")
    try:
        with session.begin_nested():
            _publish(session, ctx, SYSTEM, definition.key, version.number)
    except Invalid as exc:
        # Kept as a draft: an administrator creates the positions, then loads again.
        problems = tuple((exc.details or {}).get("problems", ()))
        return LoadResult(name, definition.key, version.number, "draft", problems)
    return LoadResult(name, definition.key, version.number, "published")


def _kept(session: Session, latest: SopVersion, name: str) -> str:
    """Why the file was not published: the SOP's newest version is not this file's."""
    uploader = session.get(User, latest.created_by_id) if latest.created_by_id else None
    if latest.source_file:
        origin = f"loaded from {latest.source_file}"
    elif uploader is not None:
        origin = f"uploaded by {uploader.username}"
    else:
        origin = "uploaded through the API or the modeler"
    if latest.status == VersionStatus.PUBLISHED and latest.published_at is not None:
        when = f"published on {latest.published_at:%Y-%m-%d %H:%M}"
    else:
        when = f"a {latest.status.value} since {latest.created_at:%Y-%m-%d %H:%M}"
    return (
        f"kept v{latest.number}, {origin}, {when}; the file {name} differs: "
        "use --force to publish it as a new version"
    )


def list_sops(ctx: Context, actor: Actor) -> list[Sop]:
    with ctx.transaction() as session:
        return repo.list_sops(session)


def get_sop(ctx: Context, actor: Actor, key: str) -> Sop:
    with ctx.transaction() as session:
        sop = repo.sop_by_key(session, key)
        if sop is None:
            raise NotFound(SOP_NOT_FOUND, key=key)
        _ = sop.versions
        return sop


def get_version(ctx: Context, actor: Actor, key: str, number: int | None = None) -> SopVersion:
    """A version by number, or the published one when ``number`` is None."""
    with ctx.transaction() as session:
        version = (
            repo.published_version(session, key)
            if number is None
            else repo.version(session, key, number)
        )
        if version is None:
            if number is None:
                raise NotFound(NOT_PUBLISHED, key=key)
            raise NotFound(VERSION_NOT_FOUND, key=key, number=number)
        return version


def get_version_bpmn(ctx: Context, actor: Actor, key: str, number: int) -> str:
    """The BPMN of a version exactly as it was uploaded."""
    with ctx.transaction() as session:
        version = repo.version(session, key, number)
        if version is None:
            raise NotFound(VERSION_NOT_FOUND, key=key, number=number)
        return version.bpmn_xml
