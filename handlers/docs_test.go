package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/google/go-cmp/cmp"
	"github.com/labstack/echo/v4"
	"go.yaml.in/yaml/v4"

	"authstarter/apidocs"
)

// contract is the API document the responses of every test are checked
// against, and a router that finds a request's operation in it.
var contract = sync.OnceValues(func() (*apiContract, error) {
	doc, err := apidocs.Load(docSchemas)
	if err != nil {
		return nil, err
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, err
	}
	return &apiContract{doc: doc, router: router}, nil
})

type apiContract struct {
	doc    *openapi3.T
	router routers.Router
}

// checkContract fails the test unless the response to req conforms to the API
// document: a documented status, the documented headers, and a body that
// matches the documented schema (or no body where none is documented). A
// request that no operation matches (a 404 or 405 from Echo) must still get
// the one error shape.
func (a *testApp) checkContract(req *http.Request, rec *httptest.ResponseRecorder) {
	a.t.Helper()
	if req.Method == http.MethodHead || isDocsRoute(req.URL.Path) {
		return
	}
	c, err := contract()
	if err != nil {
		a.t.Fatalf("load the API document: %v", err)
	}
	where := req.Method + " " + req.URL.Path

	route, params, err := c.router.FindRoute(req)
	if errors.Is(err, routers.ErrPathNotFound) || errors.Is(err, routers.ErrMethodNotAllowed) {
		var body any
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			a.t.Errorf("%s: undocumented route answered %d with non-JSON %q", where, rec.Code, rec.Body)
			return
		}
		schema := c.doc.Components.Schemas["Error"].Value
		if err := schema.VisitJSON(body, openapi3.EnableJSONSchema2020()); err != nil {
			a.t.Errorf("%s: undocumented route answered %d, not with the error shape: %v",
				where, rec.Code, err)
		}
		return
	}
	if err != nil {
		a.t.Fatalf("%s: find the operation: %v", where, err)
	}

	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: req, PathParams: params, Route: route,
		},
		Status:  rec.Code,
		Header:  rec.Header(),
		Body:    io.NopCloser(bytes.NewReader(rec.Body.Bytes())),
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(req.Context(), in); err != nil {
		a.t.Errorf("%s: response %d does not match the API document: %v\nbody: %s",
			where, rec.Code, err, rec.Body)
		return
	}
	// ValidateResponse passes any body where the document has no content.
	if resp := route.Operation.Responses.Status(rec.Code); resp != nil &&
		len(resp.Value.Content) == 0 && rec.Body.Len() > 0 {
		a.t.Errorf("%s: response %d has a body the document does not mention: %s",
			where, rec.Code, rec.Body)
	}
}

// isDocsRoute reports whether path is one of the documentation's own routes,
// which are not part of the API the document describes.
func isDocsRoute(path string) bool {
	return path == apidocs.PathJSON || path == apidocs.PathYAML ||
		path == apidocs.PathUI || strings.HasPrefix(path, apidocs.PathUI+"/")
}

// echoParam matches Echo's path parameters (":id"), OpenAPI's are "{id}".
var echoParam = regexp.MustCompile(`:([A-Za-z0-9_]+)`)

func TestDocumentMatchesRoutes(t *testing.T) {
	a := newTestApp(t)
	c, err := contract()
	if err != nil {
		t.Fatal(err)
	}

	var registered []string
	for _, r := range a.e.Routes() {
		if r.Method == echo.RouteNotFound || isDocsRoute(r.Path) {
			continue
		}
		registered = append(registered, r.Method+" "+echoParam.ReplaceAllString(r.Path, "{$1}"))
	}
	var documented []string
	for path, item := range c.doc.Paths.Map() {
		for method := range item.Operations() {
			documented = append(documented, method+" "+path)
		}
	}
	slices.Sort(registered)
	slices.Sort(documented)
	if diff := cmp.Diff(documented, registered); diff != "" {
		t.Errorf("routes in the API document (-) and in Echo (+) differ:\n%s"+
			"document a new route in apidocs/openapi.yaml", diff)
	}
}

func TestDocsAreServed(t *testing.T) {
	a := newTestApp(t)
	c, err := contract()
	if err != nil {
		t.Fatal(err)
	}
	want, err := json.Marshal(c.doc)
	if err != nil {
		t.Fatal(err)
	}

	r := a.get(apidocs.PathJSON, "")
	ct := r.Header().Get("Content-Type")
	if r.Code != http.StatusOK || !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("GET /openapi.json: %d %s", r.Code, ct)
	}
	if diff := cmp.Diff(jsonValue(t, want), jsonValue(t, r.Body.Bytes())); diff != "" {
		t.Errorf("/openapi.json is not the loaded document (-want +got):\n%s", diff)
	}

	r = a.get(apidocs.PathYAML, "")
	var fromYAML any
	if err := yaml.Unmarshal(r.Body.Bytes(), &fromYAML); r.Code != http.StatusOK || err != nil {
		t.Fatalf("GET /openapi.yaml: %d, %v", r.Code, err)
	}
	asJSON, _ := json.Marshal(fromYAML)
	if diff := cmp.Diff(jsonValue(t, want), jsonValue(t, asJSON)); diff != "" {
		t.Errorf("/openapi.yaml is not the loaded document (-want +got):\n%s", diff)
	}

	if r := a.get("/docs/", ""); r.Code != http.StatusMovedPermanently || r.Header().Get("Location") != "/docs" {
		t.Errorf("GET /docs/: %d to %q, want a redirect to /docs", r.Code, r.Header().Get("Location"))
	}

	tests := []struct {
		path, contentType string
		status            int
	}{
		{"/docs", "text/html", 200},
		{"/docs/init.js", "text/javascript", 200},
		{"/docs/swagger-ui/swagger-ui-bundle.js", "text/javascript", 200},
		{"/docs/swagger-ui/swagger-ui.css", "text/css", 200},
		{"/docs/missing.js", "application/json", 404},
		{"/docs/%2e%2e/openapi.yaml", "application/json", 404},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			r := a.get(tt.path, "")
			if r.Code != tt.status || !strings.HasPrefix(r.Header().Get("Content-Type"), tt.contentType) {
				t.Fatalf("status %d, Content-Type %q; want %d, %s",
					r.Code, r.Header().Get("Content-Type"), tt.status, tt.contentType)
			}
			csp := r.Header().Get("Content-Security-Policy")
			if tt.status == 200 && (!strings.Contains(csp, "script-src 'self'") ||
				!strings.Contains(csp, "default-src 'none'")) {
				t.Errorf("Content-Security-Policy = %q, want scripts from self only", csp)
			}
		})
	}
}

func jsonValue(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %.200s: %v", b, err)
	}
	return v
}
