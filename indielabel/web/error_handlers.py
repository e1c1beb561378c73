"""Every error as our JSON: what each exception means for the person who sent the request."""

from __future__ import annotations

import errno
import logging

from flask import Flask
from werkzeug.exceptions import HTTPException

from indielabel.data.dataset import DatasetError, DatasetMissing
from indielabel.errors import (AuditError, ConflictError, ForbiddenError, NotFoundError, RateLimitedError,
                               UnauthorizedError, UnavailableError)
from indielabel.storage.names import InvalidName
from indielabel.storage.store import NotFound, StoreBusy, StoreError
from indielabel.web.request_handling import RequestError, error_response

STATUS = {NotFoundError: 404, ConflictError: 409, ForbiddenError: 403, UnavailableError: 503,
          UnauthorizedError: 401, RateLimitedError: 429}
logger = logging.getLogger("indielabel")
# What a failed write means for the person whose data it was, by the operating system's error.
STORAGE_PROBLEMS = {errno.EACCES: "is not writable", errno.EPERM: "is not writable", errno.EROFS: "is read-only",
                    errno.ENOSPC: "is full", errno.EDQUOT: "is over its quota", errno.EFBIG: "refused a file that large"}
NO_DATASET_MESSAGE = ("no dataset has been prepared for this server yet: the organizer can make the default one "
                      "with `make run` (or `python -m indielabel generate`) or import one with "
                      "`python -m indielabel import`, then reload this page")


def register(app: Flask) -> None:
    @app.errorhandler(RequestError)
    def request_error(error: RequestError):
        return error_response(400, "invalid_input", error.message, error.field)

    @app.errorhandler(InvalidName)
    def invalid_name(error: InvalidName):
        return error_response(400, "invalid_name", str(error), error.field)

    @app.errorhandler(AuditError)
    def audit_error(error: AuditError):
        response = error_response(STATUS.get(type(error), 400), error.code, error.message, error.field,
                                  **error.detail)
        if "retry_after_seconds" in error.detail:
            response.headers["Retry-After"] = str(error.detail["retry_after_seconds"])
        return response

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

    @app.errorhandler(OSError)
    def storage_failed(error: OSError):
        problem = STORAGE_PROBLEMS.get(error.errno)
        if problem is None:
            return unexpected(error)
        logger.error("storage failed: %s", error)
        return error_response(503, "storage_unwritable", f"the server could not save this: its storage {problem} "
                              f"({error.strerror}); nothing was saved, so send it again later. The organizers "
                              "have been told.")

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
