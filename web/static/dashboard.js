/* The dashboard: charts (vendored Chart.js) and the heatmap on an SOP's diagram (bpmn-js).
 *
 * Charts: <canvas data-chart="trend|activities|workload">, its data in the JSON block
 * <script type="application/json" id="chart-KIND-data">.
 * Heatmap: <div class="heatmap" data-heatmap-url="BPMN URL" data-heatmap="JSON BLOCK ID">, drawn
 * by diagram.js's AlurDiagram (fit, zoom buttons), whose
 * JSON maps each mode (count, duration, breach) to {elementId: {text, level}}; the radios
 * name="heat-mode" switch the mode, and show the legends whose data-heat-modes name it. Drawn canvases and diagrams get data-rendered="true"
 * (or data-error), for tests.
 */
(function () {
  "use strict";

  const INK = "#1d2430";
  const ACCENT = "#0b5cad";
  const OK = "#1f7a3a";
  const WARN = "#a15c00";
  const BAD = "#b3261e";
  const LEVELS = ["low", "mid", "high", "ok", "warn", "bad"];
  // On a phone the charts get smaller type, shorter step names and no vertical axis titles
  // (the legend and the heading name them), so that nothing is cut at the canvas's edge.
  const NARROW = window.matchMedia("(max-width: 640px)").matches;
  const LABEL_CHARS = NARROW ? 16 : 42;

  function json(id) {
    return JSON.parse(document.getElementById(id).textContent);
  }

  function axisTitle(text, vertical) {
    return { display: !(NARROW && vertical), text: text };
  }

  // Horizontal bars: one row of 44px (36px on a phone) per label, so long lists stay readable.
  function barHeight(canvas, count) {
    canvas.parentElement.style.height = Math.max(240, (NARROW ? 36 : 44) * count + 80) + "px";
  }

  // One bar per step or position, stacked when there are several series (then with a legend).
  function horizontalBars(canvas, labels, unit, stacked, datasets) {
    barHeight(canvas, labels.length);
    return {
      type: "bar",
      data: { labels: labels, datasets: datasets },
      options: {
        indexAxis: "y",
        plugins: { legend: { display: stacked } },
        scales: {
          x: { stacked: stacked, beginAtZero: true, title: axisTitle(unit, false) },
          y: { stacked: stacked, ticks: shortLabels(labels) },
        },
      },
    };
  }

  // Long step and position names, shortened on the axis (the tooltip shows them whole).
  function shortLabels(labels) {
    return {
      callback: function (value, index) {
        const label = labels[index] || "";
        return label.length > LABEL_CHARS ? label.slice(0, LABEL_CHARS - 1) + "…" : label;
      },
    };
  }

  const CHARTS = {
    trend: function (d) {
      return {
        type: "bar",
        data: {
          labels: d.labels,
          datasets: [
            { label: d.text.completed, data: d.completed, backgroundColor: ACCENT, yAxisID: "y", order: 3 },
            { type: "line", label: d.text.cycle, data: d.cycle, borderColor: WARN, backgroundColor: WARN,
              borderWidth: 4, pointRadius: 5, spanGaps: true, yAxisID: "hours", order: 1 },
            { type: "line", label: d.text.on_time, data: d.on_time, borderColor: OK, backgroundColor: OK,
              borderWidth: 4, pointRadius: 5, borderDash: [10, 5], spanGaps: true, yAxisID: "percent", order: 2 },
          ],
        },
        options: {
          scales: {
            x: { ticks: { autoSkip: true, maxRotation: 90 } },
            y: { beginAtZero: true, ticks: { precision: 0 }, title: axisTitle(d.text.completed, true) },
            hours: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false },
                     title: axisTitle(d.text.hours, true) },
            percent: { position: "right", min: 0, max: 100, grid: { drawOnChartArea: false },
                       title: axisTitle("%", true) },
          },
        },
      };
    },
    activities: function (d, canvas) {
      return horizontalBars(canvas, d.labels, d.text.hours, true, [
        { label: d.text.wait, data: d.wait, backgroundColor: WARN },
        { label: d.text.handle, data: d.handle, backgroundColor: ACCENT },
      ]);
    },
    workload: function (d, canvas) {
      const colors = d.outlier.map(function (outlier) { return outlier ? BAD : ACCENT; });
      return horizontalBars(canvas, d.labels, d.text.hours, false, [
        { label: d.text.hours, data: d.hours, backgroundColor: colors },
      ]);
    },
  };

  function drawCharts() {
    if (typeof Chart === "undefined") return;
    // Readable on a projector: large type, dark ink, no animation.
    Chart.defaults.font.size = NARROW ? 12 : 16;
    Chart.defaults.color = INK;
    Chart.defaults.animation = false;
    Chart.defaults.maintainAspectRatio = false;
    Chart.defaults.plugins.legend.position = "bottom";
    Chart.defaults.plugins.legend.labels.boxWidth = NARROW ? 16 : 40;
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      const kind = canvas.dataset.chart;
      try {
        new Chart(canvas, CHARTS[kind](json(canvas.id + "-data"), canvas));
        canvas.dataset.rendered = "true";
      } catch (error) {
        canvas.dataset.error = String(error);
      }
    });
  }

  function paint(viewer, figures) {
    const canvas = viewer.get("canvas");
    const overlays = viewer.get("overlays");
    const registry = viewer.get("elementRegistry");
    overlays.remove({ type: "heatmap" });
    for (const [elementId, figure] of Object.entries(figures)) {
      if (!registry.get(elementId)) continue; // a step of another version
      LEVELS.forEach(function (level) { canvas.removeMarker(elementId, "heat-" + level); });
      if (figure.level) canvas.addMarker(elementId, "heat-" + figure.level);
      const label = document.createElement("div");
      label.className = "heat-label heat-" + (figure.level || "none");
      label.textContent = figure.text;
      overlays.add(elementId, "heatmap", { position: { top: -16, left: -8 }, html: label });
    }
  }

  async function drawHeatmap(container) {
    const modes = json(container.dataset.heatmap);
    try {
      const viewer = await AlurDiagram.open(container, container.dataset.heatmapUrl);
      const radios = document.querySelectorAll('input[name="heat-mode"]');
      const show = function (mode) {
        paint(viewer, modes[mode] || {});
        container.dataset.mode = mode;
        document.querySelectorAll("[data-heat-modes]").forEach(function (legend) {
          legend.hidden = legend.dataset.heatModes.split(" ").indexOf(mode) < 0;
        });
      };
      radios.forEach(function (radio) {
        radio.addEventListener("change", function () { if (radio.checked) show(radio.value); });
      });
      const checked = document.querySelector('input[name="heat-mode"]:checked');
      show(checked ? checked.value : "count");
      container.dataset.rendered = "true";
    } catch (error) {
      container.dataset.error = String(error);
      container.textContent = container.dataset.errorText || "The diagram could not be shown.";
    }
  }

  // Another SOP has other versions: choosing it clears (and leaves out) the version filter.
  document.querySelectorAll("select[data-clears]").forEach(function (select) {
    select.addEventListener("change", function () {
      const other = document.getElementById(select.dataset.clears);
      if (other) {
        other.value = "";
        other.disabled = true;
      }
    });
  });

  drawCharts();
  if (typeof AlurDiagram !== "undefined") {
    document.querySelectorAll(".heatmap[data-heatmap-url]").forEach(drawHeatmap);
  }
})();
