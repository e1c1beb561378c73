"""The organizer's area at /admin: its page, sign-in, and the JSON and downloads the page shows.

Every route but the page itself and sign-in needs the organizer (``organizer_session``); without an
organizer token configured, all of them answer 404.
"""

from __future__ import annotations

import threading

from flask import Flask, Response, current_app, jsonify, request

from indielabel.organizer.view import OrganizerView
from indielabel.web import organizer_schemas as organizer, organizer_session, study_links
from indielabel.web.organizer_session import CSRF_HEADER, SESSION_COOKIE, SESSION_MAX_AGE_SECONDS, SESSION_PATH
from indielabel.web.request_handling import body, query

CSV_TYPE = "text/csv; charset=utf-8"
JSONL_TYPE = "application/x-ndjson; charset=utf-8"


def register(app: Flask, service, settings, static_page) -> None:
    access = organizer_session.OrganizerAccess(settings.admin_token, app.secret_key)
    app.extensions["indielabel.organizer_access"] = access
    views: dict[str, OrganizerView] = {}
    views_lock = threading.Lock()

    def view() -> OrganizerView:
        with views_lock:
            if "view" not in views:
                views["view"] = OrganizerView(service(), settings)
            return views["view"]

    # The page's file too, which the static route would otherwise serve when the area is off.
    @app.get("/admin")
    @app.get("/admin.html")
    def admin_page():
        access.require_configured()
        return static_page("admin.html")

    @app.post("/admin/api/session")
    def sign_in():
        params = body(organizer.SignInBody)
        session = access.sign_in(params.token)
        response = jsonify(signed_in=True, csrf_token=session.csrf_token)
        response.set_cookie(SESSION_COOKIE, session.cookie, max_age=SESSION_MAX_AGE_SECONDS, path=SESSION_PATH,
                            httponly=True, samesite="Strict", secure=request.is_secure)
        return response

    @app.get("/admin/api/session")
    def session_state():
        return jsonify(signed_in=True, csrf_token=require_organizer())

    @app.post("/admin/api/logout")
    def sign_out():
        require_organizer()
        response = jsonify(signed_in=False)
        response.delete_cookie(SESSION_COOKIE, path=SESSION_PATH, httponly=True, samesite="Strict",
                               secure=request.is_secure)
        return response

    @app.get("/admin/api/participants")
    def participants():
        require_organizer()
        return jsonify(view().participants())

    @app.post("/admin/api/study_links")
    def create_study_links():
        require_organizer()
        params = body(organizer.StudyLinksBody)
        names = params.names or study_links.batch_names(params.prefix, params.count)
        links = study_links.create_links(service().store, request.host_url, names)
        return jsonify(links=links)

    @app.get("/admin/api/findings")
    def findings():
        require_organizer()
        return jsonify(view().findings(query(organizer.FindingsQuery).min_share))

    @app.get("/admin/api/findings/topic")
    def topic_findings():
        require_organizer()
        params = query(organizer.TopicFindingsQuery)
        return jsonify(view().topic(params.topic, params.min_share))

    @app.get("/admin/api/flags")
    def flags():
        require_organizer()
        return jsonify(view().flag_overview())

    @app.get("/admin/api/export/reports")
    def export_reports():
        require_organizer()
        params = query(organizer.ReportExportQuery)
        # Joined before answering, so that an unreadable file is a JSON error rather than a cut-off download.
        lines = "".join(view().report_lines(avid_format=params.format == "avid"))
        return download(Response(lines, content_type=JSONL_TYPE),
                        f"reports-{params.format}.jsonl")

    @app.get("/admin/api/export/participants")
    def export_participants():
        require_organizer()
        return download(Response(view().participants_csv(), content_type=CSV_TYPE), "participants.csv")

    @app.get("/admin/api/export/findings")
    def export_findings():
        require_organizer()
        csv_text = view().findings_csv(query(organizer.FindingsQuery).min_share)
        return download(Response(csv_text, content_type=CSV_TYPE), "findings.csv")


def require_organizer() -> str | None:
    """Let the organizer through (bearer token, or session with CSRF header on writes), or raise."""
    return current_app.extensions["indielabel.organizer_access"].check(
        authorization=request.headers.get("Authorization"), cookie=request.cookies.get(SESSION_COOKIE),
        method=request.method, csrf_header=request.headers.get(CSRF_HEADER))


def download(response: Response, filename: str) -> Response:
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
