/* Start Swagger UI on /api/docs (kept out of the page: the CSP refuses inline scripts).
   No validator badge: it would call validator.swagger.io, and Alur works offline. */
(function () {
  "use strict";
  const container = document.getElementById("swagger-ui-container");
  const config = Object.assign(
    { url: container.dataset.specUrl, dom_id: "#swagger-ui-container", validatorUrl: null },
    JSON.parse(container.dataset.config || "{}"),
  );
  window.ui = SwaggerUIBundle(config);
})();
