/* Start Swagger UI on /api/docs (kept out of the page: the CSP refuses inline scripts). */
(function () {
  "use strict";
  const container = document.getElementById("swagger-ui-container");
  const config = Object.assign(
    { url: container.dataset.specUrl, dom_id: "#swagger-ui-container" },
    JSON.parse(container.dataset.config || "{}"),
  );
  window.ui = SwaggerUIBundle(config);
})();
