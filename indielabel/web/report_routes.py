"""Report routes: load, save, submit to AVID and export a user's audit reports."""

from __future__ import annotations

from flask import Flask, Response, jsonify

from indielabel.audit import reporting as audit_reports
from indielabel.avid.convert import Credit
from indielabel.web import schemas
from indielabel.web.request_handling import body, limit_rate, query, require_owner

SAVES_LIMIT = "saves"


def register(app: Flask, service) -> None:
    @app.get("/get_reports")
    def get_reports():
        params = query(schemas.ReportsQuery)
        require_owner(params.user)
        return jsonify(audit_reports.load(service(), params.user, params.model, params.scaffold_method))

    @app.post("/save_reports")
    def save_reports():
        params = body(schemas.SaveReportsBody)
        require_owner(params.user)
        limit_rate(SAVES_LIMIT, params.user, "saves from one user")
        return jsonify(audit_reports.save(service(), params.user, params.model, params.revision, params.reports))

    @app.post("/submit_avid_report")
    def submit_avid_report():
        params = body(schemas.SubmitBody)
        require_owner(params.user)
        credit = Credit(params.name, params.email, params.publish_email)
        return jsonify(audit_reports.submit(service(), params.user, params.report_ids, credit))

    @app.get("/export_avid_reports")
    def export_avid_reports():
        params = query(schemas.AuditQuery)
        require_owner(params.user)
        response = Response(audit_reports.export(service(), params.user),
                            content_type="application/x-ndjson")
        response.headers["Content-Disposition"] = f'attachment; filename="avid-reports-{params.user}.jsonl"'
        return response
