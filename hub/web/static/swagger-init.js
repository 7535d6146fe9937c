// Swagger UI over the hub's schema; a separate file because the CSP forbids inline scripts.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui" });
});
