"""/api/instances: requests (permohonan) — start, list, read with history, cancel."""

from flask.views import MethodView

from storage.models import InstanceStatus
from web.api import schemas
from web.api.auth import context, current_actor, require_token
from web.api.json_body import Blueprint
from web.api.pages import envelope, page_request
from web.usecases.runtime import instances

blp = Blueprint(
    "instances", __name__, url_prefix="/api/instances", description="Requests moving through SOPs."
)
blp.before_request(require_token)
InstancePage = schemas.page_schema(schemas.InstanceSchema, "InstancePage")


@blp.route("")
class InstanceList(MethodView):
    @blp.arguments(schemas.InstanceListArgs, location="query")
    @blp.response(200, InstancePage)
    def get(self, args):
        """Requests you may see, newest first; filter by SOP key, status and ``overdue``."""
        status = InstanceStatus(args["status"]) if args.get("status") else None
        page = instances.list_instances(
            context(), current_actor(), page_request(args), args.get("sop"), status, args["overdue"]
        )
        return envelope(page)

    @blp.arguments(schemas.StartInstanceArgs)
    @blp.response(201, schemas.InstanceSchema)
    def post(self, args):
        """Start a request on the published version of an SOP, with the applicant's data."""
        return instances.start_instance(context(), current_actor(), args["sop"], args["data"])


@blp.route("/<int:instance_id>")
class InstanceDetail(MethodView):
    @blp.response(200, schemas.InstanceDetailSchema)
    def get(self, instance_id):
        """A request with its work items and the full history of its events."""
        return instances.get_instance(context(), current_actor(), instance_id)


@blp.route("/<int:instance_id>/cancel")
class InstanceCancel(MethodView):
    @blp.arguments(schemas.CancelArgs)
    @blp.response(200, schemas.InstanceSchema)
    def post(self, args, instance_id):
        """Cancel a running request (managers and admins); its open steps are withdrawn."""
        return instances.cancel_instance(context(), current_actor(), instance_id, args["reason"])
