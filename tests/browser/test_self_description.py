"""The optional self-description on the labeling page: fill it in, train with it, see it used, delete it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.auditor import rate_with_keys

pytestmark = pytest.mark.browser

PANEL_TITLE = "Tell us about yourself (optional)"


def panel(page: Page):
    return page.get_by_role("region", name=PANEL_TITLE)


def screenshot_at(page: Page, width: int, height: int, name: str) -> None:
    """The page at one screen size, scrolled to the panel's top (below the sticky tab bar), for a person to look at."""
    page.set_viewport_size({"width": width, "height": height})
    panel(page).evaluate("element => { element.scrollIntoView({block: 'start'}); window.scrollBy(0, -60); }")
    page.screenshot(path=str(ARTIFACTS / f"{name}_{width}.png"))


def stored_profile(page: Page, url: str, user: str):
    # page.request carries the page's owner cookie: the API answers this browser only.
    return page.request.get(f"{url}/profile", params={"user": user}).json()["profile"]


def test_a_person_describes_themselves_trains_with_it_and_deletes_it(server, page: Page):
    page.goto(f"{server.url}/?tab=labeling")
    expect(panel(page)).to_be_visible()
    user = re.search(r"[?&]user=([A-Za-z0-9_-]+)", page.url).group(1)
    expect(panel(page)).to_contain_text(f"only with your own audit data on this server ({user}/profile.json)")
    expect(panel(page)).to_contain_text("never put into flags or AVID reports")

    panel(page).get_by_role("button", name="Describe yourself").click()
    panel(page).get_by_label("Importance of religion").select_option("Very important")
    panel(page).get_by_label("Political affiliation").select_option("Conservative")
    expect(panel(page).get_by_label("Gender")).to_have_value("")
    screenshot_at(page, 390, 844, "self_description_form")
    screenshot_at(page, 1280, 800, "self_description_form")
    panel(page).get_by_role("button", name="Save").click()
    expect(panel(page).get_by_role("status")).to_have_text("Saved. Models you train from now on start from it.")
    expect(panel(page).locator("dd")).to_have_text(["Conservative", "Very important"])
    assert stored_profile(page, server.url, user) == {"religion_important": "Very important",
                                                      "political_affiliation": "Conservative"}
    screenshot_at(page, 390, 844, "self_description_saved")
    screenshot_at(page, 1280, 800, "self_description_saved")

    rate_with_keys(page, "01234" * 4)
    page.get_by_role("button", name="Train model").click()
    used = page.get_by_text("It also starts from what you told us about yourself: Political affiliation, "
                            "Importance of religion.")
    expect(used).to_be_visible()
    used.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "self_description_used_1280.png"))

    panel(page).get_by_role("button", name="Edit").click()
    panel(page).get_by_label("Gender").select_option("Female")
    panel(page).get_by_role("button", name="Save").click()
    expect(panel(page).locator("dd")).to_have_text(["Female", "Conservative", "Very important"])

    panel(page).get_by_role("button", name="Delete").click()
    expect(panel(page).get_by_role("status")).to_have_text(
        "Deleted. Models you train from now on use your labels alone.")
    expect(panel(page).get_by_role("button", name="Describe yourself")).to_be_visible()
    assert stored_profile(page, server.url, user) is None


def test_the_panel_is_skippable_and_absent_from_group_models(server, page: Page):
    page.goto(f"{server.url}/?tab=labeling")
    expect(panel(page)).to_contain_text("or skip this and start labeling")
    screenshot_at(page, 390, 844, "self_description_skippable")
    screenshot_at(page, 1280, 800, "self_description_skippable")
    page.get_by_label("What labeling mode do you want to use?").select_option("3")
    expect(page.get_by_role("heading", name="Build a model from a group of raters")).to_be_visible()
    expect(panel(page)).to_have_count(0)
