"""Input and storage faults that used to end in a 500: each is now a JSON 4xx or 503 that loses nothing."""

from __future__ import annotations

import io
import resource
from contextlib import contextmanager

import pytest

from indielabel.flagging.loggers import dataset_files
from server import create_app

MAX_BODY = 10_000


@pytest.fixture(scope="module")
def flag_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("hardening_flags")


@pytest.fixture(scope="module")
def client(small_dataset_dir, small_base_model, tmp_path_factory, flag_dir):
    root = tmp_path_factory.mktemp("hardening")
    return create_app({"dataset": str(small_dataset_dir), "output_dir": root / "output", "data_dir": root / "data",
                       "flagging_dir": flag_dir, "max_request_bytes": MAX_BODY}).test_client()


@pytest.fixture(scope="module")
def item_ids(client):
    return [row["item_id"] for row in client.get("/get_comments_to_label?n=2").get_json()["to_label"]]


@pytest.fixture(scope="module")
def item_id(item_ids):
    return item_ids[0]


def error_of(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    return response.get_json()["error"]


@contextmanager
def files_limited_to(size: int):
    """No file of this process may grow past ``size`` bytes: a write beyond fails (EFBIG) part way."""
    previous = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, previous[1]))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, previous)


def flag_log_bytes(flag_dir) -> bytes:
    return b"".join(path.read_bytes() for path in dataset_files(flag_dir))


@pytest.mark.parametrize("depth", [1_000, (MAX_BODY - 100) // 2])
def test_json_nested_thousands_deep_is_a_400(client, depth):
    document = '{"user": "deep", "item_id": 1, "option": ' + "[" * depth + "]" * depth + "}"
    error = error_of(client.post("/flag", data=document, content_type="application/json"), 400)
    assert error["message"] == "the request body is nested too deeply"


def test_a_chunked_body_over_the_limit_is_a_413(client):
    oversized = io.BytesIO(b'{"user": "' + b"x" * (MAX_BODY * 2) + b'"}')
    response = client.post("/flag", input_stream=oversized, content_type="application/json",
                           environ_overrides={"wsgi.input_terminated": True})
    assert error_of(response, 413)["code"] == "request_entity_too_large"


def test_an_exclude_list_with_a_huge_number_is_a_400(client):
    error = error_of(client.get("/get_comments_to_label", query_string={"exclude": "1," + "9" * 4400}), 400)
    assert error["field"] == "exclude"


def test_a_flag_the_storage_refuses_is_a_503_that_leaves_no_partial_row(client, item_ids, flag_dir):
    user = "storage_full_user"
    assert client.post("/flag", json={"user": user, "item_id": item_ids[0]}).status_code == 200
    before = flag_log_bytes(flag_dir)
    with files_limited_to(len(before) + 20):
        error = error_of(client.post("/flag", json={"user": user, "item_id": item_ids[1], "request_id": "retry-me-1"}),
                         503)
    assert error["code"] == "storage_unwritable"
    assert "nothing was saved" in error["message"]
    assert flag_log_bytes(flag_dir) == before


def test_a_retried_flag_is_logged_once_and_answered_the_same(client, item_ids, flag_dir):
    item_id, other_item_id = item_ids
    user = "retrying_user"
    first = client.post("/flag", json={"user": user, "item_id": item_id, "request_id": "same-request-7"})
    logged = flag_log_bytes(flag_dir)
    again = client.post("/flag", json={"user": user, "item_id": item_id, "request_id": "same-request-7"})
    assert first.status_code == again.status_code == 200
    assert again.get_json()["total"] == first.get_json()["total"]
    assert flag_log_bytes(flag_dir) == logged
    other = client.post("/flag", json={"user": user, "item_id": other_item_id, "request_id": "other-request-8"})
    assert other.get_json()["total"] == first.get_json()["total"] + 1
