"""Flagging in the browser, in each of its modes: buttons per option (manual), none (never), every label (auto)."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect

from tests.browser.auditor import (
    comment_rows,
    first_topic_row,
    flag_buttons,
    labeled_item_ids,
    new_user_with_model,
    open_app,
    open_topic_table,
    rate_with_keys,
    reports_panel,
    saved_reports,
    wait_until_saved,
)

pytestmark = pytest.mark.browser

FLAG_NOTICE = "a log kept by the organizers of this audit"


def test_flag_as_an_option_is_logged_and_offered_as_evidence_with_the_predicted_rating(server, page: Page):
    user = new_user_with_model(server.url)
    open_app(page, server.url, user=user, tab="auditing")
    row = first_topic_row(page)
    item_id = int(row.get_attribute("data-item"))
    comment = row.locator("td.comment").inner_text()
    expect(row.get_by_role("button", name="Flag as Offensive")).to_be_visible()
    row.get_by_role("button", name="Flag as Mislabelled").click()
    expect(row.get_by_text("Flagged: Mislabelled")).to_be_visible()
    expect(row.get_by_role("button", name="Flag as Mislabelled")).to_have_count(0)
    expect(row.get_by_role("button", name="Flag as Offensive")).to_be_visible()

    logged = [flag for flag in server.flag_log() if flag["username"] == user]
    assert [(int(flag["item_id"]), flag["flag"]) for flag in logged] == [(item_id, "Mislabelled")]
    assert logged[0]["comment"] == comment
    assert logged[0]["predicted_rating"] != "", "the flag carries the audited model's prediction"

    panel = reports_panel(page)
    suggestion = panel.locator("details", has_text="Suggested evidence").get_by_role("listitem")
    expect(suggestion).to_have_count(1)
    expect(suggestion).to_contain_text(comment)
    expect(suggestion).to_contain_text("Flagged as Mislabelled")
    suggestion.get_by_role("button", name="Add to report").click()
    expect(panel.get_by_text("Evidence (1)")).to_be_visible()
    expect(suggestion.get_by_text("In this report")).to_be_visible()
    wait_until_saved(page)

    topic = page.get_by_label("What topic would you like to explore further?").input_value()
    table_row = comment_rows(server.url, user, "mine", topic)[item_id]
    evidence = saved_reports(server.url, user, "mine")[0]["evidence"]
    assert len(evidence) == 1
    for field in ("item_id", "system_rating", "system_decision", "predicted_rating", "predicted_decision", "error_type"):
        assert evidence[0][field] == table_row[field], field
    expect(panel.get_by_text(f"You (predicted): {table_row['predicted_decision']}")).to_be_visible()


def test_with_flagging_never_no_flag_button_is_shown_and_nothing_is_logged(unflagged_server, page: Page):
    url = unflagged_server.url
    user = new_user_with_model(url)
    open_app(page, url, user=user, tab="labeling")
    expect(page.get_by_role("radiogroup").first).to_be_visible()
    expect(flag_buttons(page)).to_have_count(0)
    expect(page.get_by_text(FLAG_NOTICE)).to_have_count(0)

    page.get_by_role("tab", name="Auditing").click()
    open_topic_table(page)
    expect(flag_buttons(page)).to_have_count(0)

    page.goto(f"{url}/?mode=explore&user={user}")
    expect(page.locator("table.data tbody tr").first).to_be_visible()
    expect(flag_buttons(page)).to_have_count(0)
    assert list(unflagged_server.flagging_dir.glob("*")) == [], "nothing is logged when flagging is off"


def test_in_auto_mode_every_label_is_logged_without_a_flag_button(offline_server, page: Page):
    page.goto(f"{offline_server.url}/?tab=labeling")
    expect(page.get_by_role("radiogroup").first.get_by_role("radio").first).to_be_enabled()
    notice = page.get_by_role("note").filter(has_text=FLAG_NOTICE)
    expect(notice).to_contain_text("Your labels are logged.")
    expect(flag_buttons(page)).to_have_count(0)

    user = re.search(r"[?&]user=([A-Za-z0-9_-]+)", page.url).group(1)
    expect(notice).to_contain_text("saved the moment you give it")
    labeled = labeled_item_ids(page)
    rate_with_keys(page, "01234" * 4)
    # Each label is logged as it is given, with its value, before any model is trained.
    expect(page.get_by_role("button", name="Train model")).to_be_enabled()
    logged = wait_for_rows(offline_server, user, 20)
    assert {int(flag["item_id"]): flag["label"] for flag in logged} == dict(zip(labeled, "01234" * 4))
    assert all(flag["flag"] == "" for flag in logged)
    page.get_by_role("button", name="Train model").click()
    expect(page.get_by_role("heading", name="How well the model knows you")).to_be_visible()
    assert len([flag for flag in offline_server.flag_log() if flag["username"] == user]) == 20
    expect(flag_buttons(page)).to_have_count(0)


def test_a_flag_whose_answer_was_lost_is_logged_once_when_retried(server, page: Page):
    user = new_user_with_model(server.url)
    sent_ids = []

    def lose_the_first_answer(route):
        sent_ids.append(route.request.post_data_json["request_id"])
        if len(sent_ids) == 1:
            route.fetch()  # the server records the flag, but its answer never reaches the page
            route.abort()
        else:
            route.continue_()

    page.route("**/flag", lose_the_first_answer)
    open_app(page, server.url, user=user, tab="auditing")
    row = first_topic_row(page)
    row.get_by_role("button", name="Flag as Offensive").click()
    row.get_by_role("button", name="Error: not flagged. Retry").click()
    expect(row.get_by_text("Flagged: Offensive")).to_be_visible()

    assert len(sent_ids) == 2 and sent_ids[0] == sent_ids[1]
    assert [flag["flag"] for flag in server.flag_log() if flag["username"] == user] == ["Offensive"]


def wait_for_rows(server, user: str, count: int, timeout: float = 10.0) -> list[dict]:
    """The user's rows of the flag log once there are ``count`` (the labels are logged as they are given)."""
    deadline = time.monotonic() + timeout
    while True:
        logged = [flag for flag in server.flag_log() if flag["username"] == user]
        if len(logged) >= count or time.monotonic() > deadline:
            return logged
        time.sleep(0.1)
