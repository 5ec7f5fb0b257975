package apidocs

import (
	"embed"
	"io/fs"
	"net/http"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v4"
)

// ui holds the /docs page and, under ui/assets, its start-up script, its
// stylesheet and the swagger-ui-dist files that `make swagger-ui` vendors
// into ui/assets/swagger-ui.
//
//go:embed ui
var ui embed.FS

// contentSecurityPolicy lets the /docs page load scripts, styles and
// requests from this origin only. Images may also be data: URLs, which
// Swagger UI's stylesheet uses for its icons.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; connect-src 'self'; font-src 'self'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Routes of the documentation itself; they are not part of the API it
// documents.
const (
	PathJSON = "/openapi.json"
	PathYAML = "/openapi.yaml"
	PathUI   = "/docs"
)

// Register serves doc at PathJSON and PathYAML, and Swagger UI showing it at
// PathUI. It returns an error only when doc cannot be encoded.
func Register(e *echo.Echo, doc *openapi3.T) error {
	jsonDoc, yamlDoc, err := encode(doc)
	if err != nil {
		return err
	}
	page, err := fs.Sub(ui, "ui")
	if err != nil {
		return err
	}
	assets, err := fs.Sub(ui, "ui/assets")
	if err != nil {
		return err
	}

	e.GET(PathJSON, blob(echo.MIMEApplicationJSON, jsonDoc))
	e.GET(PathYAML, blob("application/yaml", yamlDoc))
	e.GET(PathUI, echo.StaticFileHandler("index.html", page), withCSP)
	e.GET(PathUI+"/", func(c echo.Context) error { return c.Redirect(http.StatusMovedPermanently, PathUI) })
	e.GET(PathUI+"/*", echo.StaticDirectoryHandler(assets, false), withCSP)
	return nil
}

func blob(contentType string, body []byte) echo.HandlerFunc {
	return func(c echo.Context) error {
		return c.Blob(http.StatusOK, contentType, body)
	}
}

func withCSP(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set(echo.HeaderContentSecurityPolicy, contentSecurityPolicy)
		return next(c)
	}
}
