package handlers

import (
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

// refreshBearer is POST /auth/token/refresh: the refresh grant with the refresh
// token in Authorization: Bearer, kept for clients of the original design. It
// answers exactly as the grant does.
func (h *Handler) refreshBearer(c echo.Context) error {
	refreshToken, ok := bearerToken(c.Request())
	if !ok {
		return newError(http.StatusBadRequest, codeInvalidRequest,
			"send the refresh token in the Authorization header, as Bearer followed by the token")
	}

	pair, err := h.svc.Refresh(c.Request().Context(), refreshToken, "")
	if err != nil {
		return err
	}
	return writeTokens(c, pair)
}

// validateResponse describes a valid access token.
type validateResponse struct {
	Subject   uuid.UUID `json:"sub"`
	Username  string    `json:"username"`
	Scopes    []string  `json:"scopes"`
	ExpiresAt time.Time `json:"expires_at"`
	SessionID uuid.UUID `json:"session_id"`
}

// validate is GET /auth/token/validate: 200 with what the access token grants
// while its session is live and its user active, else 401.
func (h *Handler) validate(c echo.Context) error {
	cl := claims(c)
	user, err := h.svc.CurrentUser(c.Request().Context(), cl)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, validateResponse{
		Subject:   user.ID,
		Username:  user.Username,
		Scopes:    cl.Scopes(),
		ExpiresAt: cl.ExpiresAt.Time.UTC(),
		SessionID: cl.SessionID,
	})
}

// logout is POST /auth/token/logout: ends the session of the refresh token in
// the form field refresh_token or in Authorization: Bearer. 204 whether or not
// the token was valid (as RFC 7009 §2.2 does), so it is idempotent and reveals
// nothing; 400 only when no token is sent, or two are.
func (h *Handler) logout(c echo.Context) error {
	form := map[string]string{}
	if c.Request().ContentLength != 0 || c.Request().Header.Get(echo.HeaderContentType) != "" {
		var err error
		if form, err = readForm(c); err != nil {
			return err
		}
	}
	bearer, hasBearer := bearerToken(c.Request())
	refreshToken, inForm := form["refresh_token"]
	switch {
	case inForm && hasBearer:
		return newError(http.StatusBadRequest, codeInvalidRequest,
			"send the refresh token either in the form or in the Authorization header, not both")
	case hasBearer:
		refreshToken = bearer
	case !inForm:
		return newError(http.StatusBadRequest, codeInvalidRequest,
			"send the refresh token as the form field refresh_token or as a Bearer token")
	}

	if err := h.svc.Logout(c.Request().Context(), refreshToken); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// logoutAll is POST /auth/token/logout/all: ends every session of the access
// token's user, its own included.
func (h *Handler) logoutAll(c echo.Context) error {
	if err := h.svc.LogoutAll(c.Request().Context(), claims(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
