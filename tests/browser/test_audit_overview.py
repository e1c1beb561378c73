"""The audit overview in the browser: a fresh model's problems are marked, every topic_vis_method draws its own
chart, similar comments from a row, counts that say what they count, and a selected report opens its topic and
error type. Screenshots at phone and laptop sizes go to test-artifacts/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.auditor import _sessions, first_topic_row, new_user_with_model, open_app, reports_panel
from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

OVERVIEW = "figure[aria-label='Overview of all topics']"
METHODS = ("fp_fn", "fp_proportion", "fn_proportion", "mae", "mse", "avg_diff", "median", "mean")
CLEAR_SHARE = 0.2  # a topic where the system's decision differs from yours on a fifth of the comments


def api(url: str, user: str, path: str, **params) -> dict:
    response = _sessions[user].get(f"{url}{path}", params={"user": user, "model": "mine", **params}, timeout=30)
    response.raise_for_status()
    return response.json()


def x_axis_title(page: Page) -> str:
    titles = page.locator(f"{OVERVIEW} svg .role-axis-title text")
    expect(titles.first).to_be_visible()
    return " | ".join(titles.all_text_contents())


def test_a_fresh_models_overview_marks_the_topics_with_clear_disagreement_as_problems(server, page: Page):
    user = new_user_with_model(server.url)
    topics = api(server.url, user, "/get_audit")["topics"]
    clear = [topic for topic in topics if topic["error_share"] >= CLEAR_SHARE]
    assert clear, "a model trained on 20 spread labels disagrees clearly somewhere"
    problems = [topic for topic in topics if topic["status"] == "problem"]
    open_app(page, server.url, user=user, tab="auditing")
    expect(page.get_by_test_id("overview-finding")).to_contain_text(
        f"The system may be failing you on {len(problems)} of {len(topics)} topics.")
    expect(page.get_by_test_id("overview-finding")).to_contain_text("fewer than 5%")
    listed = page.get_by_role("list", name="Where the system fails you most").get_by_role("listitem")
    expect(listed).to_have_count(min(5, len(problems)))
    for position, topic in enumerate(problems[:5]):
        expect(listed.nth(position)).to_contain_text(topic["label"])
        expect(listed.nth(position)).to_contain_text(topic["summary"])
    chart = page.locator(f"{OVERVIEW} svg")
    for topic in clear:
        figure = f"{round(topic['error_share'] * 100)}% · {topic['n_errors']} of {topic['n_comments']}"
        expect(chart.get_by_text(figure, exact=True).first).to_be_attached()
        assert "agrees" not in figure
    listed.first.get_by_role("button").click()
    expect(page.get_by_label("What topic would you like to explore further?")).to_have_value(problems[0]["key"])


def test_every_topic_vis_method_draws_a_different_chart(server, page: Page):
    user = new_user_with_model(server.url)
    open_app(page, server.url, user=user, tab="auditing")
    chooser = page.get_by_label("What the chart shows")
    titles = {}
    for method in METHODS:
        previous = set(titles.values())
        chooser.select_option(method)
        expect(page).to_have_url(re.compile(f"topic_vis_method={method}"))
        page.wait_for_function(
            "([selector, seen]) => { const t = [...document.querySelectorAll(selector)].map(e => e.textContent)"
            ".join(' | '); return t && !seen.includes(t); }",
            arg=[f"{OVERVIEW} svg .role-axis-title text", list(previous)])
        titles[method] = x_axis_title(page)
    assert len(set(titles.values())) == len(METHODS), titles
    assert "Our prediction of your rating (median" in titles["median"]
    assert "(MAE)" in titles["mae"] and "(MSE)" in titles["mse"]


def test_similar_comments_are_found_from_a_table_row(server, page: Page):
    user = new_user_with_model(server.url)
    open_app(page, server.url, user=user, tab="auditing")
    row = first_topic_row(page)
    item_id = row.get_attribute("data-item")
    comment = row.locator("td.comment").inner_text()
    row.get_by_role("button", name="Find similar").click()
    similar = page.locator("section[aria-labelledby='similar-title']")
    expect(similar.get_by_role("heading", name="Comments similar to one you found")).to_be_visible()
    expect(similar.locator("blockquote")).to_have_text(comment)
    table = similar.locator("table")
    # The first search builds the content index (once per dataset), which may take a few seconds.
    expect(table.locator("caption")).to_have_text(f"Comments similar to comment {item_id}", timeout=30_000)
    expect(table.locator("tbody tr").first).to_be_visible()
    expected = api(server.url, user, "/get_similar_comments", item_id=item_id)["similar_comments"]
    shown = [int(value) for value in table.locator("tbody tr").evaluate_all("rows => rows.map(r => r.dataset.item)")]
    assert shown == [entry["item_id"] for entry in expected][:len(shown)]
    assert int(item_id) not in shown
    expect(table.locator("tbody tr").first.get_by_role("button", name="Add as evidence")).to_be_visible()


def test_counts_say_how_many_of_the_matching_comments_the_focus_keeps(server, page: Page):
    user = new_user_with_model(server.url)
    open_app(page, server.url, user=user, tab="auditing")
    # The report selected on load opens its topic with its error type; "Both" then counts every possible error.
    # Chosen before that has happened, "Both" would be replaced by the report's error type.
    page.wait_for_load_state("networkidle")
    page.get_by_role("group", name="What kind of system errors do you want to focus on?").get_by_role(
        "radio", name="Both", exact=True).check()
    page.wait_for_load_state("networkidle")
    topic = page.get_by_label("What topic would you like to explore further?").input_value()
    focused = api(server.url, user, "/get_cluster_results", topic=topic, error_type="both")
    assert focused["n_total"], "the selected report's topic has possible errors"
    expect(page.get_by_test_id("topic-counts")).to_contain_text(
        f"{focused['n_total']} of {focused['n_matching']} comments where the system may be wrong.")

    word = "the"
    keyword = api(server.url, user, "/get_cluster_results", search_type="keyword", keyword=word, error_type="both")
    page.get_by_label("Your keyword or phrase").fill(word)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_test_id("keyword-counts")).to_contain_text(
        f"{keyword['n_total']} of the {keyword['n_matching']} comments containing “{word}” are possible errors.")
    page.get_by_role("group", name="Which comments containing it do you want to see?").get_by_role(
        "radio", name="Show errors and non-errors", exact=True).check()
    expect(page.get_by_test_id("keyword-counts")).to_contain_text(
        f"{keyword['n_matching']} comments contain “{word}”.")


def test_a_selected_report_opens_its_topic_and_error_type(server, page: Page):
    user = new_user_with_model(server.url)
    open_app(page, server.url, user=user, tab="auditing", scaffold="personal")
    labels = api(server.url, user, "/audit_settings")["topic_labels"]
    topic_of = {label: topic for topic, label in labels.items()}
    reports = reports_panel(page).get_by_role("list", name="Your reports").get_by_role("button")
    expect(reports.first).to_be_visible()
    topic_select = page.get_by_label("What topic would you like to explore further?")
    focus = page.get_by_role("group", name="What kind of system errors do you want to focus on?")
    for index in (0, reports.count() - 1):
        reports.nth(index).click()
        title = reports.nth(index).locator(".title").inner_text()
        meta = reports.nth(index).locator(".meta").inner_text()
        expect(topic_select).to_have_value(topic_of[title.removeprefix("Topic: ")])
        error_type = "System is under-sensitive" if "under-sensitive" in meta else "System is over-sensitive"
        expect(focus.get_by_role("radio", name=error_type, exact=True)).to_be_checked()


@pytest.mark.parametrize("width,height", [(390, 844), (1280, 800)])
def test_the_overview_at_phone_and_laptop_sizes(server, page: Page, width: int, height: int):
    user = new_user_with_model(server.url)
    page.set_viewport_size({"width": width, "height": height})
    open_app(page, server.url, user=user, tab="auditing")
    expect(page.locator(f"{OVERVIEW} svg")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"audit-overview-{width}x{height}.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, "the page scrolls sideways"
