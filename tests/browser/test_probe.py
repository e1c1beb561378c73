"""Try it yourself in the browser: type a comment, see both ratings, flag it, add it as evidence, and
find it in the report and in the AVID JSON as written by the auditor."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from tests.browser.auditor import new_user_with_model, open_app, reports_panel, save_complete_report, wait_until_saved
from tests.browser.conftest import ARTIFACTS, FLAG_OPTIONS, Server, _serving

PROBE_TEXT = "you absolute legend, that goal was filthy"


@pytest.fixture(scope="module")
def probe_server(browser_dataset_dir, tmp_path_factory):
    """Manual flagging with two reasons, and profanity-check scoring the texts auditors write."""
    with _serving(browser_dataset_dir, tmp_path_factory.mktemp("state-probe"), flagging_mode="manual",
                  flagging_options=json.dumps(FLAG_OPTIONS), live_system="profanity-check") as (url, flagging_dir):
        yield Server(url, flagging_dir)


def try_comment(page: Page, text: str):
    panel = page.get_by_role("region", name="Try it yourself")
    panel.get_by_label("Your comment").fill(text)
    panel.get_by_role("button", name="Try it").click()
    expect(panel.get_by_text(f"“{text}”")).to_be_visible(timeout=60_000)
    return panel


def test_a_written_comment_is_rated_flagged_and_reported_as_written_by_the_auditor(probe_server, page: Page):
    url = probe_server.url
    user = new_user_with_model(url)
    save_complete_report(url, user, "mine", "Banter")
    open_app(page, url, user=user, tab="auditing", model="mine")

    panel = try_comment(page, PROBE_TEXT)
    expect(panel.get_by_text("The system", exact=True)).to_be_visible()
    expect(panel.get_by_text("You (predicted)", exact=True)).to_be_visible()
    expect(panel.get_by_text("rating ")).to_have_count(2)
    for size in ((390, 844), (1280, 800)):
        page.set_viewport_size({"width": size[0], "height": size[1]})
        panel.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"probe-panel-{size[0]}.png"))

    panel.get_by_role("button", name=f"Flag as {FLAG_OPTIONS[0]}").click()
    expect(panel.get_by_text(f"Flagged: {FLAG_OPTIONS[0]}")).to_be_visible()
    logged = [flag for flag in probe_server.flag_log() if flag["username"] == user]
    assert [(flag["comment"], flag["flag"]) for flag in logged] == [(PROBE_TEXT, FLAG_OPTIONS[0])]
    assert logged[0]["item_id"].startswith("probe-") and logged[0]["system_rating"] != ""

    panel.get_by_role("button", name="Add to report as evidence").click()
    expect(panel.get_by_text("In the report, as written by you")).to_be_visible()
    evidence = reports_panel(page).locator("ul.evidence li").filter(has_text=PROBE_TEXT)
    expect(evidence.get_by_text("Written by the auditor (you), not from the dataset")).to_be_visible()
    evidence.screenshot(path=str(ARTIFACTS / "probe-evidence.png"))
    wait_until_saved(page)

    download = page.request.get(f"{url}/export_avid_reports", params={"user": user, "model": "mine"})
    exported = [json.loads(line) for line in download.text().splitlines()]
    results = [row for report in exported for row in report["metrics"][0]["results"]["evidence"]]
    written = [result for result in results if result["comment"] == PROBE_TEXT]
    assert written and written[0]["origin"] == "written by the auditor"
    assert written[0]["item_id"].startswith("probe-")
    assert all("origin" not in result for result in results if result["comment"] != PROBE_TEXT)


def test_the_probe_history_brings_an_earlier_comment_back(probe_server, page: Page):
    url = probe_server.url
    user = new_user_with_model(url)
    open_app(page, url, user=user, tab="auditing", model="mine")
    try_comment(page, "first try at a comment")
    page.reload()
    history = page.get_by_role("region", name="Try it yourself").locator("details.history")
    history.locator("summary").click()
    history.get_by_role("button", name="Show again").click()
    expect(page.get_by_text("“first try at a comment”")).to_be_visible()


def test_explore_leads_to_try_it_yourself(probe_server, page: Page):
    user = new_user_with_model(probe_server.url)
    open_app(page, probe_server.url, user=user, tab="auditing", model="mine")
    page.goto(f"{probe_server.url}/?mode=explore&user={user}")
    page.get_by_role("link", name="Try a comment of your own").click()
    panel = page.get_by_role("region", name="Try it yourself")
    expect(panel).to_be_in_viewport(timeout=30_000)
    expect(page.locator("section[aria-labelledby='topic-title'] table tbody tr").first).to_be_visible()
    expect(panel).to_be_in_viewport()  # still there once the charts and tables below have loaded

