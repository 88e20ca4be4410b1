"""Pages look finished on a 1366 px office screen and on a 390 px phone: charts keep their
labels, tables scroll inside their box, diagrams open readable, colors mean one thing."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DEMO_PASSWORD, log_in, open_context
from web.usecases.analysis import overlaps
from web.usecases.analysis.simulation import Plan, simulate
from web.usecases.context import SYSTEM
from web.usecases.dashboard import overview
from web.usecases.library import sops
from web.usecases.organization import administration, login
from web.usecases.pagination import PageRequest
from web.usecases.runtime import instances

SOP = "surat_keterangan_domisili"
PHONE = (390, 844)
DESK = (1366, 768)


@pytest.fixture(scope="module")
def demo(module_app):
    """Two weeks of simulated requests, the overlap analysis, and one request just started."""
    context = module_app.extensions["alur"]["context"]
    today = date.today()
    simulate(context, Plan(start=today - timedelta(days=14), end=today, seed=7, volume=0.1))
    overlaps.analyze(context, SYSTEM)
    officer = login.authenticate_password(context, "budi", DEMO_PASSWORD).actor
    started = instances.start_instance(
        context, officer, SOP, {"pemohon": "Siti Aminah", "nik": "3171234567890123"}
    )
    sop_id = next(
        sop_id for sop_id, key, _name in overview.filter_choices(context, SYSTEM).sops if key == SOP
    )
    flags = overlaps.list_flags(context, SYSTEM, PageRequest(1, 50)).items
    return {"sop_id": sop_id, "request_id": started.id, "flags": flags}


@pytest.fixture(scope="module")
def pages(browser, module_app):
    """``pages(user, size)``: a logged-in page of that viewport size, one per user and size."""
    opened = {}

    def page_of(username: str, size: tuple[int, int] = DESK):
        if (username, size) not in opened:
            context = open_context(browser, module_app, *size)
            page = context.new_page()
            log_in(page, username)
            opened[username, size] = context, page
        return opened[username, size][1]

    yield page_of
    for context, _page in opened.values():
        context.close()


# The fill color of every step the heatmap marked, and of its figure's label, as [r, g, b].
HEAT_COLORS = """() => Array.from(document.querySelectorAll(
        ".heatmap g.djs-shape[class*=heat-] .djs-visual > :first-child, .heatmap .heat-label"))
    .map((element) => {
        const style = getComputedStyle(element);
        const color = element.tagName === "DIV" ? style.backgroundColor : style.fill;
        return color.match(/\\d+/g).slice(0, 3).map(Number);
    })"""


def _reddish(rgb: list[int]) -> bool:
    red, green, blue = rgb
    return red > green + 60 and red > blue + 60


def test_the_heatmap_paints_red_only_for_breaches(pages, demo):
    page = pages("agus")
    page.goto(f"/dashboard/sops/{demo['sop_id']}")
    expect(page.locator(".heatmap[data-rendered=true]")).to_have_count(1)

    counted = page.evaluate(HEAT_COLORS)
    assert counted  # the busiest step is marked, in blue
    assert not [rgb for rgb in counted if _reddish(rgb)]
    expect(page.locator("[data-heat-modes=breach]")).to_be_hidden()

    page.get_by_label("Terlambat").check()
    expect(page.locator(".heatmap[data-mode=breach]")).to_have_count(1)
    expect(page.locator("[data-heat-modes=breach]")).to_be_visible()
    expect(page.locator("[data-heat-modes='count duration']")).to_be_hidden()
    assert page.evaluate(HEAT_COLORS)


# The smallest height, in screen pixels, of the text of the diagram's steps.
SMALLEST_TEXT = """(selector) => Math.min(...Array.from(
    document.querySelectorAll(selector + " g.djs-shape text tspan"))
    .map((tspan) => tspan.getBoundingClientRect().height)
    .filter((height) => height > 0))"""
READABLE_PX = 8.5  # bpmn-js's 12px labels at zoom 0.75 and more


@pytest.mark.parametrize("size", [PHONE, DESK], ids=["phone", "desk"])
@pytest.mark.parametrize("where", ["request", "library", "heatmap"])
def test_diagrams_open_readable_with_zoom_buttons(pages, demo, where, size):
    user, path, selector = {
        "request": ("budi", f"/requests/{demo['request_id']}", ".diagram"),
        "library": ("ratna", f"/sops/{SOP}", ".diagram"),
        "heatmap": ("agus", f"/dashboard/sops/{demo['sop_id']}", ".heatmap"),
    }[where]
    page = pages(user, size)
    page.goto(path)
    diagram = page.locator(f"{selector}[data-rendered=true]").first
    expect(diagram).to_be_visible()

    smallest = page.evaluate(SMALLEST_TEXT, selector)
    assert smallest >= READABLE_PX
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= size[0]

    diagram.get_by_role("button", name="Perbesar").click()
    assert page.evaluate(SMALLEST_TEXT, selector) > smallest
    diagram.get_by_role("button", name="Pas lebar").click()
    assert page.evaluate(SMALLEST_TEXT, selector) == pytest.approx(smallest, abs=0.5)


# What of a chart falls outside its canvas: tick labels wider than their vertical axis,
# axis titles longer than their axis, legend items past the edges, the canvas past the page.
CLIPPED = """(id) => {
    const canvas = document.getElementById(id);
    const chart = Chart.getChart(canvas);
    const ctx = chart.ctx;
    const width = (text, font) => {
        ctx.font = Chart.helpers.toFont(font).string;
        return Math.max(...[].concat(text).map((line) => ctx.measureText(line).width));
    };
    const clipped = [];
    for (const scale of Object.values(chart.scales)) {
        const vertical = scale.isHorizontal() === false;
        const title = scale.options.title;
        if (title.display && title.text) {
            const room = vertical ? scale.bottom - scale.top : scale.right - scale.left;
            if (width(title.text, title.font) > room) clipped.push("title " + title.text);
        }
        if (vertical && scale.options.ticks.display) {
            for (const tick of scale.ticks) {
                if (tick.label && width(tick.label, scale.options.ticks.font) > scale.width)
                    clipped.push("label " + tick.label);
            }
        }
    }
    for (const box of chart.legend.legendHitBoxes || []) {
        if (box.left < 0 || box.left + box.width > chart.width) clipped.push("legend");
    }
    if (canvas.getBoundingClientRect().right > document.documentElement.clientWidth)
        clipped.push("canvas");
    return clipped;
}"""


@pytest.mark.parametrize("size", [PHONE, DESK], ids=["phone", "desk"])
@pytest.mark.parametrize("chart", ["trend", "activities", "workload"])
def test_charts_keep_their_labels_and_titles(pages, demo, chart, size):
    path = {
        "trend": "/dashboard",
        "activities": f"/dashboard/sops/{demo['sop_id']}",
        "workload": "/dashboard/workload",
    }[chart]
    page = pages("agus", size)
    page.goto(path)
    expect(page.locator(f"#chart-{chart}[data-rendered=true]")).to_have_count(1)

    assert page.evaluate(CLIPPED, f"chart-{chart}") == []


def test_overlap_flags_show_names_first_and_codes_aside(pages, demo, module_app):
    context = module_app.extensions["alur"]["context"]
    sop_names = {sop.key: sop.name for sop in sops.list_sops(context, SYSTEM)}
    page = pages("ratna", PHONE)

    page.goto("/overlaps")
    rows = page.locator("table.flag-list tbody tr")
    expect(rows.first).to_be_visible()
    for row in rows.all():
        flag_id = int(row.get_attribute("id").removeprefix("flag-"))
        keys = next(flag.sop_keys for flag in demo["flags"] if flag.id == flag_id).split()
        sop_cell = row.locator("td.sops")
        expect(sop_cell).to_contain_text(sop_names[keys[0]])
        expect(sop_cell.locator(".code")).to_have_text(keys)

    flag = next(flag for flag in demo["flags"] if flag.evidence.get("positions"))
    page.goto(f"/overlaps/{flag.id}")
    positions = page.locator("dd.positions")
    position_names = {p.code: p.name for p in administration.list_positions(context, SYSTEM)}
    for code in flag.evidence["positions"]:
        expect(positions).to_contain_text(position_names[code])
        expect(positions.locator(".code", has_text=code)).to_have_count(1)
    cells = page.locator("table.evidence-activities tbody td:first-child")
    for cell in cells.all():
        key = cell.locator(".code").inner_text()
        assert cell.inner_text().startswith(sop_names[key])


@pytest.mark.parametrize("where", ["overview", "sop", "workload", "requests", "library"])
def test_wide_tables_scroll_in_their_box_keeping_the_row_names_in_view(pages, demo, where):
    path = {
        "overview": "/dashboard",
        "sop": f"/dashboard/sops/{demo['sop_id']}",
        "workload": "/dashboard/workload",
        "requests": "/requests",
        "library": f"/sops/{SOP}",
    }[where]
    page = pages("agus", DESK)
    page.goto(path)

    assert page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    # Scrolled to its far right, each wide table still shows what its rows are about.
    hidden = page.evaluate(
        """() => Array.from(document.querySelectorAll(".table-wrap"))
            .filter((box) => box.scrollWidth > box.clientWidth)
            .filter((box) => {
                box.scrollLeft = box.scrollWidth;
                const name = box.querySelector("tbody th[scope=row]")
                    || box.querySelector("tbody td:first-child");
                return name.getBoundingClientRect().left < box.getBoundingClientRect().left;
            })
            .map((box) => box.querySelector("table").id || box.querySelector("table").className)"""
    )
    assert hidden == []
