import pytest

from server import create_app
from tests.conftest import create_user


def test_health_answers_ok_without_loading_data(tmp_path):
    app = create_app({"data_dir": tmp_path})
    response = app.test_client().get("/api/health")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"


def test_unknown_route_is_a_json_404(tmp_path):
    response = create_app({"data_dir": tmp_path}).test_client().get("/api/nothing-here")
    assert response.status_code == 404
    assert response.is_json
    assert response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("route", ["/get_explore_examples", "/get_group_size", "/audit_settings?user=someone",
                                   "/get_comments_to_label?n=3&user=someone", "/get_audit?user=someone"])
def test_without_a_dataset_data_routes_answer_503_saying_how_to_make_one(tmp_path, route):
    client = create_app({"data_dir": tmp_path}).test_client()
    create_user(client, user="someone")
    response = client.get(route)
    assert response.status_code == 503
    error = response.get_json()["error"]
    assert error["code"] == "no_dataset"
    assert "python -m indielabel generate" in error["message"]
    assert str(tmp_path) not in error["message"], "server paths stay in the server's log"


def test_a_damaged_dataset_is_a_503_not_a_crash(tmp_path):
    (tmp_path / "default").mkdir()
    (tmp_path / "default" / "dataset.json").write_text("{not json")
    response = create_app({"data_dir": tmp_path}).test_client().get("/get_explore_examples")
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "dataset_unreadable"
