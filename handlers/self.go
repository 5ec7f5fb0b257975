package handlers

import (
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"authstarter/auth"
)

// updateSelf is PATCH /auth/self: sets the profile fields present in the body
// (a field left out is kept; null clears it, or is a 422 for a required field)
// and returns the user. Flags and passwords are not profile fields, so sending
// one is an unknown field: 400.
func (h *Handler) updateSelf(c echo.Context) error {
	var p auth.Profile
	if err := bindJSON(c, &p); err != nil {
		return err
	}

	user, err := h.svc.UpdateSelf(c.Request().Context(), claims(c), p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, user)
}

// passwordChange is the body of POST /auth/self/password.
type passwordChange struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// changePassword is POST /auth/self/password: 204 once the new password is set
// and every other session of the user has ended; the caller's stays.
func (h *Handler) changePassword(c echo.Context) error {
	var req passwordChange
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if req.CurrentPassword == "" || req.NewPassword == "" {
		return newError(http.StatusUnprocessableEntity, codeValidation,
			"current_password and new_password are required")
	}

	err := h.svc.ChangePassword(c.Request().Context(), claims(c), req.CurrentPassword, req.NewPassword)
	if err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// sessionResponse is one session as its own user sees it.
type sessionResponse struct {
	ID         uuid.UUID `json:"id"`
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	UserAgent  string    `json:"user_agent"`
	ClientIP   string    `json:"client_ip"`
	// Current marks the session of the access token that asked.
	Current bool `json:"current"`
}

type sessionsResponse struct {
	Sessions []sessionResponse `json:"sessions"`
}

// listSessions is GET /auth/self/sessions: the user's live sessions, newest
// first.
func (h *Handler) listSessions(c echo.Context) error {
	cl := claims(c)
	sessions, err := h.svc.Sessions(c.Request().Context(), cl)
	if err != nil {
		return err
	}

	resp := sessionsResponse{Sessions: make([]sessionResponse, 0, len(sessions))}
	for _, s := range sessions {
		resp.Sessions = append(resp.Sessions, sessionResponse{
			ID:         s.ID,
			CreatedAt:  s.CreatedAt,
			LastUsedAt: s.LastUsedAt,
			ExpiresAt:  s.ExpiresAt,
			UserAgent:  s.UserAgent,
			ClientIP:   s.ClientIp,
			Current:    s.ID == cl.SessionID,
		})
	}
	return c.JSON(http.StatusOK, resp)
}

// deleteSession is DELETE /auth/self/sessions/:id: ends one of the user's own
// live sessions (the current one too). 404 for any other id, malformed or not,
// so nobody learns which sessions exist.
func (h *Handler) deleteSession(c echo.Context) error {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		return auth.ErrNotFound
	}

	if err := h.svc.EndSession(c.Request().Context(), claims(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
