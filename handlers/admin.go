package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"authstarter/auth"
	"authstarter/db/sqlc"
)

// adminRoutes adds the /admin routes. Each needs an access token with scope
// admin whose user is, at the time of the request, an active superuser with a
// live session.
func (h *Handler) adminRoutes(e *echo.Echo, bearer echo.MiddlewareFunc) {
	admin := []echo.MiddlewareFunc{noStore, bearer, h.requireAdmin}
	g := e.Group("/admin")
	g.GET("/users", h.listUsers, admin...)
	g.POST("/users", h.createUser, admin...)
	g.GET("/users/:id", h.getUser, admin...)
	g.PATCH("/users/:id", h.updateUser, admin...)
	g.DELETE("/users/:id", h.deleteUser, admin...)
	g.GET("/users/:id/sessions", h.listUserSessions, admin...)
	g.DELETE("/users/:id/sessions", h.endUserSessions, admin...)
}

// requireAdmin lets the request through only when the access token's user is
// still an active superuser; it runs after requireBearer.
func (h *Handler) requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if _, err := h.svc.CurrentAdmin(c.Request().Context(), claims(c)); err != nil {
			return err
		}
		return next(c)
	}
}

// userPage is the body of GET /admin/users. NextCursor is absent on the last
// page.
type userPage struct {
	Items      []sqlc.User `json:"items"`
	NextCursor string      `json:"next_cursor,omitempty"`
}

// listUsers returns a page of users: ?limit, ?cursor, ?username_prefix,
// ?is_active.
func (h *Handler) listUsers(c echo.Context) error {
	filter, err := userFilter(c.QueryParams())
	if err != nil {
		return err
	}

	page, err := h.svc.ListUsers(c.Request().Context(), filter)
	if err != nil {
		return err
	}

	return c.JSON(http.StatusOK, userPage{Items: page.Users, NextCursor: page.Next})
}

// userFilter reads the query of GET /admin/users. An unknown or repeated
// parameter is an error, so a misspelt filter never silently lists everyone;
// an empty one counts as absent.
func userFilter(query url.Values) (auth.UserFilter, error) {
	f := auth.UserFilter{Limit: auth.DefaultPageSize}
	for name, values := range query {
		if len(values) > 1 {
			return f, newError(http.StatusBadRequest, codeInvalidRequest, "parameter "+name+" is repeated")
		}
		v := values[0]
		if v == "" {
			continue
		}
		switch name {
		case "limit":
			n, err := strconv.Atoi(v)
			if err != nil {
				return f, newError(http.StatusBadRequest, codeInvalidRequest, "limit must be a whole number")
			}
			f.Limit = n
		case "cursor":
			f.Cursor = v
		case "username_prefix":
			f.UsernamePrefix = v
		case "is_active":
			active, ok := map[string]bool{"true": true, "false": false}[v]
			if !ok {
				return f, newError(http.StatusBadRequest, codeInvalidRequest,
					"is_active must be true or false")
			}
			f.IsActive = &active
		default:
			return f, newError(http.StatusBadRequest, codeInvalidRequest, fmt.Sprintf(
				"unknown parameter %s; use limit, cursor, username_prefix or is_active", name))
		}
	}
	return f, nil
}

// createUserRequest is the body of POST /admin/users: the profile fields, a
// password, and the flags. is_active defaults to true, is_superuser to false.
type createUserRequest struct {
	auth.Profile
	Password    string `json:"password"`
	IsActive    *bool  `json:"is_active,omitempty"`
	IsSuperuser bool   `json:"is_superuser,omitempty"`
}

// createUser creates a user with any flags: 201 with the user.
func (h *Handler) createUser(c echo.Context) error {
	var req createUserRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}

	user, err := h.svc.CreateUser(c.Request().Context(), auth.NewUser{
		Profile:     req.Profile,
		Password:    req.Password,
		IsActive:    req.IsActive == nil || *req.IsActive,
		IsSuperuser: req.IsSuperuser,
	})
	if err != nil {
		return err
	}

	c.Response().Header().Set(echo.HeaderLocation, "/admin/users/"+user.ID.String())
	return c.JSON(http.StatusCreated, user)
}

// getUser returns one user.
func (h *Handler) getUser(c echo.Context) error {
	id, err := userID(c)
	if err != nil {
		return err
	}
	user, err := h.svc.GetUser(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, user)
}

// updateUserRequest is the body of PATCH /admin/users/{id}: a field left out
// is kept; none may be null.
type updateUserRequest struct {
	auth.Profile
	Password    auth.Field[string] `json:"password,omitempty"`
	IsActive    auth.Field[bool]   `json:"is_active,omitempty"`
	IsSuperuser auth.Field[bool]   `json:"is_superuser,omitempty"`
}

// updateUser changes a user's profile, flags or password: 200 with the user.
func (h *Handler) updateUser(c echo.Context) error {
	id, err := userID(c)
	if err != nil {
		return err
	}
	var req updateUserRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}

	user, err := h.svc.UpdateUser(c.Request().Context(), id, auth.UserChanges(req))
	if err != nil {
		return err
	}

	return c.JSON(http.StatusOK, user)
}

// deleteUser deletes a user and their sessions: 204.
func (h *Handler) deleteUser(c echo.Context) error {
	id, err := userID(c)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteUser(c.Request().Context(), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// userSessionList is the body of GET /admin/users/{id}/sessions.
type userSessionList struct {
	Items []sqlc.Session `json:"items"`
}

// listUserSessions returns a user's live sessions, newest first.
func (h *Handler) listUserSessions(c echo.Context) error {
	id, err := userID(c)
	if err != nil {
		return err
	}
	sessions, err := h.svc.ListSessionsOf(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, userSessionList{Items: sessions})
}

// endUserSessions ends every session of a user: 204.
func (h *Handler) endUserSessions(c echo.Context) error {
	id, err := userID(c)
	if err != nil {
		return err
	}
	if err := h.svc.EndSessionsOf(c.Request().Context(), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// userID parses the {id} path parameter; what is not a user id names no
// user, so it is a 404.
func userID(c echo.Context) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		return uuid.Nil, newError(http.StatusNotFound, codeNotFound, "no such resource")
	}
	return id, nil
}

// Error codes of the admin routes.
const (
	codeInsufficientScope = "insufficient_scope"
	codeLastSuperuser     = "last_superuser"
)

// adminErrorFor maps the errors of the admin use cases; nil for any other.
func adminErrorFor(err error) *Error {
	switch {
	case errors.Is(err, auth.ErrInsufficientScope):
		e := newError(http.StatusForbidden, codeInsufficientScope,
			"this route needs an access token with scope admin")
		e.Challenge = fmt.Sprintf("Bearer realm=%q, error=%q, scope=%q",
			realm, codeInsufficientScope, auth.ScopeAdmin)
		return e
	case errors.Is(err, auth.ErrNotAdmin):
		return newError(http.StatusForbidden, codeForbidden, "this account is no longer an administrator")
	case errors.Is(err, auth.ErrLastSuperuser):
		return newError(http.StatusConflict, codeLastSuperuser,
			"this would leave no active superuser; make another user an active superuser first")
	case errors.Is(err, auth.ErrInvalidCursor):
		return newError(http.StatusBadRequest, codeInvalidRequest,
			"cursor is not one this service issued; start again without it")
	}
	return nil
}
