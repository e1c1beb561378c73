"""A user's optional self-description: kept with their own data, checked, used in training, never in flags."""

from __future__ import annotations

import json

import numpy as np
import pytest

from indielabel import cli
from indielabel.model import label_selection
from indielabel.model.self_description import conditioned_prior
from indielabel.storage import profiles
from indielabel.storage.store import Store, StoreError
from server import create_app
from tests.conftest import create_user

PROFILE = {"religion_important": "Very important", "political_affiliation": "Conservative"}


def test_a_profile_is_written_beside_the_users_own_files_and_read_back(tmp_path):
    store = Store(tmp_path)
    assert profiles.read(store, "ann") is None
    profiles.write(store, "ann", PROFILE)
    assert profiles.read(store, "ann") == PROFILE
    stored = json.loads((tmp_path / "ann" / "profile.json").read_text())
    assert stored["profile"] == PROFILE and stored["updated_at"]
    assert not list((tmp_path / "ann").glob(".*.tmp"))
    assert (tmp_path / "ann" / "user.json").is_file()


def test_rewriting_replaces_and_deleting_forgets_the_profile(tmp_path):
    store = Store(tmp_path)
    profiles.write(store, "ann", PROFILE)
    profiles.write(store, "ann", {"gender": "Female"})
    assert profiles.read(store, "ann") == {"gender": "Female"}
    assert profiles.delete(store, "ann") is True
    assert profiles.read(store, "ann") is None
    assert not (tmp_path / "ann" / "profile.json").exists()
    assert profiles.delete(store, "ann") is False


def test_organizers_read_every_profile_and_only_users_who_gave_one(tmp_path):
    store = Store(tmp_path)
    profiles.write(store, "ann", PROFILE)
    profiles.write(store, "bob", {"gender": "Male"})
    store.ensure_user("cat")
    assert profiles.read_all(store) == {"ann": PROFILE, "bob": {"gender": "Male"}}


def test_the_export_command_prints_every_profile_as_json(tmp_path, monkeypatch, capsys):
    profiles.write(Store(tmp_path), "ann", PROFILE)
    monkeypatch.setenv("INDIELABEL_OUTPUT_DIR", str(tmp_path))
    assert cli.main(["profiles", "export"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out) == {"ann": PROFILE}
    assert "Exported 1 self-descriptions" in captured.err
    (tmp_path / "ann" / "profile.json").write_text("[]")
    assert cli.main(["profiles", "export"]) == 2
    assert "ann/profile.json" in capsys.readouterr().err


@pytest.mark.parametrize("bad", [["gender"], {"gender": 3}, {"gender": ""}, {"gender": "x" * 201}])
def test_a_malformed_profile_is_refused_and_nothing_is_written(tmp_path, bad):
    store = Store(tmp_path)
    with pytest.raises(ValueError, match="profile"):
        profiles.write(store, "ann", bad)
    assert not (tmp_path / "ann" / "profile.json").exists()


def test_a_profile_file_that_is_not_ours_is_a_store_error_naming_it(tmp_path):
    store = Store(tmp_path)
    profiles.write(store, "ann", PROFILE)
    (tmp_path / "ann" / "profile.json").write_text('{"profile": ["x"]}')
    with pytest.raises(StoreError, match="ann/profile.json"):
        profiles.read(store, "ann")


@pytest.fixture(scope="module")
def app(small_dataset_dir, small_base_model, tmp_path_factory):
    root = tmp_path_factory.mktemp("profiles")
    return create_app({"dataset": str(small_dataset_dir), "output_dir": root / "output",
                       "flagging_dir": root / "flagged", "avid_api_url": None, "avid_api_key": None})


@pytest.fixture()
def client(app):
    return app.test_client()


def new_user(client) -> str:
    return create_user(client)


def train(client, user: str, model: str = "mine") -> dict:
    comments = client.get("/get_comments_to_label?n=10").get_json()["to_label"]
    ratings = {str(c["item_id"]): 2 for c in comments}
    response = client.post("/get_personalized_model", json={"user": user, "model_name": model, "ratings": ratings})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_the_form_offers_the_datasets_attributes_and_values(client):
    attributes = client.get("/profile_attributes").get_json()["attributes"]
    assert attributes["religion_important"] == ["Not important", "Not too important", "Somewhat important",
                                                "Very important"]
    assert "Female" in attributes["gender"]


def test_put_get_and_delete_a_profile(client, app):
    user = new_user(client)
    assert client.get("/profile", query_string={"user": user}).get_json()["profile"] is None
    saved = client.put("/profile", json={"user": user, "profile": PROFILE}).get_json()
    assert saved["profile"] == PROFILE and saved["stored_in"] == f"{user}/profile.json"
    assert client.get("/profile", query_string={"user": user}).get_json()["profile"] == PROFILE
    deleted = client.delete("/profile", query_string={"user": user}).get_json()
    assert deleted["deleted"] is True and deleted["profile"] is None
    assert not (app.config["SETTINGS"].user_output_dir / user / "profile.json").exists()


@pytest.mark.parametrize("profile, field", [
    ({"shoe_size": "42"}, "profile"),
    ({"gender": "Robot"}, "profile"),
    ({"gender": ""}, "profile.gender"),
    ({"gender": ["Female"]}, "profile.gender"),
])
def test_a_profile_the_dataset_cannot_use_is_a_400_and_is_not_stored(client, profile, field):
    user = new_user(client)
    response = client.put("/profile", json={"user": user, "profile": profile})
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"]["field"] == field
    assert client.get("/profile", query_string={"user": user}).get_json()["profile"] is None


def test_another_browser_cannot_read_change_or_delete_a_profile(client, app):
    user = new_user(client)
    client.put("/profile", json={"user": user, "profile": PROFILE})
    stranger = app.test_client()
    assert stranger.get("/profile", query_string={"user": user}).status_code == 403
    assert stranger.put("/profile", json={"user": user, "profile": {"gender": "Male"}}).status_code == 403
    assert stranger.delete("/profile", query_string={"user": user}).status_code == 403
    assert client.get("/profile", query_string={"user": user}).get_json()["profile"] == PROFILE


def test_training_folds_in_the_stored_profile_and_records_only_which_attributes(client, app):
    plain, described = new_user(client), new_user(client)
    client.put("/profile", json={"user": described, "profile": PROFILE})
    without, with_profile = train(client, plain), train(client, described)
    assert without["self_described"] == []
    assert with_profile["self_described"] == ["political_affiliation", "religion_important"]
    assert with_profile["system_distance"] != without["system_distance"]
    root = app.config["SETTINGS"].user_output_dir
    metrics = json.loads((root / described / "models" / "mine" / "versions" / "1" / "metrics.json").read_text())
    assert metrics["self_described"] == ["political_affiliation", "religion_important"]
    assert "Very important" not in json.dumps(metrics)
    described_predictions = np.load(root / described / "models" / "mine" / "versions" / "1" / "predictions.npy")
    assert not np.array_equal(described_predictions,
                              np.load(root / plain / "models" / "mine" / "versions" / "1" / "predictions.npy"))


def test_a_group_model_does_not_use_the_users_own_profile(client):
    user = new_user(client)
    client.put("/profile", json={"user": user, "profile": PROFILE})
    body = client.post("/get_group_model", json={"user": user, "model_name": "grp",
                                                 "selection": {"gender": ["Female"]}}).get_json()
    assert body["self_described"] == []


def test_the_profile_is_never_written_into_flags_or_reports(client, app):
    user = new_user(client)
    client.put("/profile", json={"user": user, "profile": {"age_range": "65 or older", "education": "Some college"}})
    trained = train(client, user)
    item = int(next(iter(trained["ratings_prev"])))
    assert client.post("/flag", json={"user": user, "model": "mine", "item_id": item}).status_code == 200
    reports = client.get("/get_reports", query_string={"user": user, "model": "mine"}).get_json()
    settings = app.config["SETTINGS"]
    flagged = "".join(path.read_text(errors="replace") for path in settings.flag_dir.rglob("*") if path.is_file())
    assert str(item) in flagged
    for text in (flagged, json.dumps(reports)):
        assert "age_range" not in text and "65 or older" not in text and "self_described" not in text


def labeling_picks(client, user: str | None = None) -> list[int]:
    query = {"n": 10, "sampler": "adaptive", **({"user": user} if user else {})}
    response = client.get("/get_comments_to_label", query_string=query)
    assert response.status_code == 200, response.get_json()
    return [comment["item_id"] for comment in response.get_json()["to_label"]]


def remaining_variance(base, item_ids: list[int], profile: dict[str, str] | None) -> float:
    """Summed predictive variance over the dataset, under the profile-conditioned prior, after labels of
    ``item_ids``: what the adaptive sampler lowers."""
    prior = conditioned_prior(base.prior_mean, base.prior_penalty, base.profile_levels, base.profile_means, profile)
    free = prior.free
    asked = label_selection.fold_in_design(base.item_factors, base.positions(item_ids), free)
    moment = label_selection.design_moment(base.item_factors)[np.ix_(free, free)]
    return float(np.trace(np.linalg.inv(prior.penalty + asked.T @ asked) @ moment))


def test_the_labeling_page_picks_comments_knowing_the_stored_profile(client, small_base_model):
    plain, described = new_user(client), new_user(client)
    client.put("/profile", json={"user": described, "profile": PROFILE})
    anonymous, for_plain, for_described = labeling_picks(client), labeling_picks(client, plain), labeling_picks(
        client, described)
    assert for_plain == anonymous
    assert for_described != for_plain
    assert (remaining_variance(small_base_model, for_described, PROFILE)
            < remaining_variance(small_base_model, for_plain, PROFILE))


def test_another_browser_cannot_ask_for_comments_picked_by_someone_elses_profile(client, app):
    user = new_user(client)
    client.put("/profile", json={"user": user, "profile": PROFILE})
    stranger = app.test_client()
    assert stranger.get("/get_comments_to_label", query_string={"n": 5, "user": user}).status_code == 403
