"""Requests (permohonan): start one on an SOP's published version, read, list and cancel them."""

import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from engine.applicant import APPLICANT_FIELDS
from engine.errors import EngineError, FormInvalid
from engine.forms import clean_form
from engine.runtime import Execution
from storage.models import Event, Instance, InstanceStatus, Role, VersionStatus, WorkItem
from storage.repositories import organization as org_repo
from storage.repositories import runtime as repo
from storage.repositories import sops as sop_repo
from web.usecases.context import Actor, Context
from web.usecases.errors import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    Phrase,
    form_invalid,
    message,
)
from web.usecases.pagination import Page, PageRequest, paginate
from web.usecases.runtime.holding import INSTANCE_NOT_FOUND, hold_instance
from web.usecases.runtime.progress import process_of, put_back, record, restore, save_progress
from web.usecases.scope import require_instance_visible, visible_requests

DATA_NOT_OBJECT = message("request_data_not_object", "The request data must be a JSON object.")
DATA_KEYS_INVALID = message(
    "request_data_keys_invalid", "Data keys must be lowercase identifiers (letters, digits, '_')."
)
DATA_TOO_LARGE = message("request_data_too_large", "The request data is larger than {limit} KB.")
SOP_NOT_STARTABLE = message(
    "sop_not_published", "SOP {key} does not exist or has no published version."
)
MAY_NOT_START = message(
    "sop_start_forbidden", "You perform no step of {key}, so you may not start it."
)
START_FAILED = message("request_start_failed", "The request could not start: {reason}")
CANCEL_REASON_MISSING = message(
    "cancel_reason_missing", "Give a reason for cancelling the request."
)
ALREADY_ENDED = message("instance_already_ended", "Request {reference} is already {status}.")

MAX_DATA_BYTES = 64 * 1024
_DATA_KEY = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


@dataclass(frozen=True)
class InstanceView:
    instance: Instance
    work_items: list[WorkItem]
    events: list[Event]
    data: dict[str, Any]


def _check_start_data(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise Invalid(DATA_NOT_OBJECT)
    bad = [k for k in data if not isinstance(k, str) or not _DATA_KEY.match(k)]
    if bad:
        raise Invalid(
            DATA_KEYS_INVALID,
            {"keys": [str(k) for k in bad]},
        )
    if len(json.dumps(data)) > MAX_DATA_BYTES:
        raise Invalid(DATA_TOO_LARGE, limit=MAX_DATA_BYTES // 1024)
    return {**data, **check_applicant(data)}


def check_applicant(data: dict[str, Any]) -> dict[str, Any]:
    """The applicant's data in ``data`` (name, NIK, phone, …) checked and cleaned.

    :raises Invalid: ``details["field_errors"]`` maps each wrong field to its error code.
    """
    try:
        return clean_form(APPLICANT_FIELDS, data, others_allowed=True)
    except FormInvalid as exc:
        raise form_invalid(exc) from None


@dataclass(frozen=True)
class StartableSop:
    key: str
    name: str
    version: int


def _lane_codes(lanes: list[dict]) -> set[str]:
    return {lane["position_code"] for lane in lanes if lane.get("position_code")}


def _held_codes(session: Session, actor: Actor, codes: set[str]) -> set[str]:
    """Those of ``codes`` that name a position the actor holds."""
    positions = org_repo.positions_by_codes(session, codes)
    return {code for code, position in positions.items() if position.id in actor.position_ids}


def _may_start(actor: Actor, lanes: list[dict], held_codes: set[str]) -> bool:
    """Managers and admins start any SOP; others only one in which they perform a step."""
    if actor.has_role(Role.ADMIN, Role.MANAGER):
        return True
    return bool(_lane_codes(lanes) & held_codes)


def startable_sops(ctx: Context, actor: Actor) -> list[StartableSop]:
    """Published SOPs the actor may start a request on, by name."""
    with ctx.transaction() as session:
        rows = sop_repo.lanes_of_current_versions(session)
        held = _held_codes(
            session, actor, {c for *_, lanes in rows for c in _lane_codes(lanes or [])}
        )
        found = [
            StartableSop(key, name, number)
            for key, name, number, status, lanes in rows
            if status == VersionStatus.PUBLISHED and _may_start(actor, lanes or [], held)
        ]
    return sorted(found, key=lambda sop: (sop.name, sop.key))


def start_instance(ctx: Context, actor: Actor, sop_key: str, data: Any) -> Instance:
    """Start a request on the published version of ``sop_key`` and open its first steps.

    :raises NotFound: no such SOP, or it has no published version.
    :raises Forbidden: the actor performs no step of this SOP (and is not a manager or admin).
    :raises Invalid: the data is not an object, or the applicant's data breaks its rules.
    """
    data = _check_start_data(data)
    with ctx.transaction() as session:
        version = sop_repo.published_version(session, sop_key)
        if version is None:
            raise NotFound(SOP_NOT_STARTABLE, key=sop_key)
        lanes = version.sop_metadata["lanes"]
        if not _may_start(actor, lanes, _held_codes(session, actor, _lane_codes(lanes))):
            raise Forbidden(MAY_NOT_START, key=sop_key)
        process = process_of(version, ctx.engine_options.allow_script_tasks)
        now = ctx.clock()
        try:
            execution = Execution.start(process, data, ctx.clock)
        except EngineError as exc:
            raise Invalid(START_FAILED, reason=str(exc)) from None
        number = repo.next_reference_number(session, version.sop_id, now.year)
        state, serializer_version = execution.dump()
        instance = Instance(
            reference=f"{version.sop.reference_prefix}-{now.year}-{number:05d}",
            sop_version_id=version.id,
            sop_id=version.sop_id,
            status=InstanceStatus.RUNNING,
            data=data,
            state=state,
            serializer_version=serializer_version,
            started_at=now,
            started_by_id=actor.user_id,
        )
        instance.sop_version = version
        session.add(instance)
        session.flush()
        record(
            session,
            ctx,
            actor,
            "instance_started",
            instance=instance,
            sop=sop_key,
            version=version.number,
            reference=instance.reference,
        )
        save_progress(session, ctx, actor, instance, execution)
        return instance


def _visible_instance(session: Session, actor: Actor, instance_id: int) -> Instance:
    instance = repo.instance(session, instance_id)
    if instance is None:
        raise NotFound(INSTANCE_NOT_FOUND, id=instance_id)
    require_instance_visible(session, actor, instance)
    return instance


def get_instance(ctx: Context, actor: Actor, instance_id: int) -> InstanceView:
    """A request with its work items, its history and its data so far."""
    with ctx.transaction() as session:
        instance = _visible_instance(session, actor, instance_id)
        execution = restore(ctx, instance)
        data = execution.data
        # Only read: hand it back, so the next completion needs no deserialization.
        put_back(instance, execution)
        return InstanceView(
            instance,
            repo.work_items_of(session, instance.id),
            repo.events_of(session, instance.id),
            data,
        )


def list_instances(
    ctx: Context,
    actor: Actor,
    request: PageRequest,
    sop_key: str | None = None,
    status: InstanceStatus | None = None,
    overdue: bool = False,
    reference: str | None = None,
) -> Page:
    """Requests the actor may see, newest first.

    With ``overdue``, only running requests past their own due time (see web.usecases.runtime.sla);
    with ``reference``, those whose reference starts with it.
    """
    with ctx.transaction() as session:
        query = repo.instances_query(
            sop_key,
            status,
            visible_requests(session, actor),
            overdue_at=ctx.clock() if overdue else None,
            reference=(reference or "").strip()[:60] or None,
        )
        return paginate(session, query, request)


def cancel_instance(ctx: Context, actor: Actor, instance_id: int, reason: str) -> Instance:
    """Stop a running request: its open steps are withdrawn and nothing more happens to it."""
    actor.require_role(Role.MANAGER, Role.ADMIN, action="cancel requests")
    if not reason or not reason.strip():
        raise Invalid(CANCEL_REASON_MISSING)
    with ctx.transaction() as session:
        instance = hold_instance(session, instance_id)
        require_instance_visible(session, actor, instance)
        if instance.status != InstanceStatus.RUNNING:
            raise Conflict(
                ALREADY_ENDED, reference=instance.reference, status=Phrase(instance.status.value)
            )
        execution = restore(ctx, instance)
        execution.cancel()
        instance.status = InstanceStatus.CANCELLED
        instance.ended_at = ctx.clock()
        save_progress(session, ctx, actor, instance, execution)
        instance.next_wake_at = None
        record(session, ctx, actor, "instance_cancelled", instance=instance, reason=reason.strip())
        return instance
