/* Show an SOP's BPMN with bpmn-js (vendored navigated viewer) and mark its elements.
 *
 * Usage: <div class="diagram" data-bpmn-url="..." data-markers='{"task_id": "done"}'
 *             data-zoom-in="+ label" data-zoom-out="- label" data-zoom-fit="fit label"></div>
 * Marker classes: done, active, overdue, escalated (styled below and in alur.css).
 * After rendering, the container gets data-rendered="true" (or data-error), for tests.
 * window.AlurDiagram.open(container, url) is shared with the dashboard's heatmap.
 */
(function () {
  "use strict";

  // Below this zoom bpmn-js's 12px labels are too small to read: scroll instead.
  const MIN_ZOOM = 0.75;
  const MAX_ZOOM = 1.5;
  const STEP = 1.25;
  const MARGIN = 20; // px of white around the diagram when it fits

  function clamp(zoom) {
    return Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, zoom));
  }

  // Fit the diagram to the container's width, never below a readable zoom (the rest scrolls,
  // dragging the canvas), never above 1 so small diagrams are not blown up.
  function fitWidth(canvas, container) {
    canvas.zoom("fit-viewport");
    const inner = canvas.viewbox().inner;
    const width = container.clientWidth;
    const zoom = Math.min(1, clamp((width - 2 * MARGIN) / Math.max(inner.width, 1)));
    canvas.viewbox({
      x: inner.x - MARGIN / zoom,
      y: inner.y - MARGIN / zoom,
      width: width / zoom,
      height: container.clientHeight / zoom,
    });
  }

  function button(text, label, action) {
    const element = document.createElement("button");
    element.type = "button";
    element.className = "secondary";
    element.textContent = text;
    element.setAttribute("aria-label", label);
    element.title = label;
    element.addEventListener("click", action);
    return element;
  }

  // +, − and fit buttons over the diagram; their names come from the container's data-zoom-*.
  function addControls(canvas, container) {
    const texts = container.dataset;
    const zoomBy = function (factor) {
      canvas.zoom(clamp(canvas.zoom() * factor), "auto");
    };
    const bar = document.createElement("div");
    bar.className = "diagram-zoom";
    bar.append(
      button("+", texts.zoomIn || "Zoom in", function () { zoomBy(STEP); }),
      button("−", texts.zoomOut || "Zoom out", function () { zoomBy(1 / STEP); }),
      button(texts.zoomFit || "Fit", texts.zoomFit || "Fit", function () { fitWidth(canvas, container); })
    );
    container.append(bar);
  }

  // Load the BPMN at url into a viewer in container, fit it and add the zoom buttons.
  async function open(container, url) {
    const viewer = new BpmnJS({ container: container });
    const response = await fetch(url, { credentials: "same-origin" });
    if (!response.ok) throw new Error("HTTP " + response.status);
    await viewer.importXML(await response.text());
    const canvas = viewer.get("canvas");
    fitWidth(canvas, container);
    addControls(canvas, container);
    return viewer;
  }

  async function render(container) {
    try {
      const viewer = await open(container, container.dataset.bpmnUrl);
      const canvas = viewer.get("canvas");
      const markers = JSON.parse(container.dataset.markers || "{}");
      for (const [elementId, marker] of Object.entries(markers)) {
        try { canvas.addMarker(elementId, "alur-" + marker); } catch (e) { /* not drawn */ }
      }
      container.dataset.rendered = "true";
    } catch (error) {
      container.dataset.error = String(error);
      container.textContent = container.dataset.errorText || "The diagram could not be shown.";
    }
  }

  window.AlurDiagram = { open: open };
  document.querySelectorAll(".diagram[data-bpmn-url]").forEach(render);
})();
