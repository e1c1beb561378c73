"""Labeling in the browser: a new model by keyboard, fetching more, editing a model, topic tuning, a group model."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import numpy as np
import pytest
from playwright.sync_api import Page, expect

from indielabel.data import dataset as datasets
from tests.browser.auditor import labeled_item_ids, new_user_with_model, open_app, rate_with_keys

pytestmark = pytest.mark.browser


def to_label_query(url: str) -> tuple[dict[str, str], set[int]]:
    """A request for comments to label: its parameters, and the item ids it excludes."""
    query = dict(parse_qsl(urlsplit(url).query))
    return query, {int(item_id) for item_id in query.get("exclude", "").split(",") if item_id}


def test_new_user_labels_twenty_comments_with_the_keyboard_and_trains(server, page: Page):
    to_label_requests: list[tuple[dict[str, str], set[int]]] = []

    def remember_to_label_request(request) -> None:
        if "/get_comments_to_label?" in request.url:
            to_label_requests.append(to_label_query(request.url))

    page.on("request", remember_to_label_request)
    page.goto(f"{server.url}/?tab=labeling")
    first_choice = page.get_by_role("radiogroup").first.get_by_role("radio").first
    expect(first_choice).to_be_enabled()
    usable_ms = page.evaluate("performance.now()")
    print(f"\nlabeling table usable {usable_ms:.0f} ms after navigation started")

    user = re.search(r"[?&]user=([A-Za-z0-9_-]+)", page.url).group(1)
    expect(page.get_by_text("Rated 0 of 20 comments")).to_be_visible()
    rate_with_keys(page, "01234" * 4)
    expect(page.get_by_text("Rated 20 of 20 comments")).to_be_visible()
    groups = page.get_by_role("radiogroup")
    expect(groups.nth(0).get_by_role("radio", name="0: Not-at-all toxic (Keep)")).to_be_checked()
    expect(groups.nth(3).get_by_role("radio", name="3: Very toxic (Delete)")).to_be_checked()

    page.keyboard.press("ArrowUp")  # back from the last comment to the one before it
    page.keyboard.press("u")
    expect(groups.nth(18).get_by_role("radio", name="Unsure (Skip)")).to_be_checked()
    expect(page.get_by_text("Rated 19 of 21 comments · 1 unsure (skipped)")).to_be_visible()
    page.get_by_role("button", name="Fetch 5 more comments to label").click()
    expect(page.get_by_text("Rated 19 of 26 comments · 1 unsure (skipped)")).to_be_visible()
    shown = labeled_item_ids(page)
    assert len(set(shown)) == 26
    # The first batch, the unsure comment's replacement, Fetch more: each excludes every comment shown before it.
    assert [(query["n"], excluded) for query, excluded in to_label_requests] == [
        ("20", set()), ("1", set(shown[:20])), ("5", set(shown[:21]))]
    # Each names the user, so the adaptive sampler can start from their self-description.
    assert {query.get("user") for query, _ in to_label_requests} == {user}

    page.get_by_label("Name your personalized model").fill("keyboard_model")
    page.get_by_role("button", name="Train model").click()
    expect(page.get_by_role("heading", name="How well the model knows you")).to_be_visible()
    expect(page.get_by_text("Trained on 19 of your labels; 1 marked unsure were skipped")).to_be_visible()
    expect(page.get_by_role("heading", name="How far the system is from you")).to_be_visible()
    expect(page.locator("figure[aria-label^='How well the model knows you'] svg")).to_be_visible()
    assert f"user={user}" in page.url and "model=keyboard_model" in page.url

    page.get_by_role("button", name="Audit the system with “keyboard_model”").click()
    expect(page.get_by_label("Model you audit with")).to_have_value("keyboard_model")
    expect(page.locator("#panel-auditing figure[aria-label='Overview of all topics'] svg")).to_be_visible()


def test_editing_a_model_prefills_its_labels_and_retrains_a_new_version(server, page: Page):
    user = new_user_with_model(server.url, model="editable")
    open_app(page, server.url, user=user, tab="labeling", label_mode=1)
    expect(page.get_by_role("heading", name="Edit an existing model")).to_be_visible()
    expect(page.get_by_label("Select your personalized model")).to_have_value("editable")
    groups = page.get_by_role("radiogroup")
    expect(groups).to_have_count(20)
    expect(page.locator("[role=radiogroup] input:checked")).to_have_count(20)
    expect(page.get_by_text("(version 1)")).to_be_visible()

    rate_with_keys(page, "4")
    expect(groups.first.get_by_role("radio", name="4: Extremely toxic (Delete)")).to_be_checked()
    page.get_by_role("button", name="Retrain model").click()
    expect(page.get_by_text("(version 2)")).to_be_visible()
    expect(page.get_by_text("Trained on 20 of your labels")).to_be_visible()
    expect(page.locator("figure[aria-label^='How well the model knows you'] svg")).to_be_visible()


def test_topic_tuning_saves_a_tuned_model_that_becomes_the_audited_one(server, page: Page):
    user = new_user_with_model(server.url, model="base")
    open_app(page, server.url, user=user, tab="labeling", label_mode=2)
    expect(page.get_by_role("heading", name="Tune your model on one topic")).to_be_visible()
    topic_select = page.get_by_label("In what topic area would you like to tune your model?")
    topic = topic_select.locator("option").nth(1).get_attribute("value")
    topic_select.select_option(topic)
    expect(page.get_by_role("heading", name=f"Comments about {topic}")).to_be_visible()
    rate_with_keys(page, "0123401234")
    page.get_by_role("button", name="Tune model").click()
    success = page.get_by_role("status").filter(has_text="is tuned and saved as")
    expect(success).to_be_visible()
    tuned = success.inner_text().split("saved as “")[1].split("”")[0]
    assert tuned.startswith("base_topic")
    assert f"model={tuned}" in page.url
    page.get_by_role("tab", name="Auditing").click()
    expect(page.get_by_label("Model you audit with")).to_have_value(tuned)


def test_a_group_model_shows_the_live_group_size_and_trains(server, page: Page):
    user = new_user_with_model(server.url)
    open_app(page, server.url, user=user, tab="labeling", label_mode=3)
    expect(page.get_by_role("heading", name="Build a model from a group of raters")).to_be_visible()
    size = page.locator("p.group-size strong")
    expect(size).to_have_text(re.compile(r"^\d+$"))
    everyone = int(size.inner_text())

    first_group = page.get_by_role("group").filter(has=page.get_by_role("checkbox")).first
    first_group.get_by_role("checkbox").first.check()
    expect(size).not_to_have_text(str(everyone))
    assert 0 < int(size.inner_text()) < everyone

    page.get_by_label("Name the group model").fill("my_group")
    page.get_by_role("button", name="Train group-based model").click()
    expect(page.get_by_role("heading", name="Your model: my_group (version 1)")).to_be_visible()
    assert "model=my_group" in page.url


def shown_score_bins(browser_dataset_dir, item_ids: list[int]) -> list[int]:
    items = datasets.load(browser_dataset_dir).items.set_index("item_id")
    system_rating = items.loc[item_ids, "rating_sys"].to_numpy()
    return np.bincount(np.digitize(system_rating, [0.5, 1.5, 2.5, 3.5]), minlength=5).tolist()


@pytest.mark.parametrize("link,sampler", [("", "adaptive"), ("&sampler=stratified", "stratified")])
def test_the_labeling_page_picks_comments_by_the_sampler_of_its_link(server, page: Page, browser_dataset_dir,
                                                                     link, sampler):
    with page.expect_response(lambda response: "/get_comments_to_label?" in response.url) as answer:
        page.goto(f"{server.url}/?tab=labeling{link}")
    query, _ = to_label_query(answer.value.url)
    assert query.get("sampler") == (sampler if link else None)
    assert answer.value.json()["sampler"] == sampler
    expect(page.get_by_role("radiogroup")).to_have_count(20)
    bins = shown_score_bins(browser_dataset_dir, labeled_item_ids(page))
    if sampler == "stratified":
        assert bins == [2, 4, 8, 4, 2]
    else:  # a calibration comment per bin, then clear cases at both ends in every batch of 5
        assert bins[0] >= 4 and bins[4] >= 4 and min(bins) >= 1, bins
