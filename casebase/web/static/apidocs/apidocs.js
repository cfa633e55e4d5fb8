// The API documentation page (/api/docs): Swagger UI (vendored in swagger-ui/) over the
// OpenAPI description the app serves, so a reader can try each call. A static file, as the
// page's Content-Security-Policy allows no inline script; nothing is asked of another host
// (the online validator badge is turned off).
"use strict";

(function () {
  var root = document.getElementById("swagger-ui");
  window.ui = window.SwaggerUIBundle({
    url: root.getAttribute("data-spec"),
    dom_id: "#swagger-ui",
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: true,
    validatorUrl: null,
    displayRequestDuration: true,
    defaultModelsExpandDepth: 0,
    tryItOutEnabled: false,
  });
})();
