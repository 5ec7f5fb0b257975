package handlers

import (
	"errors"
	"net/http"
	"strings"

	echojwt "github.com/labstack/echo-jwt/v4"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"authstarter/token"
)

const claimsKey = "access_claims"

// requireBearer verifies the access token in Authorization: Bearer (the scheme
// name in any letter case; never from the query string) and stores its claims
// for claims(c). Missing credentials get a bare challenge; a bad token gets
// error="invalid_token" (RFC 6750 §3).
func (h *Handler) requireBearer() echo.MiddlewareFunc {
	tokens := h.svc.Tokens()
	return echojwt.WithConfig(echojwt.Config{
		ContextKey: claimsKey,
		TokenLookupFuncs: []middleware.ValuesExtractor{func(c echo.Context) ([]string, error) {
			values := c.Request().Header.Values(echo.HeaderAuthorization)
			scheme, _, _ := strings.Cut(strings.Join(values, ","), " ")
			if len(values) == 0 || (len(values) == 1 && !strings.EqualFold(scheme, "Bearer")) {
				return nil, errNoCredentials
			}
			// A malformed or repeated header is a bad token, not a missing one.
			tok, _ := bearerToken(c.Request())
			return []string{tok}, nil
		}},
		ParseTokenFunc: func(_ echo.Context, raw string) (any, error) {
			return tokens.ParseAccess(raw)
		},
		ErrorHandler: func(_ echo.Context, err error) error {
			var parseErr *echojwt.TokenParsingError
			if errors.As(err, &parseErr) {
				return invalidToken("the access token is invalid or expired")
			}
			return unauthorized()
		},
	})
}

// claims returns the verified access token's claims; only for routes behind
// requireBearer.
func claims(c echo.Context) *token.AccessClaims {
	return c.Get(claimsKey).(*token.AccessClaims)
}

var errNoCredentials = errors.New("no Authorization header")

// bearerToken returns the token of the request's one Authorization header of
// the form "Bearer <token>": the scheme in any letter case (RFC 6750 §2.1),
// then one or more spaces, then a token without spaces. ok is false when there
// is no such header, when it is repeated, or when it is malformed.
func bearerToken(r *http.Request) (token string, ok bool) {
	values := r.Header.Values(echo.HeaderAuthorization)
	if len(values) != 1 {
		return "", false
	}
	scheme, rest, _ := strings.Cut(values[0], " ")
	token = strings.TrimLeft(rest, " ")
	if !strings.EqualFold(scheme, "Bearer") || token == "" || strings.ContainsAny(token, " \t") {
		return "", false
	}
	return token, true
}
