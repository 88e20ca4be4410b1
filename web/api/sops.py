"""/api/sops: the SOP library — list, upload a version, read it, publish it, download its BPMN."""

from flask import request
from flask.views import MethodView

from engine.errors import Problem
from web.api import schemas
from web.api.auth import context, current_actor, require_token
from web.api.json_body import Blueprint
from web.headers import download
from web.usecases.errors import Invalid, Message
from web.usecases.library import sops

blp = Blueprint("sops", __name__, url_prefix="/api/sops", description="The SOP library.")
blp.before_request(require_token)


def _no_bpmn(problem: str, message: Message) -> Invalid:
    return Invalid(message, {"problems": [Problem(problem, message.template).as_dict()]})


def _uploaded_bytes() -> bytes:
    """The BPMN from a multipart field named ``file``, or the raw request body."""
    if request.files:
        upload = request.files.get("file")
        if upload is None:
            raise _no_bpmn("file_missing", sops.BPMN_FILE_MISSING)
        return upload.read()
    data = request.get_data()
    if not data:
        raise _no_bpmn("empty_file", sops.BPMN_MISSING)
    return data


@blp.route("")
class SopList(MethodView):
    @blp.response(200, schemas.SopSchema(many=True))
    def get(self):
        """List SOPs with their versions."""
        return sops.list_sops(context(), current_actor())

    @blp.response(201, schemas.VersionSchema)
    @blp.doc(
        requestBody={
            "content": {
                "application/xml": {"schema": {"type": "string"}},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                        "required": ["file"],
                        "additionalProperties": False,
                    }
                },
            }
        }
    )
    def post(self):
        """Upload a BPMN file as the next draft version of its SOP (the process id is the key).

        Refused files answer 422 with every problem, each naming its element; 413 when the
        file is larger than ALUR_MAX_BPMN_BYTES; 409 when it equals the latest version.
        """
        actor = current_actor()
        return sops.upload_version(context(), actor, _uploaded_bytes())


@blp.route("/<string:key>")
class SopDetail(MethodView):
    @blp.response(200, schemas.VersionSchema)
    def get(self, key):
        """The published version of an SOP with its identity, lanes and activities."""
        return sops.get_version(context(), current_actor(), key)


@blp.route("/<string:key>/versions")
class SopVersions(MethodView):
    @blp.response(200, schemas.SopSchema)
    def get(self, key):
        """An SOP with all of its versions."""
        return sops.get_sop(context(), current_actor(), key)


@blp.route("/<string:key>/versions/<int:number>")
class SopVersionDetail(MethodView):
    @blp.response(200, schemas.VersionSchema)
    def get(self, key, number):
        """One version with its identity, lanes, activities and time standards."""
        return sops.get_version(context(), current_actor(), key, number)


@blp.route("/<string:key>/versions/<int:number>/publish")
class SopVersionPublish(MethodView):
    @blp.response(200, schemas.VersionSchema)
    def post(self, key, number):
        """Publish a version: new requests start on it; the previous one retires."""
        return sops.publish_version(context(), current_actor(), key, number)


@blp.route("/<string:key>/versions/<int:number>/bpmn")
class SopVersionBpmn(MethodView):
    @blp.response(200, content_type="application/xml")
    def get(self, key, number):
        """Download the BPMN of a version as it was uploaded."""
        bpmn = sops.get_version_bpmn(context(), current_actor(), key, number)
        return download(bpmn, f"{key}-v{number}.bpmn", "application/xml")
