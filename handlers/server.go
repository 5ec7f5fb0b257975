package handlers

import (
	"log/slog"
	"net/http"
	"time"
)

// NewServer returns the http.Server that serves h in production: timeouts that
// stop slow clients from holding connections, a bound on header size, and the
// server's own errors logged through log. The benchmark's bare route uses it
// too, so that both are measured with the same settings.
func NewServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}
