"""/api/event-log: an SOP's event log as XES or CSV, for process-mining tools."""

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from web.api.auth import context, current_actor, require_token
from web.headers import download
from web.usecases.dashboard import event_log

blp = Blueprint(
    "event_log",
    __name__,
    url_prefix="/api/event-log",
    description="Event logs (XES, CSV) of SOPs for process mining.",
)
blp.before_request(require_token)


class EventLogArgs(ma.Schema):
    sop = fields.String(required=True, validate=validate.Length(min=1, max=100))
    start = fields.Date(
        required=True,
        data_key="from",
        metadata={"description": "First day (YYYY-MM-DD), in the organization's time zone."},
    )
    end = fields.Date(
        required=True,
        data_key="to",
        metadata={"description": "The day after the last one (YYYY-MM-DD): [from, to)."},
    )
    format = fields.String(
        load_default=event_log.LogFormat.XES.value,
        validate=validate.OneOf([f.value for f in event_log.LogFormat]),
    )
    version = fields.Integer(
        load_default=None, validate=validate.Range(min=1), metadata={"description": "One version"}
    )

    @ma.validates_schema
    def _period(self, data, **_):
        if "start" in data and "end" in data and data["start"] > data["end"]:
            raise ma.ValidationError("'to' must not be before 'from'.", "to")


@blp.route("")
class EventLog(MethodView):
    @blp.arguments(EventLogArgs, location="query")
    @blp.response(200, content_type="application/xml")
    @blp.alt_response(200, content_type="text/csv", description="With format=csv.")
    def get(self, args):
        """Steps of an SOP that became ready in [from, to), one lifecycle event per change.

        Managers get the requests they may open, each whole; analysts and admins all.
        """
        log = event_log.export_event_log(
            context(),
            current_actor(),
            args["sop"],
            args["start"],
            args["end"],
            event_log.LogFormat(args["format"]),
            args["version"],
        )
        return download(log.chunks, log.filename, log.media_type)
