// Command authstarter is the authentication service: one binary that serves the
// API and manages its database.
//
//	authstarter [serve]             apply pending migrations, then serve HTTP
//	authstarter migrate up          apply pending migrations
//	authstarter migrate down N      revert the last N migrations
//	authstarter migrate version     print the schema version
//	authstarter createsuperuser     create a superuser (idempotent)
//
// Settings come from the environment and .env; see .env.example.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"

	"authstarter/config"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a := &app{
		environ: os.Environ(),
		dotenv:  ".env",
		stdin:   os.Stdin,
		stdout:  os.Stdout,
		stderr:  os.Stderr,
	}
	if err := a.run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

// app is one invocation of the binary, with its environment and streams, so
// that tests run it exactly as main does.
type app struct {
	environ []string
	dotenv  string
	stdin   io.Reader
	stdout  io.Writer
	stderr  io.Writer
	// listening, when set, is told the server's address once it accepts
	// connections (tests listen on port 0).
	listening func(net.Addr)
}

const usage = `usage: authstarter [command]

commands:
  serve                  apply pending migrations (unless MIGRATE_ON_START=false), then serve
  migrate up             apply pending migrations
  migrate down N         revert the last N migrations
  migrate version        print the schema version
  createsuperuser [-username NAME] [-password PASSWORD]
                         create an active superuser unless the name is taken; the
                         name and password may also come from AUTH_FIRST_SUPERUSER
                         and AUTH_FIRST_SUPERUSER_PASSWORD, or are prompted for

settings come from the environment and from .env; see .env.example`

func (a *app) run(ctx context.Context, args []string) error {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	if cmd == "help" || cmd == "-h" || cmd == "--help" {
		fmt.Fprintln(a.stdout, usage)
		return nil
	}

	cfg, err := config.Load(a.environ, a.dotenv)
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	log := newLogger(a.stderr, cfg.LogLevel)

	switch cmd {
	case "serve":
		if len(args) > 0 {
			return errors.New("serve takes no arguments\n" + usage)
		}
		return a.serve(ctx, cfg, log)
	case "migrate":
		return a.migrate(ctx, cfg, args)
	case "createsuperuser":
		return a.createSuperuser(ctx, cfg, args)
	}
	return fmt.Errorf("unknown command %q\n%s", cmd, usage)
}

func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}
