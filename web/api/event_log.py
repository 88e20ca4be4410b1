"""/api/event-log: an SOP's event log as XES or CSV, for process-mining tools."""

import marshmallow as ma
from flask.views import MethodView
from marshmallow import fields, validate

from web.api.auth import context, current_actor, require_token
from web.api.fields import Day, Number, Text
from web.api.json_body import Blueprint
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
    sop = Text(required=True, validate=validate.Length(min=1, max=100))
    start = Day(
        required=True,
        data_key="from",
        metadata={"description": "First day (YYYY-MM-DD), in the organization's time zone."},
    )
    end = Day(
        required=True,
        data_key="to",
        metadata={
            "description": "The day after the last one (YYYY-MM-DD): [from, to), after 'from' "
            f"and at most {event_log.MAX_DAYS} days after it."
        },
    )
    format = fields.String(
        load_default=event_log.LogFormat.XES.value,
        validate=validate.OneOf([f.value for f in event_log.LogFormat]),
    )
    version = Number(load_default=None, metadata={"description": "One version"})


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
