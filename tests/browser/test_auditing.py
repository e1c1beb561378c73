"""Auditing in the browser: which model is audited, the overview chart (tooltip, legend, clicks that open a
topic), error focus, chart clicks that find a comment, keyword search (with its own error focus)."""

from __future__ import annotations

import re
import time
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from tests.browser.auditor import new_user_with_model, open_app, train_model
from tests.browser.conftest import INJECTED_COMMENT

pytestmark = pytest.mark.browser

# Models record when they were last updated to the second.
MODEL_TIME_RESOLUTION_SECONDS = 1.05
ERROR_TYPE_COLUMN = 3  # Comment, your predicted decision, system decision, error type, ...


def chart_marks(page: Page, chart_label: str, link_kind: str):
    """The clickable squares of a chart, each with an aria-label ending in its `href`."""
    return page.locator(f"figure[aria-label='{chart_label}'] path[aria-label*='/#{link_kind}']")


def link_target(mark, link_kind: str) -> str:
    return re.search(rf"href: #(.+)/#{link_kind}", mark.get_attribute("aria-label")).group(1)


def focus_on(page: Page, choice: str) -> None:
    """Choose an error focus and wait for the topic's comments of that focus to arrive.

    The table of the previous focus stays on screen while the new one loads: waiting only for the
    table to be idle could pass on it before the new request has even started."""
    radio = page.get_by_role("group", name="What kind of system errors do you want to focus on?").get_by_role(
        "radio", name=choice, exact=True)
    focus = radio.get_attribute("value")
    with page.expect_response(lambda response: "/get_cluster_results" in response.url
                              and f"error_type={quote(focus)}" in response.url):
        radio.check()


def wait_for_table(section) -> None:
    expect(section.locator("[aria-busy='false']")).to_have_count(1)


def wide(mark) -> bool:
    """A bar wide enough to point at (a topic's share of one error type may be zero)."""
    box = mark.bounding_box()
    return box is not None and box["width"] > 4


def test_chart_clicks_open_a_topic_and_find_a_comment_and_error_focus_filters(server, page: Page):
    user = new_user_with_model(server.url)
    open_app(page, server.url, user=user, tab="auditing")
    topic_select = page.get_by_label("What topic would you like to explore further?")
    expect(topic_select).not_to_have_value("")

    topics = chart_marks(page, "Overview of all topics", "topic")
    expect(topics.first).to_be_attached(timeout=15_000)
    other = next(mark for mark in topics.all()
                 if link_target(mark, "topic") != topic_select.input_value() and wide(mark))
    chosen_topic = link_target(other, "topic")
    label = topic_select.locator(f"option[value='{chosen_topic}']").inner_text()
    other.hover()
    tooltip = page.locator("#vg-tooltip-element")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text(label)
    expect(tooltip).to_contain_text("In words")
    expect(page.locator("figure[aria-label='Overview of all topics'] svg").get_by_text(
        "Direction", exact=True)).to_be_visible()  # the legend's title
    other.click()
    expect(topic_select).to_have_value(chosen_topic)
    expect(page.get_by_role("heading", name=f"Topic overview: {label}")).to_be_visible()
    assert "#" not in page.url, "a chart click must not change the page's address"

    focus_on(page, "Show errors and non-errors")
    results = page.locator("section[aria-labelledby='topic-title']")
    wait_for_table(results)
    comment = chart_marks(page, f"Comments of the topic {chosen_topic}", "comment").last
    item_id = link_target(comment, "comment")
    comment.click()
    row = results.locator(f"tr[data-item='{item_id}']")
    expect(row).to_have_class(re.compile("highlight"))
    expect(row).to_be_focused()

    focus_on(page, "System is over-sensitive")
    wait_for_table(results)
    error_types = results.locator(f"tbody tr td:nth-child({ERROR_TYPE_COLUMN + 1})").all_inner_texts()
    empty = results.get_by_text("No comment of this topic matches the chosen focus")
    assert error_types or empty.is_visible()
    assert all(text.strip() == "System may be over-sensitive" for text in error_types)


def test_keyword_search_finds_a_comment_and_shows_its_markup_as_text(server, page: Page):
    user = new_user_with_model(server.url)
    open_app(page, server.url, user=user, tab="auditing")
    page.get_by_label("Your keyword or phrase").fill("ZEBRACORN")
    page.get_by_label("Whole words only").check()
    page.get_by_role("group", name="Which comments containing it do you want to see?").get_by_role(
        "radio", name="Show errors and non-errors", exact=True).check()
    page.get_by_role("button", name="Search").click()
    results = page.locator("table", has=page.locator("caption", has_text="Comments containing ZEBRACORN"))
    expect(results.locator("tbody tr")).to_have_count(1)
    expect(results.locator("td.comment")).to_have_text(INJECTED_COMMENT)
    assert page.locator("img").count() == 0, "the comment's markup must not become an element"

    page.get_by_label("Your keyword or phrase").fill("zebracor")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("No results found for “zebracor”")).to_be_visible()


def test_without_a_model_in_the_link_the_most_recently_trained_model_is_audited(server, page: Page):
    user = new_user_with_model(server.url, model="alpha")
    time.sleep(MODEL_TIME_RESOLUTION_SECONDS)
    train_model(server.url, user, "zeta")  # the most recent, though last by name
    open_app(page, server.url, user=user, tab="auditing")
    model_select = page.get_by_label("Model you audit with")
    expect(model_select).to_have_value("zeta")
    assert model_select.locator("option").all_inner_texts() == ["alpha", "zeta"]
    assert "model=zeta" in page.url
