// Starts Swagger UI on /docs. A file rather than an inline script, because the
// page's Content-Security-Policy allows scripts from this origin only.
//
// The document's oauth2 security scheme uses the password flow, so the
// Authorize button asks for a username and password and posts them to
// /auth/token; "Try it out" then sends the access token as a Bearer token.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    // Relative to /docs, so the page also works behind a path prefix.
    url: "openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    // No online validator badge: the page must work offline.
    validatorUrl: null,
    displayRequestDuration: true,
    defaultModelsExpandDepth: 1,
  });
});
