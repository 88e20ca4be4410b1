"""The dashboard in a real browser: a manager sees the charts and the heatmap on the diagram."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from web.usecases.analysis.simulation import Plan, simulate
from web.usecases.context import SYSTEM
from web.usecases.dashboard import overview

SOP = "surat_keterangan_domisili"


@pytest.fixture
def demo_data(live_app):
    """Two weeks of simulated requests ending yesterday, inside the dashboard's default period."""
    context = live_app.extensions["alur"]["context"]
    today = date.today()
    simulate(context, Plan(start=today - timedelta(days=14), end=today, seed=7, volume=0.1))
    return next(
        sop_id for sop_id, key, _name in overview.filter_choices(context, SYSTEM).sops if key == SOP
    )


def test_the_overview_draws_its_trend_chart(new_page, demo_data):
    page = new_page()
    log_in(page, "agus")  # lurah of Kelurahan Sukamaju
    page.get_by_role("link", name="Dasbor").click()

    expect(page.locator("h1")).to_have_text("Dasbor")
    expect(page.locator("#chart-trend[data-rendered=true]")).to_have_count(1)
    drawn = page.evaluate(
        """() => {
            const canvas = document.getElementById("chart-trend");
            const chart = Chart.getChart(canvas);
            const pixels = canvas.getContext("2d")
                .getImageData(0, 0, canvas.width, canvas.height).data;
            return {
                datasets: chart.data.datasets.length,
                completed: chart.data.datasets[0].data.reduce((a, b) => a + b, 0),
                painted: pixels.some((value, index) => index % 4 === 3 && value > 0),
            };
        }"""
    )
    assert drawn["datasets"] == 3
    assert drawn["completed"] > 0
    assert drawn["painted"]
    expect(page.locator("#table-sops tbody tr").first).to_be_visible()


def test_one_sops_page_shows_a_heatmap_that_switches_between_figures(new_page, demo_data):
    page = new_page()
    log_in(page, "agus")

    page.goto(f"/dashboard/sops/{demo_data}")

    expect(page.locator(".heatmap[data-rendered=true]")).to_have_count(1)
    overlays = page.locator(".heatmap .djs-overlay .heat-label")
    assert overlays.count() > 0
    assert page.locator(".heatmap .djs-overlay").count() > 0
    assert page.locator(".heatmap g.heat-high").count() > 0
    counts = overlays.all_inner_texts()
    assert all(text.isdigit() for text in counts)

    page.get_by_label("Terlambat").check()

    expect(page.locator(".heatmap[data-mode=breach]")).to_have_count(1)
    late = page.locator(".heatmap .djs-overlay .heat-label").all_inner_texts()
    assert late != counts
    assert all(text.endswith("%") or text == "–" for text in late)
    expect(page.locator("#chart-activities[data-rendered=true]")).to_have_count(1)
