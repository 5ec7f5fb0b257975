package handlers

import (
	"github.com/labstack/echo/v4"

	"authstarter/apidocs"
	"authstarter/db/sqlc"
)

// docSchemas are the response bodies whose OpenAPI schema is generated from
// the Go type the handlers write, keyed by component name: a column added to
// users reaches /openapi.json with no edit here or in apidocs/openapi.yaml.
var docSchemas = map[string]any{
	"User": sqlc.User{},
}

// serveDocs adds /openapi.json, /openapi.yaml and the Swagger UI at /docs.
// The document is embedded and the tests load it, so a failure here is a
// defect in the build, not in the environment: it panics.
func serveDocs(e *echo.Echo) {
	doc, err := apidocs.Load(docSchemas)
	if err == nil {
		err = apidocs.Register(e, doc)
	}
	if err != nil {
		panic(err)
	}
}
