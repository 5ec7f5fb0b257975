package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
)

// bindJSON decodes the request body into dst strictly: the content type must be
// application/json, unknown fields are refused, field names must match exactly
// (letter case included) and only once, and nothing may follow the one JSON
// value. The query string is never read.
func bindJSON(c echo.Context, dst any) error {
	if err := requireContentType(c, echo.MIMEApplicationJSON); err != nil {
		return err
	}
	body, err := readBody(c)
	if err != nil {
		return err
	}
	// encoding/json would quietly turn invalid bytes into U+FFFD.
	if !utf8.Valid(body) {
		return newError(http.StatusBadRequest, codeInvalidRequest, "the body is not valid UTF-8")
	}
	// It would also turn a \u escape of half a UTF-16 surrogate pair into
	// U+FFFD, merging names that other JSON parsers keep apart.
	if hasLoneSurrogate(body) {
		return newError(http.StatusBadRequest, codeInvalidRequest,
			"the body escapes half of a UTF-16 surrogate pair (U+D800 to U+DFFF) alone, which is no character")
	}
	if err := exactKeys(body, dst); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return newError(http.StatusBadRequest, codeInvalidRequest, "the body must hold exactly one JSON object")
	}
	return nil
}

// jsonError turns a decoding error into a message that says what to fix,
// without echoing Go type names.
func jsonError(err error) *Error {
	var (
		syntaxErr *json.SyntaxError
		typeErr   *json.UnmarshalTypeError
	)
	msg := "the body is not valid JSON"
	switch {
	case errors.Is(err, io.EOF):
		msg = "the body is empty; send a JSON object"
	case errors.As(err, &syntaxErr):
		msg = fmt.Sprintf("the body is not valid JSON (at byte %d)", syntaxErr.Offset)
	case errors.As(err, &typeErr) && typeErr.Field != "":
		msg = fmt.Sprintf("field %s has the wrong type; want %s", jsonPath(typeErr.Field), jsonKind(typeErr.Type.Kind().String()))
	case errors.As(err, &typeErr):
		msg = "the body must be a JSON object"
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// encoding/json offers no typed error for DisallowUnknownFields.
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		if len(field) > 64 {
			field = field[:64] + "..."
		}
		msg = "unknown field " + field + "; see /docs for the accepted fields"
	}
	return newError(http.StatusBadRequest, codeInvalidRequest, msg)
}

// jsonPath drops the names of embedded Go structs (such as Profile) that
// encoding/json puts in a field's path, leaving the JSON names clients send.
func jsonPath(field string) string {
	parts := strings.Split(field, ".")
	kept := parts[:0]
	for _, p := range parts {
		if p != "" && !unicode.IsUpper(rune(p[0])) {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, ".")
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "struct", "map":
		return "an object"
	case "slice", "array":
		return "an array"
	}
	return "a number"
}

// readForm parses an application/x-www-form-urlencoded body. Parameters in the
// URL query are ignored. A parameter sent twice is an error; an empty one counts
// as absent (RFC 6749 §3.1).
func readForm(c echo.Context) (map[string]string, error) {
	if err := requireContentType(c, echo.MIMEApplicationForm); err != nil {
		return nil, err
	}
	body, err := readBody(c)
	if err != nil {
		return nil, err
	}
	values, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, newError(http.StatusBadRequest, codeInvalidRequest, "the body is not a valid form encoding")
	}
	form := make(map[string]string, len(values))
	for k, vs := range values {
		if len(vs) > 1 {
			return nil, newError(http.StatusBadRequest, codeInvalidRequest, "parameter "+k+" is repeated")
		}
		if vs[0] != "" {
			form[k] = vs[0]
		}
	}
	return form, nil
}

func requireContentType(c echo.Context, want string) error {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || !strings.EqualFold(mt, want) {
		return newError(http.StatusUnsupportedMediaType, codeUnsupportedMedia,
			"send the body as "+want)
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return newError(http.StatusUnsupportedMediaType, codeUnsupportedMedia, "the body must be UTF-8")
	}
	return nil
}

// readBody reads the whole body; the BodyLimit middleware bounds its size.
func readBody(c echo.Context) ([]byte, error) {
	body, err := io.ReadAll(c.Request().Body)
	var tooLarge *echo.HTTPError
	switch {
	case errors.As(err, &tooLarge) && tooLarge.Code == http.StatusRequestEntityTooLarge:
		return nil, tooLarge
	case err != nil:
		return nil, newError(http.StatusBadRequest, codeInvalidRequest, "the body could not be read")
	}
	return body, nil
}
