"""The Explore page, the study links' URL parameters and user ids that cannot be used, in the browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.auditor import new_user_with_model, open_app, reports_panel

pytestmark = pytest.mark.browser

PROMPT_TITLE = "Are there terms used in your community that the system wrongly flags as toxic?"


def system_ratings(page: Page) -> list[float]:
    texts = page.locator("table.data tbody tr td:nth-child(2) .number").all_inner_texts()
    return [float(text.split()[-1]) for text in texts]


def test_explore_shows_a_sortable_sample_and_gets_another(server, page: Page):
    page.goto(f"{server.url}/?mode=explore")
    expect(page.get_by_role("heading", name="Explore the system")).to_be_visible()
    rows = page.locator("table.data tbody tr")
    expect(rows).to_have_count(10)  # the first page of 20
    expect(page.get_by_text("1–10 of 20")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Our prediction of your decision")).to_have_count(0)

    header = page.get_by_role("columnheader", name="System decision")
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    descending = system_ratings(page)
    assert descending == sorted(descending, reverse=True)
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    assert system_ratings(page) == sorted(system_ratings(page))

    first_sample = rows.locator("td.comment").all_inner_texts()
    page.get_by_role("button", name="Get another sample of examples").click()
    expect(rows.locator("td.comment").first).not_to_have_text(first_sample[0])
    assert rows.locator("td.comment").all_inner_texts() != first_sample


def test_study_link_without_a_model_audits_the_system_alone(server, page: Page):
    user = new_user_with_model(server.url)
    open_app(page, server.url, user=user, tab="auditing", mode="no_model")
    expect(page.get_by_role("heading", name="Topic exploration")).to_be_visible()
    expect(page.get_by_label("Model you audit with")).to_have_count(0)
    expect(page.get_by_role("group", name="What kind of system errors do you want to focus on?")).to_have_count(0)
    results = page.locator("section[aria-labelledby='topic-title']")
    expect(results.locator("tbody tr").first).to_be_visible()
    expect(results.get_by_role("columnheader", name="Our prediction of your decision")).to_have_count(0)
    expect(results.get_by_role("columnheader", name="System decision")).to_be_visible()
    expect(results.locator("figure svg").get_by_text("System toxicity rating", exact=True)).to_be_visible()


def test_study_link_scaffold_and_topic_vis_method_shape_the_reports_and_overview(server, page: Page):
    user = new_user_with_model(server.url)
    audit_requests: list[str] = []
    page.on("request", lambda request: "/get_audit?" in request.url and audit_requests.append(request.url))
    open_app(page, server.url, user=user, tab="auditing", scaffold="prompts", topic_vis_method="mean")
    reports = reports_panel(page).get_by_role("list", name="Your reports").get_by_role("listitem")
    expect(reports).to_have_count(5)
    expect(reports.first).to_contain_text(PROMPT_TITLE)
    expect(page.locator("figure[aria-label='Overview of all topics'] svg")).to_be_visible()
    assert audit_requests and all("topic_vis_method=mean" in url for url in audit_requests)
    page.get_by_text("How to read this chart").first.click()
    expect(page.get_by_text("(the mean over the topic)")).to_be_visible()


def test_a_new_user_gets_an_id_in_the_address_and_is_asked_to_train_first(server, page: Page):
    open_app(page, server.url, tab="auditing")
    user = re.search(r"[?&]user=([A-Za-z0-9_-]+)", page.url).group(1)
    expect(page.get_by_text("Please first train your personalized model")).to_be_visible()
    page.reload()
    expect(reports_panel(page).get_by_text(f"User {user}")).to_be_visible()
    page.get_by_role("button", name="Go to Labeling").click()
    expect(page.get_by_role("heading", name="Create a new model")).to_be_visible()
    assert "tab=labeling" in page.url and "label_mode=0" in page.url


def test_an_unusable_user_id_in_a_link_is_explained_and_a_new_one_offered(server, page: Page):
    page.goto(f"{server.url}/?user=not%20a%20name!&tab=about")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("IndieLabel could not start.")
    alert.get_by_role("button", name="Start as a new user").click()
    expect(page.get_by_role("heading", name="About IndieLabel")).to_be_visible()
    assert re.search(r"[?&]user=[A-Za-z0-9_]+", page.url)


def test_someone_elses_user_id_in_a_link_is_explained_and_a_new_one_offered(server, page: Page):
    owner = new_user_with_model(server.url)
    page.goto(f"{server.url}/?user={owner}&tab=about")  # this browser does not hold the owner's cookie
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(f"This browser cannot open the audit “{owner}”.")
    expect(alert).to_contain_text("Another browser started it")
    expect(alert.get_by_role("button", name="Retry")).to_have_count(0)
    alert.get_by_role("button", name="Start as a new user").click()
    expect(page.get_by_role("heading", name="About IndieLabel")).to_be_visible()
    new_user = re.search(r"[?&]user=([A-Za-z0-9_]+)", page.url).group(1)
    assert new_user != owner
    expect(page.get_by_role("alert")).to_have_count(0)


def test_a_user_id_taken_over_by_another_browser_mid_audit_offers_a_new_one(server, page: Page):
    owner = new_user_with_model(server.url)
    open_app(page, server.url, user=owner, tab="about")
    page.context.clear_cookies()  # as when the organizers hand this user to another browser
    page.get_by_role("tab", name="Auditing").click()
    alert = page.get_by_role("alert").filter(has_text="This browser cannot open the audit")
    expect(alert).to_be_visible()
    alert.get_by_role("button", name="Start as a new user").click()
    expect(page.get_by_text("Please first train your personalized model")).to_be_visible()
    assert re.search(r"[?&]user=([A-Za-z0-9_]+)", page.url).group(1) != owner
    expect(page.get_by_role("alert")).to_have_count(0)
