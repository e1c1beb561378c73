"""The OpenAPI document at /openapi.json, built from the same pydantic schemas that validate requests."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel

from indielabel.web import organizer_schemas, schemas

JSON_OBJECT = {"application/json": {"schema": {"type": "object"}}}
HTML_PAGE = {"text/html": {"schema": {"type": "string"}}}
CSV_FILE = {"text/csv": {"schema": {"type": "string"}}}
JSON_LINES = {"application/x-ndjson": {"schema": {"type": "string"}}}
FLAG_FILES = {"text/csv": {"schema": {"type": "string"}}, "application/x-ndjson": {"schema": {"type": "string"}}}


@dataclass(frozen=True)
class Route:
    path: str
    method: str
    schema: type[BaseModel] | None
    summary: str
    ok_content: dict = field(default_factory=lambda: JSON_OBJECT)  # the 200 answer's media types


ROUTES = (
    Route("/api/health", "get", None, "Liveness check"),
    Route("/audit_settings", "get", schemas.UserQuery, "A user's models, topics and the app's settings"),
    Route("/get_labeling", "get", schemas.UserQuery, "Models, a model-name suggestion, topics for tuning"),
    Route("/get_comments_to_label", "get", schemas.CommentsToLabelQuery,
          "Comments to label: the most informative about the user (adaptive) or across score bins (stratified)"),
    Route("/get_comments_to_label_topic", "get", schemas.TopicCommentsQuery, "Comments to label in one topic"),
    Route("/get_personalized_model", "post", schemas.TrainBody, "Train a new model version, or view the latest"),
    Route("/get_personalized_model_topic", "post", schemas.TopicTrainBody, "Tune a model on one topic"),
    Route("/get_group_size", "get", schemas.GroupSizeQuery, "How many raters match the given attributes"),
    Route("/get_group_model", "post", schemas.GroupModelBody, "Train a model from a rater group's ratings"),
    Route("/get_audit", "get", schemas.AuditQuery, "All-topics overview chart of a model"),
    Route("/get_cluster_results", "get", schemas.ClusterQuery, "One topic or a keyword: chart and comments"),
    Route("/get_comparison", "get", schemas.ComparisonQuery, "Per topic, your view against others', blind spots"),
    Route("/get_similar_comments", "get", schemas.SimilarQuery, "Comments similar to one comment"),
    Route("/get_reports", "get", schemas.ReportsQuery, "Saved reports, or a scaffold to start from"),
    Route("/save_reports", "post", schemas.SaveReportsBody, "Save reports (409 on a stale revision)"),
    Route("/submit_avid_report", "post", schemas.SubmitBody, "Submit complete reports to AVID"),
    Route("/export_avid_reports", "get", schemas.AuditQuery, "Complete reports as AVID JSON lines (download)",
          JSON_LINES),
    Route("/get_explore_examples", "get", schemas.ExploreQuery, "Random comments with the system's decision"),
    Route("/flag", "post", schemas.FlagBody, "Flag one comment"),
    Route("/get_flags", "get", schemas.UserQuery, "The comments a user flagged"),
    Route("/admin/flags", "get", schemas.FlagExportQuery,
          "Organizers: every flag as CSV or JSON lines (Authorization: Bearer <admin token>)", FLAG_FILES),
    Route("/log_label", "post", schemas.LabelLogBody, "Auto flagging mode: log one label as it is given"),
    Route("/probe", "post", schemas.ProbeBody, "Try a comment you write: the system's and your model's ratings"),
    Route("/get_probes", "get", schemas.UserQuery, "The comments a user tried, newest first"),
    Route("/flag_probe", "post", schemas.ProbeFlagBody, "Flag a comment you tried"),
    Route("/profile_attributes", "get", None, "The attributes and values a user may describe themselves with"),
    Route("/profile", "get", schemas.UserQuery, "A user's optional self-description and the form's choices"),
    Route("/profile", "put", schemas.ProfileBody, "Replace a user's self-description"),
    Route("/profile", "delete", schemas.UserQuery, "Delete a user's self-description"),
    Route("/admin", "get", None, "Organizers: the organizer's page (sign-in form first)", HTML_PAGE),
    Route("/admin.html", "get", None, "Organizers: the same page, by its file name", HTML_PAGE),
    Route("/admin/api/session", "post", organizer_schemas.SignInBody,
          "Organizers: sign in with the organizer token (sets an HttpOnly session cookie)"),
    Route("/admin/api/session", "get", None, "Organizers: whether signed in, and the session's CSRF token"),
    Route("/admin/api/logout", "post", None, "Organizers: end the session (needs the X-CSRF-Token header)"),
    Route("/admin/api/participants", "get", None, "Organizers: every participant's progress"),
    Route("/admin/api/study_links", "post", organizer_schemas.StudyLinksBody,
          "Organizers: create users reserved for one-time study links"),
    Route("/admin/api/findings", "get", organizer_schemas.FindingsQuery,
          "Organizers: per topic, how many auditors the system fails"),
    Route("/admin/api/findings/topic", "get", organizer_schemas.TopicFindingsQuery,
          "Organizers: one topic's failed auditors, reports, evidence and flags"),
    Route("/admin/api/flags", "get", None, "Organizers: flags counted by reason, topic and comment"),
    Route("/admin/api/export/reports", "get", organizer_schemas.ReportExportQuery,
          "Organizers: every report as JSON lines, ours or AVID's format", JSON_LINES),
    Route("/admin/api/export/participants", "get", None, "Organizers: one CSV row per auditor", CSV_FILE),
    Route("/admin/api/export/findings", "get", organizer_schemas.FindingsQuery,
          "Organizers: the findings table as CSV", CSV_FILE),
    Route("/users", "get", None, "The user ids this browser owns, newest first"),
    Route("/users", "post", schemas.NewUserBody, "Start an audit: a new user id, or a study id nobody owns yet"),
)
# Methods whose schema describes query parameters; the others take a JSON body.
QUERY_METHODS = ("get", "delete")

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {
        "type": "object",
        "required": ["code", "message"],
        "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                       "field": {"type": ["string", "null"]}},
    }},
}
ERROR_STATUSES = {"400": "Invalid input", "401": "Sign-in needed", "403": "Not yours", "404": "Not found", "405": "Method not allowed",
                  "409": "Conflict", "413": "Request too large", "503": "Unavailable",
                  "414": "Request line too long", "429": "Too many requests (see Retry-After)",
                  "431": "Request headers too large"}


def _query_parameters(schema: type[BaseModel]) -> list[dict]:
    document = schema.model_json_schema(by_alias=False)
    required = set(document.get("required", []))
    return [{"name": name, "in": "query", "required": name in required, "schema": _strip_titles(prop)}
            for name, prop in document.get("properties", {}).items()]


def _strip_titles(schema: dict) -> dict:
    return {key: value for key, value in schema.items() if key != "title"}


def _responses(ok_content: dict) -> dict:
    error = {"description": "", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    responses = {"200": {"description": "OK", "content": ok_content}}
    for status, description in ERROR_STATUSES.items():
        responses[status] = {**error, "description": description}
    return responses


def document(routes=ROUTES, version: str = "0") -> dict:
    paths: dict[str, dict] = {}
    components: dict[str, dict] = {"Error": ERROR_SCHEMA}
    for route in routes:
        name = route.path.strip("/").replace("/", "_") or "index"
        operation: dict = {"summary": route.summary, "responses": _responses(route.ok_content),
                           "operationId": name if route.method in ("get", "post") else f"{route.method}_{name}"}
        if route.schema is not None and route.method in QUERY_METHODS:
            operation["parameters"] = _query_parameters(route.schema)
        elif route.schema is not None:
            body_schema = route.schema.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(body_schema.pop("$defs", {}))
            components[route.schema.__name__] = body_schema
            operation["requestBody"] = {"required": True, "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{route.schema.__name__}"}}}}
        paths.setdefault(route.path, {})[route.method] = operation
    return {"openapi": "3.1.0", "info": {"title": "IndieLabel", "version": version},
            "paths": paths, "components": {"schemas": components}}
