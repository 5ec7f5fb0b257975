package handlers

import (
	"errors"

	echojwt "github.com/labstack/echo-jwt/v4"
	"github.com/labstack/echo/v4"

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
		ContextKey:  claimsKey,
		TokenLookup: "header:" + echo.HeaderAuthorization + ":Bearer ",
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
