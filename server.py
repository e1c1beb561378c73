"""The Flask app: HTTP in, calls into the audit service, JSON out. Nothing else lives here."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from urllib.parse import urlencode

from flask import Flask, Response, after_this_request, current_app, jsonify, redirect, request, send_from_directory
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import PathConverter

from indielabel import __version__
from indielabel.audit import flags as user_flags
from indielabel.audit import overview as audit_overview
from indielabel.audit import reporting as audit_reports
from indielabel.audit.service import MODEL_NAME_SUGGESTION, AuditService
from indielabel.config import Settings, load_settings
from indielabel.data.dataset import DatasetError, DatasetMissing
from indielabel.errors import AuditError, ConflictError, ForbiddenError, NotFoundError, UnavailableError
from indielabel.flagging import setup as flagging
from indielabel.storage.names import InvalidName
from indielabel.storage.store import NotFound, Store, StoreBusy, StoreError
from indielabel.web import openapi, ownership, schemas
from indielabel.web.security_headers import add_security_headers

PUBLIC_DIR = Path(__file__).parent / "indie_label_svelte" / "public"
STATUS = {NotFoundError: 404, ConflictError: 409, ForbiddenError: 403, UnavailableError: 503}
OWNERS = "indielabel.owners"
EXPORT_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}
logger = logging.getLogger("indielabel")
NO_DATASET_MESSAGE = ("no dataset has been prepared for this server yet: the organizer can make the default one "
                      "with `make run` (or `python -m indielabel generate`) or import one with "
                      "`python -m indielabel import`, then reload this page")


class StaticFileConverter(PathConverter):
    """Only paths that end in a file extension: a GET on a write route must answer 405, not 404."""

    regex = r"[^/].*?\.[A-Za-z0-9]+"


class RequestError(Exception):
    def __init__(self, message: str, field: str | None):
        super().__init__(message)
        self.message, self.field = message, field


def error_response(status: int, code: str, message: str, field: str | None = None, **extra) -> Response:
    response = jsonify({"error": {"code": code, "message": message, "field": field, **extra}})
    response.status_code = status
    return response


def parse(schema: type[BaseModel], values: dict) -> BaseModel:
    try:
        return schema.model_validate(values)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        field = ".".join(str(part) for part in first["loc"]) or None
        raise RequestError(f"{field}: {first['msg']}" if field else first["msg"], field) from None


def query(schema: type[BaseModel]) -> BaseModel:
    return parse(schema, request.args.to_dict())


def body(schema: type[BaseModel]) -> BaseModel:
    document = request.get_json(silent=True)
    if not isinstance(document, dict):
        raise RequestError("the request body must be a JSON object", None)
    return parse(schema, document)


def require_owner(user: str) -> None:
    """403 unless this browser owns ``user``; a user nobody owns yet becomes this browser's."""
    _send_owner_cookie(current_app.extensions[OWNERS].check(user, request.cookies.get(ownership.COOKIE_NAME)))


def _send_owner_cookie(access: ownership.Access) -> None:
    if access.cookie is None:
        return

    @after_this_request
    def set_owner_cookie(response: Response) -> Response:
        response.set_cookie(ownership.COOKIE_NAME, access.cookie, max_age=ownership.COOKIE_MAX_AGE_SECONDS,
                            httponly=True, samesite="Lax", secure=request.is_secure)
        return response


def _open_study_link() -> Response:
    """`/?user=NAME&key=KEY` from `python -m indielabel users create`: the key gives this browser the user."""
    params = query(schemas.ClaimQuery)
    _send_owner_cookie(current_app.extensions[OWNERS].redeem(params.user, params.key,
                                                             request.cookies.get(ownership.COOKIE_NAME)))
    # Without the key, the address kept in the browser's history and bookmarks gives nothing away.
    rest = [(name, value) for name, value in request.args.items(multi=True) if name != "key"]
    return redirect(f"/?{urlencode(rest)}", code=303)


def create_app(config: Settings | dict | None = None, service: AuditService | None = None) -> Flask:
    """Build the app from settings (or overrides of the environment's settings).

    ``service`` is the audit service when the caller has already loaded the data; otherwise it is
    loaded from the settings on first use.
    """
    settings = config if isinstance(config, Settings) else load_settings(config)
    app = Flask(__name__, static_folder=None)
    app.url_map.converters["static_file"] = StaticFileConverter
    app.config["SETTINGS"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    app.secret_key = ownership.app_secret_key(settings)
    app.extensions[OWNERS] = ownership.Owners(Store(settings.user_output_dir), app.secret_key)
    flags = flagging.configure_flagging(settings)
    service_holder: dict[str, AuditService] = {} if service is None else {"service": service}
    service_lock = threading.Lock()

    def audit_service() -> AuditService:
        # Loaded on first use so the health check and static files answer while data loads.
        with service_lock:
            if "service" not in service_holder:
                service_holder["service"] = AuditService.from_settings(settings)
            return service_holder["service"]

    _register_errors(app)
    _register_labeling(app, audit_service, flags)
    _register_auditing(app, audit_service)
    _register_reports(app, audit_service)
    _register_flagging(app, audit_service, flags)
    _register_admin(app, settings)

    @app.after_request
    def security_headers(response: Response) -> Response:
        # Hashed front-end files may be cached; every other answer may be about someone's data.
        add_security_headers(response.headers, private=request.endpoint != "static_file")
        return response

    @app.get("/api/health")
    def health():
        return jsonify(status="ok", version=__version__, dataset=settings.dataset)

    @app.get("/openapi.json")
    def openapi_document():
        return jsonify(openapi.document(openapi.ROUTES, __version__))

    @app.get("/")
    def index():
        if "key" in request.args:
            return _open_study_link()
        return _static("index.html")

    @app.get("/<static_file:path>")
    def static_file(path: str):
        return _static(path)

    return app


def _static(path: str):
    if not (PUBLIC_DIR / "index.html").is_file():
        return error_response(503, "no_front_end", "the front end is not built; run `make frontend`")
    return send_from_directory(PUBLIC_DIR, path)


def _register_labeling(app: Flask, service, flags) -> None:
    @app.get("/audit_settings")
    def audit_settings():
        params = query(schemas.SettingsQuery)
        audit = service()
        user, created = params.user, params.user is None
        user = audit.new_user_id() if created else user
        require_owner(user)
        return jsonify(user=user, created=created,
                       personalized_models=audit.models_of(user), models=audit.model_summaries(user),
                       personalized_model_grp=audit.models_of(user, kind="group"),
                       clusters=audit.topic_groups(user), clusters_for_tuning=audit.tuning_topics(),
                       topic_labels=audit.topic_labels, breakdown_axes=audit_overview.breakdown_axes(audit),
                       group_attributes=audit.group_attributes(), flagging=user_flags.describe(flags),
                       avid_enabled=audit.settings.avid_enabled,
                       dataset={"name": audit.data.name, "n_items": len(audit.data.items),
                                "synthetic": audit.data.meta.get("source") == "synthetic"})

    @app.get("/get_labeling")
    def get_labeling():
        params = query(schemas.UserQuery)
        require_owner(params.user)
        audit = service()
        return jsonify(personalized_models=audit.models_of(params.user),
                       model_name_suggestion=MODEL_NAME_SUGGESTION, clusters_for_tuning=audit.tuning_topics())

    @app.get("/get_comments_to_label")
    def get_comments_to_label():
        params = query(schemas.CommentsToLabelQuery)
        return jsonify(to_label=service().comments_to_label(params.n, params.topic, exclude=params.excluded_ids))

    @app.get("/get_comments_to_label_topic")
    def get_comments_to_label_topic():
        params = query(schemas.TopicCommentsQuery)
        return jsonify(to_label=service().comments_to_label(params.n, params.topic, exclude=params.excluded_ids))

    @app.post("/get_personalized_model")
    def get_personalized_model():
        params = body(schemas.TrainBody)
        require_owner(params.user)
        audit = service()
        if params.mode == "view":
            return jsonify(audit.describe(params.user, params.model_name))
        response = audit.train(params.user, params.model_name, params.ratings)
        user_flags.record_labels(audit, flags, params.user, params.model_name, params.ratings)
        return jsonify(response)

    @app.post("/get_personalized_model_topic")
    def get_personalized_model_topic():
        params = body(schemas.TopicTrainBody)
        require_owner(params.user)
        audit = service()
        response = audit.train_topic(params.user, params.model_name, params.topic, params.ratings)
        user_flags.record_labels(audit, flags, params.user, response["new_model_name"], params.ratings)
        return jsonify(success=True, **response)

    @app.get("/get_group_size")
    def get_group_size():
        selection = {name: [v for v in value.split(",") if v] for name, value in request.args.items()}
        return jsonify(group_size=service().group_size({k: v for k, v in selection.items() if v}))

    @app.post("/get_group_model")
    def get_group_model():
        params = body(schemas.GroupModelBody)
        require_owner(params.user)
        return jsonify(service().train_group(params.user, params.model_name, params.selection))


def _register_auditing(app: Flask, service) -> None:
    @app.get("/get_audit")
    def get_audit():
        params = query(schemas.AuditQuery)
        require_owner(params.user)
        return jsonify(audit_overview.overview(service(), params.user, params.model, params.topic_vis_method,
                                               params.breakdown_axis))

    @app.get("/get_comparison")
    def get_comparison():
        params = query(schemas.ComparisonQuery)
        require_owner(params.user)
        return jsonify(audit_overview.comparison(service(), params.user, params.model, params.compare_with))

    @app.get("/get_similar_comments")
    def get_similar_comments():
        params = query(schemas.SimilarQuery)
        require_owner(params.user)
        return jsonify(audit_overview.similar_comments(service(), params.user, params.model, params.item_id,
                                                       params.n))

    @app.get("/get_cluster_results")
    def get_cluster_results():
        params = query(schemas.ClusterQuery)
        require_owner(params.user)
        return jsonify(service().cluster_results(
            params.user, params.model, search_type=params.search_type, topic=params.topic,
            keyword=params.keyword, whole_word=params.whole_word, error_type=params.error_type,
            limit=params.limit))

    @app.get("/get_explore_examples")
    def get_explore_examples():
        params = query(schemas.ExploreQuery)
        return jsonify(examples=service().explore(params.n_examples))


def _register_reports(app: Flask, service) -> None:
    @app.get("/get_reports")
    def get_reports():
        params = query(schemas.ReportsQuery)
        require_owner(params.user)
        return jsonify(audit_reports.load(service(), params.user, params.model, params.scaffold_method))

    @app.post("/save_reports")
    def save_reports():
        params = body(schemas.SaveReportsBody)
        require_owner(params.user)
        return jsonify(audit_reports.save(service(), params.user, params.model, params.revision, params.reports))

    @app.post("/submit_avid_report")
    def submit_avid_report():
        params = body(schemas.SubmitBody)
        require_owner(params.user)
        return jsonify(audit_reports.submit(service(), params.user, params.model, params.report_ids,
                                            params.name, params.email))

    @app.get("/export_avid_reports")
    def export_avid_reports():
        params = query(schemas.AuditQuery)
        require_owner(params.user)
        response = jsonify(audit_reports.export(service(), params.user, params.model))
        response.headers["Content-Disposition"] = f'attachment; filename="avid-reports-{params.user}.json"'
        return response


def _register_flagging(app: Flask, service, flags) -> None:
    @app.post("/flag")
    def flag():
        params = body(schemas.FlagBody)
        require_owner(params.user)
        return jsonify(user_flags.flag_item(service(), flags, params.user, params.model, params.item_id,
                                            params.option))

    @app.get("/get_flags")
    def get_flags():
        params = query(schemas.FlagsQuery)
        require_owner(params.user)
        return jsonify(flags=user_flags.flags_of(service(), flags, params.user, params.model))


def _register_admin(app: Flask, settings: Settings) -> None:
    @app.get("/admin/flags")
    def admin_flags():
        ownership.check_admin(settings.admin_token, request.headers.get("Authorization"))
        params = query(schemas.FlagExportQuery)
        flags = flagging.read_flags(settings.flag_dir) if settings.flag_dir.is_dir() else []
        response = Response(flagging.format_flags(flags, params.format), content_type=EXPORT_TYPES[params.format])
        response.headers["Content-Disposition"] = f'attachment; filename="flags.{params.format}"'
        return response


def _register_errors(app: Flask) -> None:
    @app.errorhandler(RequestError)
    def request_error(error: RequestError):
        return error_response(400, "invalid_input", error.message, error.field)

    @app.errorhandler(InvalidName)
    def invalid_name(error: InvalidName):
        return error_response(400, "invalid_name", str(error), error.field)

    @app.errorhandler(AuditError)
    def audit_error(error: AuditError):
        return error_response(STATUS.get(type(error), 400), error.code, error.message, error.field,
                              **error.detail)

    @app.errorhandler(NotFound)
    def not_found(error: NotFound):
        return error_response(404, "not_found", str(error))

    @app.errorhandler(DatasetError)
    def dataset_unavailable(error: DatasetError):
        logger.error("dataset unavailable: %s", error)
        if isinstance(error, DatasetMissing):
            return error_response(503, "no_dataset", NO_DATASET_MESSAGE)
        return error_response(503, "dataset_unreadable", "the dataset could not be loaded; the organizers "
                              "have been told (see the server's log)")

    @app.errorhandler(StoreBusy)
    def busy(error: StoreBusy):
        return error_response(503, "busy", "the server is busy with your other requests; try again")

    @app.errorhandler(StoreError)
    def unreadable(error: StoreError):
        logger.error("stored data unreadable: %s", error)
        return error_response(503, "storage_error", "your saved data could not be read; the organizers have "
                              "been told (nothing was changed)")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        response = error_response(error.code, error.name.lower().replace(" ", "_"), error.description)
        # Keep the headers HTTP requires with the error, e.g. a 405's Allow listing the route's methods.
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        logger.exception("unexpected error")
        return error_response(500, "internal_error", "something went wrong on the server; it has been logged")
