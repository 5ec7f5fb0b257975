package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"authstarter/auth"
)

// registerRequest is the body of POST /auth/register: the profile fields and
// a password.
type registerRequest struct {
	auth.Profile
	Password string `json:"password"`
}

// register creates an account: 201 with the user, 409 for a taken username,
// 403 when registration is closed.
func (h *Handler) register(c echo.Context) error {
	var req registerRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}

	user, err := h.svc.Register(c.Request().Context(), req.Profile, req.Password)
	if err != nil {
		return err
	}

	c.Response().Header().Set(echo.HeaderLocation, "/auth/self")
	return c.JSON(http.StatusCreated, user)
}

// tokenResponse is the success body of the token endpoint (RFC 6749 §5.1).
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
	Scope        string `json:"scope,omitempty"`
}

// token is the OAuth2 token endpoint, for the password and refresh_token grants.
func (h *Handler) token(c echo.Context) error {
	form, err := readForm(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()

	var pair auth.TokenPair
	switch form["grant_type"] {
	case "password":
		if form["username"] == "" || form["password"] == "" {
			return newError(http.StatusBadRequest, codeInvalidRequest, "username and password are required")
		}
		client := auth.Client{UserAgent: c.Request().UserAgent(), IP: c.RealIP()}
		pair, err = h.svc.Login(ctx, form["username"], form["password"], form["scope"], client)
	case "refresh_token":
		if form["refresh_token"] == "" {
			return newError(http.StatusBadRequest, codeInvalidRequest, "refresh_token is required")
		}
		pair, err = h.svc.Refresh(ctx, form["refresh_token"], form["scope"])
	case "":
		return newError(http.StatusBadRequest, codeInvalidRequest, "grant_type is required")
	default:
		return newError(http.StatusBadRequest, "unsupported_grant_type",
			"grant_type must be password or refresh_token")
	}
	if err != nil {
		return err
	}

	return writeTokens(c, pair)
}

// writeTokens writes a successful token response (RFC 6749 §5.1).
func writeTokens(c echo.Context, pair auth.TokenPair) error {
	return c.JSON(http.StatusOK, tokenResponse{
		AccessToken:  pair.AccessToken,
		TokenType:    "Bearer",
		ExpiresIn:    pair.ExpiresIn,
		RefreshToken: pair.RefreshToken,
		Scope:        pair.Scope,
	})
}

// self returns the user behind the access token.
func (h *Handler) self(c echo.Context) error {
	user, err := h.svc.CurrentUser(c.Request().Context(), claims(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, user)
}
