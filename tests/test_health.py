from server import create_app


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
