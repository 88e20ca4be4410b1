/* Show an SOP's BPMN with bpmn-js (vendored navigated viewer) and mark its elements.
 *
 * Usage: <div class="diagram" data-bpmn-url="..." data-markers='{"task_id": "done"}'></div>
 * Marker classes: done, active, overdue, escalated (styled below and in alur.css).
 * After rendering, the container gets data-rendered="true" (or data-error), for tests.
 */
(function () {
  "use strict";

  async function render(container) {
    const viewer = new BpmnJS({ container: container });
    try {
      const response = await fetch(container.dataset.bpmnUrl, { credentials: "same-origin" });
      if (!response.ok) throw new Error("HTTP " + response.status);
      await viewer.importXML(await response.text());
      const canvas = viewer.get("canvas");
      canvas.zoom("fit-viewport");
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

  document.querySelectorAll(".diagram[data-bpmn-url]").forEach(render);
})();
