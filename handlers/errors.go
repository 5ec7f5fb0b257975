package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"authstarter/auth"
)

// Error is the one error body every route returns:
//
//	{"error": "stable_snake_case_code", "error_description": "what went wrong"}
//
// The shape is OAuth2's (RFC 6749 §5.2), so the token endpoint and every other
// route share it. RequestID is set only on internal errors, to quote in a report.
type Error struct {
	Status      int    `json:"-"`
	Code        string `json:"error"`
	Description string `json:"error_description"`
	RequestID   string `json:"request_id,omitempty"`
	// Challenge, when set, is sent as the WWW-Authenticate header.
	Challenge string `json:"-"`
	// RetryAfter, when positive, is sent as the Retry-After header (seconds).
	RetryAfter int `json:"-"`
}

func (e *Error) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Description) }

func newError(status int, code, description string) *Error {
	return &Error{Status: status, Code: code, Description: description}
}

// Error codes that are not OAuth2's own.
const (
	codeInvalidRequest   = "invalid_request"
	codeValidation       = "validation_error"
	codeUnsupportedMedia = "unsupported_media_type"
	codeTooLarge         = "request_too_large"
	codeUnauthorized     = "unauthorized"
	codeInvalidToken     = "invalid_token"
	codeForbidden        = "forbidden"
	codeNotFound         = "not_found"
	codeMethodNotAllowed = "method_not_allowed"
	codeConflict         = "username_taken"
	codeInternal         = "internal_error"
	codeUnavailable      = "service_unavailable"
)

// errorFor maps an error from a handler, the auth package or Echo to a response.
// It returns nil for an error it does not know, which is an internal error.
func errorFor(err error) *Error {
	var (
		apiErr  *Error
		httpErr *echo.HTTPError
		valErr  *auth.ValidationError
	)
	if e := adminErrorFor(err); e != nil {
		return e
	}
	if e := throttleErrorFor(err); e != nil {
		return e
	}
	switch {
	case errors.As(err, &apiErr):
		return apiErr
	case errors.As(err, &valErr):
		return newError(http.StatusUnprocessableEntity, codeValidation, valErr.Error())
	case errors.Is(err, auth.ErrInvalidGrant):
		return newError(http.StatusBadRequest, "invalid_grant",
			"the credentials or refresh token are invalid, expired or revoked")
	case errors.Is(err, auth.ErrInvalidScope):
		return newError(http.StatusBadRequest, "invalid_scope",
			"the requested scope is unknown or exceeds what may be granted")
	case errors.Is(err, auth.ErrInvalidToken):
		return invalidToken("the access token's session has ended or its user is inactive")
	case errors.Is(err, auth.ErrWrongPassword):
		return newError(http.StatusBadRequest, "invalid_current_password",
			"current_password is not the account's password")
	case errors.Is(err, auth.ErrUsernameTaken):
		return newError(http.StatusConflict, codeConflict, "a user with this username already exists")
	case errors.Is(err, auth.ErrRegistrationClosed):
		return newError(http.StatusForbidden, "registration_closed",
			"open registration is turned off; ask an administrator for an account")
	case errors.Is(err, auth.ErrNotFound):
		return newError(http.StatusNotFound, codeNotFound, "no such resource")
	case errors.As(err, &httpErr):
		return fromEcho(httpErr)
	}
	return nil
}

// fromEcho maps Echo's own errors (routing, body limit, binding) to our codes,
// with our words rather than Echo's internal messages.
func fromEcho(he *echo.HTTPError) *Error {
	switch he.Code {
	case http.StatusNotFound:
		return newError(he.Code, codeNotFound, "no route matches this path")
	case http.StatusMethodNotAllowed:
		return newError(he.Code, codeMethodNotAllowed, "this path does not accept this method")
	case http.StatusRequestEntityTooLarge:
		return newError(he.Code, codeTooLarge, "the request body is larger than this endpoint accepts")
	case http.StatusUnsupportedMediaType:
		return newError(he.Code, codeUnsupportedMedia, "this endpoint does not accept this content type")
	case http.StatusUnauthorized:
		return unauthorized()
	case http.StatusServiceUnavailable:
		return newError(he.Code, codeUnavailable, "the service is temporarily unavailable; retry later")
	}
	if he.Code >= 400 && he.Code < 500 {
		return newError(he.Code, codeInvalidRequest, http.StatusText(he.Code))
	}
	return nil
}

// errorHandler is Echo's HTTPErrorHandler: the one place that writes errors.
// Unknown errors become a generic 500 and are the only ones logged with their
// cause.
func (h *Handler) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	e := errorFor(err)
	if e == nil && errors.Is(err, context.Canceled) && c.Request().Context().Err() != nil {
		// The client went away (a hashing slot was still being waited for,
		// say): nobody to answer, and no fault of ours to log as an error.
		// 499 is the request log's status for it, as nginx has it.
		c.Response().Status = statusClientClosed
		return
	}
	if e == nil {
		id := c.Response().Header().Get(echo.HeaderXRequestID)
		h.log.ErrorContext(c.Request().Context(), "internal error",
			"request_id", id, "method", c.Request().Method, "path", c.Path(), "error", err)
		e = &Error{Status: http.StatusInternalServerError, Code: codeInternal,
			Description: "something went wrong on our side; quote the request id if you report it", RequestID: id}
	}
	if e.Challenge != "" {
		c.Response().Header().Set(echo.HeaderWWWAuthenticate, e.Challenge)
	}
	e.Description = printableASCII(e.Description)
	if e.RetryAfter > 0 {
		c.Response().Header().Set(echo.HeaderRetryAfter, strconv.Itoa(e.RetryAfter))
	}
	if c.Request().Method == http.MethodHead {
		err = c.NoContent(e.Status)
	} else {
		err = c.JSON(e.Status, e)
	}
	if err != nil {
		h.log.WarnContext(c.Request().Context(), "write error response", "error", err)
	}
}

// statusClientClosed is what the request log records for a request whose
// client left before it was answered; it is never sent.
const statusClientClosed = 499

// realm is the protection space named in WWW-Authenticate challenges.
const realm = "authstarter"

func unauthorized() *Error {
	e := newError(http.StatusUnauthorized, codeUnauthorized, "this route needs an access token in the Authorization header, as Bearer followed by the token")
	e.Challenge = fmt.Sprintf("Bearer realm=%q", realm)
	return e
}

func invalidToken(description string) *Error {
	e := newError(http.StatusUnauthorized, codeInvalidToken, description)
	e.Challenge = fmt.Sprintf("Bearer realm=%q, error=%q, error_description=%q", realm, codeInvalidToken, description)
	return e
}

// printableASCII keeps error_description within what RFC 6749 §5.2 allows:
// printable ASCII without '"' or '\\'. Descriptions may quote client input.
func printableASCII(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return '?'
		}
		return r
	}, s)
}
