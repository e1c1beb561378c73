"""The reports panel in the browser: evidence, autosave, reload, delete and undo, merging edits from two
tabs (asking only for the same field), AVID submission (read-only afterwards, amend), the download."""

from __future__ import annotations

import json

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.browser import auditor
from tests.browser.auditor import (
    first_topic_row,
    new_user_with_model,
    open_app,
    reports_panel,
    save_complete_report,
    wait_until_saved,
)

pytestmark = pytest.mark.browser


def test_evidence_and_a_report_autosave_and_are_there_after_a_reload(server, page: Page):
    user = new_user_with_model(server.url)
    open_app(page, server.url, user=user, tab="auditing")
    first_row = first_topic_row(page)
    comment = first_row.locator("td.comment").inner_text()
    first_row.get_by_role("button", name="Add as evidence").click()
    expect(first_row.get_by_role("button", name="In report · Remove")).to_be_visible()

    panel = reports_panel(page)
    expect(panel.get_by_text("Evidence (1)")).to_be_visible()
    expect(panel.get_by_text(comment)).to_be_visible()
    panel.get_by_label("Title").fill("Friendly swearing is deleted")
    panel.get_by_role("group", name="Error type").get_by_role("radio", name="System is over-sensitive").check()
    panel.get_by_label("Summary: my current hunch is that…").fill("the system reads every swear word as an insult.")
    panel.get_by_label("Audit category").select_option("Toxicity")
    expect(panel.get_by_text("Complete: ready to send to AVID.")).to_be_visible()
    wait_until_saved(page)

    page.reload()
    panel = reports_panel(page)
    panel.get_by_role("button", name="Friendly swearing is deleted").click()
    expect(panel.get_by_label("Title")).to_have_value("Friendly swearing is deleted")
    expect(panel.get_by_label("Summary: my current hunch is that…")).to_have_value(
        "the system reads every swear word as an insult.")
    expect(panel.get_by_label("Audit category")).to_have_value("Toxicity")
    expect(panel.get_by_role("radio", name="System is over-sensitive")).to_be_checked()
    expect(panel.get_by_text(comment)).to_be_visible()


def test_a_new_report_can_be_deleted_and_brought_back_with_undo(server, page: Page):
    open_app(page, server.url, tab="about")
    panel = reports_panel(page)
    items = panel.get_by_role("list", name="Your reports").get_by_role("listitem")
    expect(items).to_have_count(1)
    panel.get_by_role("button", name="New report").click()
    panel.get_by_label("Title").fill("To be deleted")
    expect(items).to_have_count(2)
    panel.get_by_role("button", name="Delete this report").click()
    expect(items).to_have_count(1)
    expect(panel.get_by_text("Report “To be deleted” deleted.")).to_be_visible()
    panel.get_by_role("button", name="Undo").click()
    expect(items).to_have_count(2)
    expect(panel.get_by_label("Title")).to_have_value("To be deleted")
    wait_until_saved(page)
    page.reload()
    expect(reports_panel(page).get_by_role("button", name="To be deleted")).to_be_visible()


def test_a_report_written_before_any_model_is_still_in_the_list_after_training(server, page: Page):
    open_app(page, server.url, tab="about")
    panel = reports_panel(page)
    user = panel.locator("code").first.inner_text()
    panel.get_by_label("Title").fill("Written before any model")
    wait_until_saved(page)
    session = requests.Session()
    for cookie in page.context.cookies():
        session.cookies.set(cookie["name"], cookie["value"])
    auditor._sessions[user] = session
    auditor.train_model(server.url, user, "first")

    open_app(page, server.url, user=user, model="first")
    panel = reports_panel(page)
    expect(panel.get_by_text("model first", exact=False).first).to_be_visible()
    report = panel.get_by_role("button", name="Written before any model")
    expect(report).to_be_visible()
    expect(report).to_contain_text("before any model")
    panel.get_by_role("button", name="New report").click()
    panel.get_by_label("Title").fill("Written with the first model")
    wait_until_saved(page)
    page.reload()
    items = reports_panel(page).get_by_role("list", name="Your reports")
    expect(items.get_by_role("button", name="Written before any model")).to_be_visible()
    expect(items.get_by_role("button", name="Written with the first model")).to_contain_text("model first v1")


def test_two_tabs_editing_different_reports_both_keep_their_edits(server, page: Page):
    user = new_user_with_model(server.url)
    open_app(page, server.url, user=user, tab="about")
    panel = reports_panel(page)
    panel.get_by_role("button", name="New report").click()
    panel.get_by_label("Title").fill("First report")
    panel.get_by_role("button", name="New report").click()
    panel.get_by_label("Title").fill("Second report")
    wait_until_saved(page)
    other_tab = page.context.new_page()
    open_app(other_tab, server.url, user=user, tab="about")
    other = reports_panel(other_tab)

    other.get_by_role("button", name="First report").click()
    other.get_by_label("Summary: my current hunch is that…").fill("Written in the other tab.")
    wait_until_saved(other_tab)
    panel.get_by_role("button", name="Second report").click()
    panel.get_by_label("Summary: my current hunch is that…").fill("Written in this tab.")
    wait_until_saved(page)

    expect(page.get_by_role("dialog")).to_be_hidden()
    page.reload()
    panel = reports_panel(page)
    panel.get_by_role("button", name="First report").click()
    expect(panel.get_by_label("Summary: my current hunch is that…")).to_have_value("Written in the other tab.")
    panel.get_by_role("button", name="Second report").click()
    expect(panel.get_by_label("Summary: my current hunch is that…")).to_have_value("Written in this tab.")
    other_tab.close()


@pytest.mark.parametrize("width, height", [(1024, 768), (390, 844)])
def test_the_same_field_edited_in_two_tabs_asks_with_both_texts_in_a_dialog_that_fits(
        server, page: Page, width, height):
    page.set_viewport_size({"width": width, "height": height})
    user = new_user_with_model(server.url)
    open_app(page, server.url, user=user)
    reports_panel(page).get_by_label("Title").fill("Loaded by both tabs")
    wait_until_saved(page)
    other_tab = page.context.new_page()
    other_tab.set_viewport_size({"width": width, "height": height})
    open_app(other_tab, server.url, user=user)
    expect(reports_panel(other_tab).get_by_label("Title")).to_have_value("Loaded by both tabs")

    reports_panel(page).get_by_label("Title").fill("Saved first, in this tab")
    wait_until_saved(page)
    reports_panel(other_tab).get_by_label("Title").fill("Written later, in the other tab")
    dialog = other_tab.get_by_role("dialog", name="A report was changed in two places")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("region", name="Saved elsewhere")).to_contain_text("Saved first, in this tab")
    expect(dialog.get_by_role("region", name="On this page")).to_contain_text("Written later, in the other tab")
    box = dialog.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width and box["y"] + box["height"] <= height
    dialog.get_by_role("region", name="On this page").get_by_role("button", name="Keep this one").click()
    expect(dialog).to_be_hidden()
    wait_until_saved(other_tab)

    page.reload()
    expect(reports_panel(page).get_by_role("button", name="Written later, in the other tab")).to_be_visible()
    other_tab.close()


def test_a_submitted_report_is_read_only_with_its_status_and_can_be_amended(server, page: Page):
    user = new_user_with_model(server.url)
    save_complete_report(server.url, user, "mine", "Banter is flagged")
    received_before = len(server.avid.received)
    open_app(page, server.url, user=user, model="mine")
    panel = reports_panel(page)
    expect(panel.get_by_text("Complete", exact=True)).to_be_visible()
    panel.get_by_role("button", name="Send reports to AVID").click()

    dialog = page.get_by_role("dialog", name="Send audit reports to AVID")
    dialog.get_by_role("checkbox", name="Banter is flagged").check()
    dialog.get_by_label("(Optional) Name").fill("Ada Auditor")
    dialog.get_by_label("(Optional) Contact email").fill("ada@example.org")
    expect(dialog.get_by_text("AVID will publish as credit: Ada Auditor")).to_be_visible()
    dialog.get_by_role("button", name="Submit 1 report to AVID").click()
    expect(dialog.get_by_text("Banter is flagged: Sent to AVID on")).to_be_visible()
    assert len(server.avid.received) == received_before + 1
    assert server.avid.issued_ids[-1] in dialog.inner_text()
    assert server.avid.received[-1]["credit"] == [{"lang": "eng", "value": "Ada Auditor"}]

    dialog.get_by_role("button", name="Close").click()
    expect(panel.get_by_role("list", name="Your reports").get_by_text("Sent to AVID")).to_be_visible()
    expect(panel.get_by_role("status").get_by_text(f"as submission {server.avid.issued_ids[-1]}")).to_be_visible()
    expect(panel.get_by_label("Title")).to_be_disabled()
    expect(panel.get_by_label("Summary: my current hunch is that…")).to_be_disabled()
    expect(panel.get_by_role("button", name="Delete this report")).to_be_hidden()
    expect(panel.get_by_text("Complete: ready to send to AVID.")).to_be_hidden()

    panel.get_by_role("button", name="Amend").click()
    expect(panel.get_by_text("Amends “Banter is flagged”.")).to_be_visible()
    expect(panel.get_by_label("Title")).to_be_enabled()
    panel.get_by_label("Summary: my current hunch is that…").fill("The system deletes banter between friends.")
    wait_until_saved(page)
    items = panel.get_by_role("list", name="Your reports").get_by_role("listitem")
    expect(items).to_have_count(2)
    assert len(server.avid.received) == received_before + 1


def test_without_avid_the_reports_are_offered_as_a_download(offline_server, page: Page):
    user = new_user_with_model(offline_server.url)
    save_complete_report(offline_server.url, user, "mine", "Downloadable report")
    open_app(page, offline_server.url, user=user, model="mine")
    reports_panel(page).get_by_role("button", name="Send reports to AVID").click()
    dialog = page.get_by_role("dialog", name="Send audit reports to AVID")
    expect(dialog.get_by_text("These reports are about synthetic comments")).to_be_visible()
    with page.expect_download() as download_info:
        dialog.get_by_role("button", name="Download reports as AVID JSON lines").click()
    lines = open(download_info.value.path(), encoding="utf-8").read().splitlines()
    assert len(lines) == 1
    exported = json.loads(lines[0])
    assert exported["problemtype"]["description"]["value"] == "Downloadable report"
    assert exported["description"]["value"].startswith("SYNTHETIC DATA")
