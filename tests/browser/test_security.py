"""Uploaded files cannot run script in a browser, and the pages work under their CSP."""

from contextlib import suppress

from playwright.sync_api import Error

from tests.browser.conftest import PROCESSES, log_in
from tests.web.test_security_headers import SCRIPT
from web.usecases.context import SYSTEM
from web.usecases.library import sops

KEY = "surat_keterangan_domisili"


def upload_hostile_version(app) -> int:
    """A new draft of a demo SOP whose process carries an XHTML script; returns its number."""
    xml = (PROCESSES / f"{KEY}.bpmn").read_text()
    process_start = xml.index(">", xml.index("<bpmn:process ")) + 1
    hostile = xml[:process_start] + SCRIPT + xml[process_start:]
    version = sops.upload_version(app.extensions["alur"]["context"], SYSTEM, hostile.encode())
    return version.number


def test_opening_the_raw_bpmn_of_a_hostile_upload_runs_no_script(new_page, live_app):
    number = upload_hostile_version(live_app)
    page = new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, "ratna")
    page.wait_for_url("**/dashboard**")

    # Navigating to a download is aborted (an Error): the browser saves the file instead.
    with page.expect_download() as download, suppress(Error):
        page.goto(f"/sops/{KEY}/versions/{number}/bpmn")

    assert download.value.suggested_filename == f"{KEY}-v{number}.bpmn"
    page.wait_for_timeout(300)  # room for a script that would run
    assert dialogs == []
    assert page.evaluate("window.alurPwned") is None


def test_the_sop_page_and_dashboard_run_under_the_csp_without_violations(new_page):
    page = new_page()
    violations: list[str] = []

    def watch(message) -> None:
        if "Content Security Policy" in message.text:
            violations.append(f"{page.url}: {message.text}")

    page.on("console", watch)
    log_in(page, "ratna")
    page.goto(f"/sops/{KEY}")
    page.wait_for_selector(".diagram[data-rendered=true]")
    page.select_option("#language", "en")  # the menu's handler lives in alur.js
    page.wait_for_selector("text=Log out")
    page.goto("/dashboard")
    page.wait_for_load_state("networkidle")
    page.goto("/api/docs")
    page.wait_for_selector(".swagger-ui .info")

    assert violations == []
