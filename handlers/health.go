package handlers

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

type status struct {
	Status string `json:"status"`
}

// health reports that the process is alive.
func (h *Handler) health(c echo.Context) error {
	return c.JSON(http.StatusOK, status{Status: "ok"})
}

// ready reports whether the database answers; 503 when it does not.
func (h *Handler) ready(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := h.pool.Ping(ctx); err != nil {
		h.log.WarnContext(ctx, "readiness check failed", "error", err)
		return newError(http.StatusServiceUnavailable, codeUnavailable, "the database is not reachable")
	}
	return c.JSON(http.StatusOK, status{Status: "ready"})
}
