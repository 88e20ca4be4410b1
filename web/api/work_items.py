"""/api/work-items: the officer's inbox and the verbs on one step."""

from flask.views import MethodView

from web.api import schemas
from web.api.auth import context, current_actor, require_token
from web.api.json_body import Blueprint
from web.api.pages import envelope, page_request
from web.usecases.runtime import work_items

blp = Blueprint(
    "work_items", __name__, url_prefix="/api/work-items", description="Steps waiting for people."
)
blp.before_request(require_token)
WorkItemPage = schemas.page_schema(schemas.WorkItemSchema, "WorkItemPage")


@blp.route("")
class Inbox(MethodView):
    @blp.arguments(schemas.InboxArgs, location="query")
    @blp.response(200, WorkItemPage)
    def get(self, args):
        """My inbox: steps claimed by me, then open steps of my positions; overdue first.

        ``overdue=true`` keeps only the steps past their due time.
        """
        page = work_items.inbox(
            context(), current_actor(), page_request(args), args.get("sop"), args["overdue"]
        )
        return envelope(page)


@blp.route("/<int:item_id>")
class WorkItemDetail(MethodView):
    @blp.response(200, schemas.WorkItemDetailSchema)
    def get(self, item_id):
        """A step with its request, its mutu baku and its form fields."""
        return work_items.get_work_item(context(), current_actor(), item_id)


@blp.route("/<int:item_id>/claim")
class WorkItemClaim(MethodView):
    @blp.response(200, schemas.WorkItemSchema)
    def post(self, item_id):
        """Claim a step of one of your positions."""
        return work_items.claim(context(), current_actor(), item_id)


@blp.route("/<int:item_id>/unclaim")
class WorkItemUnclaim(MethodView):
    @blp.response(200, schemas.WorkItemSchema)
    def post(self, item_id):
        """Give a claimed step back to its position's inbox."""
        return work_items.unclaim(context(), current_actor(), item_id)


@blp.route("/<int:item_id>/complete")
class WorkItemComplete(MethodView):
    @blp.arguments(schemas.CompleteArgs)
    @blp.response(200, schemas.WorkItemSchema)
    def post(self, args, item_id):
        """Complete a step with its form data; 409 if someone completed it first."""
        return work_items.complete(
            context(), current_actor(), item_id, args["data"], args.get("comment")
        )
