package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/term"

	"authstarter/auth"
	"authstarter/config"
	"authstarter/db"
)

func (a *app) migrate(ctx context.Context, cfg config.Config, args []string) error {
	if len(args) == 0 {
		return errors.New("migrate needs a subcommand: up, down N or version")
	}
	m, err := db.NewMigrator(cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer m.Close()

	switch {
	case args[0] == "up" && len(args) == 1:
		if err := m.Up(ctx); err != nil {
			return fmt.Errorf("migrate up: %w", err)
		}
	case args[0] == "down" && len(args) == 2:
		n, err := strconv.Atoi(args[1])
		if err != nil || n < 1 {
			return fmt.Errorf("migrate down takes a positive number of steps, not %q", args[1])
		}
		if err := m.Down(ctx, n); err != nil {
			return fmt.Errorf("migrate down: %w", err)
		}
	case args[0] == "down" && len(args) == 1:
		return errors.New("migrate down needs the number of migrations to revert: migrate down N")
	case args[0] == "version" && len(args) == 1:
	default:
		return fmt.Errorf("unknown migrate command %q: use up, down N or version", strings.Join(args, " "))
	}

	version, dirty, applied, err := m.Version()
	switch {
	case err != nil:
		return fmt.Errorf("read schema version: %w", err)
	case !applied:
		fmt.Fprintln(a.stdout, "schema version: none (no migration applied)")
	case dirty:
		fmt.Fprintf(a.stdout, "schema version: %d (dirty: the last migration failed half-way; fix it by hand)\n", version)
	default:
		fmt.Fprintf(a.stdout, "schema version: %d\n", version)
	}
	return nil
}

func (a *app) createSuperuser(ctx context.Context, cfg config.Config, args []string) error {
	fs := flag.NewFlagSet("createsuperuser", flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	username := fs.String("username", cfg.FirstSuperuser, "the superuser's username (or AUTH_FIRST_SUPERUSER)")
	pw := fs.String("password", string(cfg.FirstSuperuserPassword),
		"the superuser's password (or AUTH_FIRST_SUPERUSER_PASSWORD); prompted for when absent")
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return nil // the usage is printed
	} else if err != nil {
		return err
	}

	in := bufio.NewReader(a.stdin)
	var err error
	if *username == "" {
		if *username, err = a.prompt(in, "Username: ", false); err != nil {
			return err
		}
	}
	if *pw == "" {
		if *pw, err = a.prompt(in, "Password: ", true); err != nil {
			return err
		}
	}

	if err := migrateUp(ctx, cfg.DatabaseURL); err != nil {
		return err
	}
	pool, svc, err := connect(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()

	found, err := svc.EnsureSuperuser(ctx, *username, *pw)
	if err != nil {
		return fmt.Errorf("create superuser: %w", err)
	}
	name, _ := auth.CanonicalUsername(*username) // valid: EnsureSuperuser checked it
	switch found {
	case auth.SuperuserCreated:
		fmt.Fprintf(a.stdout, "created superuser %q\n", name)
	case auth.SuperuserExists:
		fmt.Fprintf(a.stdout, "a superuser named %q already exists; left unchanged\n", name)
	default:
		return fmt.Errorf("a user named %q already exists but is not an active superuser; left unchanged "+
			"(make it one with PATCH /admin/users/{id}, or choose another name)", name)
	}
	return nil
}

// prompt reads one line, without echo for secrets when stdin is a terminal.
func (a *app) prompt(in *bufio.Reader, label string, secret bool) (string, error) {
	fmt.Fprint(a.stderr, label)
	if f, ok := a.stdin.(*os.File); ok && secret && term.IsTerminal(int(f.Fd())) {
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(a.stderr)
		return string(b), err
	}
	line, err := in.ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", fmt.Errorf("read %s: no input (pass -username and -password, or set AUTH_FIRST_SUPERUSER)",
			strings.TrimSuffix(strings.ToLower(label), ": "))
	}
	return strings.TrimRight(line, "\r\n"), nil
}
