package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os/signal"
	"syscall"

	"github.com/labstack/echo/v4"

	"authstarter/handlers"
)

// bareEchoCommand is the hidden first argument that makes this binary serve
// the validate scenario's limit instead of benchmarking.
const bareEchoCommand = "bare-echo"

// bareBody is what the bare route returns: about the size of a validate answer.
const bareBody = `{"sub":"00000000-0000-0000-0000-000000000000","scope":"","exp":1700000000}`

// newBareEcho returns the limit of the validate scenario: Echo with one route
// that returns a constant body, with no middleware, no token and no database.
func newBareEcho() *echo.Echo {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.GET("/bare", func(c echo.Context) error {
		return c.JSONBlob(http.StatusOK, []byte(bareBody))
	})
	return e
}

// serveBareEcho serves the bare route on a free loopback port, writes its base
// URL as one line to out, and serves until SIGTERM or SIGINT.
func serveBareEcho(out io.Writer) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := handlers.NewServer(newBareEcho(), slog.Default())
	fmt.Fprintf(out, "http://%s\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	if err := srv.Shutdown(context.Background()); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
