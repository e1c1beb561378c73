"""A phone (390x844) and a laptop (1280x800): every page fits its width, the tabs come first, focus follows
results, drafts survive a reload, axe-core finds nothing, and a browser never loses its first user."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.auditor import open_topic_table, reports_panel, wait_until_saved
from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "indie_label_svelte" / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}
SCREENS = {"phone": PHONE, "laptop": LAPTOP}


@pytest.fixture(params=SCREENS, ids=SCREENS)
def screen(request, browser: Browser):
    """A page of the given screen size; a screenshot of where it ended is left in test-artifacts/."""
    context = browser.new_context(viewport=SCREENS[request.param])
    page = context.new_page()
    page.leave_warnings = []

    def on_dialog(dialog):
        if dialog.type != "beforeunload":
            pytest.fail(f"unexpected dialog: {dialog.message}")
        page.leave_warnings.append(dialog.type)
        dialog.accept()

    page.on("dialog", on_dialog)
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{re.sub(r'[^A-Za-z0-9_.-]', '_', request.node.name)}.png"))
    context.close()


def start_audit(page: Page, url: str) -> str:
    """Open the bare address in a browser that owns no user yet: a new audit starts; its user id."""
    page.goto(f"{url}/")
    expect(page.get_by_role("tab", name="About")).to_be_visible()
    return re.search(r"user=([A-Za-z0-9_-]+)", page.url).group(1)


def open_tab(page: Page, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    expect(page.get_by_role("tab", name=name)).to_have_attribute("aria-selected", "true")


def horizontal_overflow(page: Page) -> int:
    """Pixels by which the page is wider than the window (0: no page-level horizontal scroll)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def train_in_page(page: Page, url: str, user: str, labels: int = 20) -> None:
    """Train a model as this browser (its cookie), so the user has saved work."""
    comments = page.request.get(f"{url}/get_comments_to_label?n={labels}").json()["to_label"]
    ratings = {str(comment["item_id"]): index % 5 for index, comment in enumerate(comments)}
    response = page.request.post(f"{url}/get_personalized_model", data=json.dumps(
        {"user": user, "model_name": "mine", "ratings": ratings}), headers={"Content-Type": "application/json"})
    assert response.ok, response.text()


def label_first_comments(page: Page, ratings: list[int]) -> None:
    cards = page.locator(".label-table .row")
    for index, rating in enumerate(ratings):
        cards.nth(index).get_by_role("radio", name=re.compile(f"^{rating}")).check()


def start_audit_with_a_model(page: Page, url: str) -> str:
    user = start_audit(page, url)
    train_in_page(page, url, user)
    page.reload()
    expect(page.get_by_role("tab", name="About")).to_be_visible()
    return user


def within_width(page: Page, locator) -> bool:
    box = locator.bounding_box()
    return box is not None and 0 <= box["x"] and box["x"] + box["width"] <= page.viewport_size["width"]


def test_every_page_fits_the_screen_width_with_the_tabs_in_the_first_screen(server, screen: Page):
    start_audit_with_a_model(screen, server.url)
    tabs = screen.get_by_role("tablist").bounding_box()
    assert tabs["y"] + tabs["height"] <= screen.viewport_size["height"]
    for tab in ("About", "Labeling", "Auditing", "Help"):
        open_tab(screen, tab)
        screen.wait_for_load_state("networkidle")
        assert horizontal_overflow(screen) == 0, tab
    open_tab(screen, "Auditing")
    table = open_topic_table(screen)
    screen.wait_for_load_state("networkidle")
    assert horizontal_overflow(screen) == 0, "Auditing with a topic's comments"
    first_row = table.locator("tbody tr").first
    for action in ("Add as evidence", "Find similar", "Flag"):
        assert within_width(screen, first_row.get_by_role("button", name=re.compile(f"^{action}")).first), action
    screen.goto(f"{server.url}/?mode=explore")
    expect(screen.get_by_role("heading", name="Explore the system")).to_be_visible()
    screen.wait_for_load_state("networkidle")
    assert horizontal_overflow(screen) == 0, "Explore"
    expect(screen.get_by_role("navigation", name="IndieLabel")).to_be_visible()


def test_the_whole_labeling_scale_is_on_screen(server, screen: Page):
    start_audit(screen, server.url)
    open_tab(screen, "Labeling")
    first = screen.locator(".label-table .row").first
    expect(first).to_be_visible()
    choices = first.locator("label.choice").all()
    assert len(choices) == 6
    for choice in choices:
        assert within_width(screen, choice)


def test_a_reload_warns_and_keeps_the_draft_labels_and_the_model_name(server, screen: Page):
    start_audit(screen, server.url)
    open_tab(screen, "Labeling")
    name = screen.get_by_label("Name your personalized model")
    name.fill("my_draft")
    label_first_comments(screen, [0, 3, 4])
    texts = screen.locator(".label-table .row .comment p").all_inner_texts()[:3]
    screen.reload()
    assert screen.leave_warnings == ["beforeunload"], "leaving with labels not trained yet warns"
    expect(screen.locator(".label-table .row").first).to_be_visible()
    assert screen.locator(".label-table .row .comment p").all_inner_texts()[:3] == texts
    expect(name).to_have_value("my_draft")
    checked = screen.locator(".label-table .row").evaluate_all(
        "rows => rows.slice(0, 3).map(row => row.querySelector('input:checked')?.value ?? null)")
    assert checked == ["0", "3", "4"]


def test_after_training_focus_lands_on_the_result(server, screen: Page):
    start_audit(screen, server.url)
    open_tab(screen, "Labeling")
    label_first_comments(screen, [1, 2, 3])
    screen.get_by_role("button", name="Train model").click()
    result = screen.get_by_role("heading", name=re.compile("^Your model"))
    expect(result).to_be_focused(timeout=60_000)
    box, tabs = result.bounding_box(), screen.get_by_role("tablist").bounding_box()
    assert tabs["y"] + tabs["height"] <= box["y"] < screen.viewport_size["height"], "in view, below the sticky tabs"
    screen.get_by_role("button", name=re.compile("^Audit the system with")).click()
    expect(screen.get_by_role("heading", name="Auditing", exact=True)).to_be_focused()


def test_adding_evidence_keeps_focus_on_the_comment_s_button(server, screen: Page):
    start_audit_with_a_model(screen, server.url)
    open_tab(screen, "Auditing")
    row = open_topic_table(screen).locator("tbody tr").first
    row.get_by_role("button", name="Add as evidence").click()
    expect(row.get_by_role("button", name=re.compile("In report"))).to_be_focused()


def test_axe_finds_no_accessibility_violations_on_any_tab(server, screen: Page):
    # An init script, unlike a script tag, is not refused by the app's Content-Security-Policy.
    screen.context.add_init_script(path=str(AXE))
    start_audit_with_a_model(screen, server.url)
    for tab in ("About", "Labeling", "Auditing", "Help"):
        open_tab(screen, tab)
        screen.wait_for_load_state("networkidle")
        result = screen.evaluate("async () => { const r = await axe.run(document); return {passes: r.passes.length, "
                                 "violations: r.violations.map(v => `${v.id}: ${v.nodes.map(n => n.target)}`)}; }")
        assert result["passes"] > 10, tab
        assert result["violations"] == [], tab


def test_twenty_bare_address_visits_leave_the_first_user_reachable(server, browser: Browser):
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    first = start_audit(page, server.url)
    train_in_page(page, server.url, first)
    for _ in range(20):
        page.goto(f"{server.url}/")
        expect(page.get_by_role("button", name=re.compile(f"Continue as {first}"))).to_be_visible()
        page.get_by_role("button", name="Start a new audit").click()
        expect(page.get_by_role("tab", name="About")).to_be_visible()
    page.goto(f"{server.url}/")
    continuing = page.get_by_role("button", name=re.compile("^Continue as"))
    newest = continuing.first.inner_text()
    assert first not in newest, "the newest user is offered first"
    page.get_by_role("button", name=re.compile(f"Continue as {first}")).click()
    expect(page.get_by_role("tab", name="About")).to_be_visible()
    assert f"user={first}" in page.url
    expect(page.get_by_role("alert")).to_have_count(0)
    context.close()


def test_after_an_outage_the_reports_save_by_themselves(server, screen: Page):
    start_audit_with_a_model(screen, server.url)
    refused = []

    def first_save_fails(route):
        if not refused:
            refused.append(route.request.url)
            route.abort("connectionrefused")
        else:
            route.continue_()

    screen.route("**/save_reports", first_save_fails)
    panel = reports_panel(screen)
    panel.get_by_label("Title").fill("Written while the server was away")
    expect(screen.get_by_role("status").filter(has_text="Not saved")).to_be_visible()
    # No Retry pressed: the next attempt goes out by itself.
    wait_until_saved(screen)
    assert len(refused) == 1
    stored = screen.request.get(f"{server.url}/get_reports", params={
        "user": re.search(r"user=([A-Za-z0-9_-]+)", screen.url).group(1), "model": "mine"}).json()["reports"]
    assert any(report["title"] == "Written while the server was away" for report in stored)


def test_each_tab_opens_at_its_top(server, screen: Page):
    start_audit_with_a_model(screen, server.url)
    open_tab(screen, "Auditing")
    screen.wait_for_load_state("networkidle")
    screen.mouse.wheel(0, 3000)
    screen.wait_for_function("window.scrollY > 500")
    open_tab(screen, "Labeling")
    assert screen.evaluate("window.scrollY") == 0


def test_a_chart_s_comments_can_be_reached_by_keyboard(server, screen: Page):
    start_audit_with_a_model(screen, server.url)
    open_tab(screen, "Auditing")
    table = open_topic_table(screen)
    chooser = screen.get_by_label("Go to a comment of this chart")
    expect(chooser).to_be_visible()
    item_id = chooser.locator("option").nth(1).get_attribute("value").split("/")[0].lstrip("#")
    chooser.focus()
    chooser.select_option(index=1)
    row = table.locator(f"tr[data-item='{item_id}']")
    expect(row).to_have_class(re.compile("highlight"))
    expect(row).to_be_focused()
