"""Flag routes: a user flags comments and reads their flags back; the organizer downloads the log."""

from __future__ import annotations

from flask import Flask, Response, jsonify

from indielabel.audit import flags as user_flags
from indielabel.config import Settings
from indielabel.flagging import reading as flagging
from indielabel.web import schemas
from indielabel.web.organizer_routes import require_organizer
from indielabel.web.request_handling import body, limit_rate, query, require_owner

FLAGS_LIMIT = "flags"
EXPORT_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}


def register(app: Flask, service, flags) -> None:
    @app.post("/flag")
    def flag():
        params = body(schemas.FlagBody)
        require_owner(params.user)
        limit_rate(FLAGS_LIMIT, params.user, "flags from one user")
        return jsonify(user_flags.flag_item(service(), flags, params.user, params.model, params.item_id,
                                            params.option, params.request_id))

    @app.get("/get_flags")
    def get_flags():
        params = query(schemas.FlagsQuery)
        require_owner(params.user)
        return jsonify(flags=user_flags.flags_of(service(), flags, params.user, params.model))


def register_admin(app: Flask, settings: Settings) -> None:
    @app.get("/admin/flags")
    def admin_flags():
        require_organizer()
        params = query(schemas.FlagExportQuery)
        log = flagging.read_flag_log(settings.flag_dir)
        response = Response(flagging.format_flags(log.flags, params.format), content_type=EXPORT_TYPES[params.format])
        response.headers["Content-Disposition"] = f'attachment; filename="flags.{params.format}"'
        # Records that cannot be read are left in the log untouched; the organizer is told which.
        response.headers["X-Flag-Log-Problems"] = str(len(log.problems))
        if log.problems:
            response.headers["X-Flag-Log-Problem"] = log.problems[0].encode("ascii", "replace").decode()
        return response
