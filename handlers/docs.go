package handlers

import (
	"github.com/labstack/echo/v4"

	"authstarter/apidocs"
	"authstarter/auth"
	"authstarter/db/sqlc"
)

// docSchemas are the bodies whose OpenAPI schema is generated from the Go type
// the handlers read or write, keyed by component name: a column added to users
// reaches /openapi.json with no edit here or in apidocs/openapi.yaml, and so
// does a field added to registerRequest. A new route that writes another Go
// type adds it here and refers to it as #/components/schemas/Name.
var docSchemas = map[string]any{
	"User":            sqlc.User{},
	"RegisterRequest": registerRequest{},
	"ProfileUpdate":   auth.Profile{},
	"PasswordChange":  passwordChange{},
	"TokenInfo":       validateResponse{},
	"SessionList":     sessionsResponse{},
	// The admin bodies embed auth.Profile too, so a new profile field reaches
	// them with no edit.
	"CreateUserRequest": createUserRequest{},
	"UpdateUserRequest": updateUserRequest{},
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
