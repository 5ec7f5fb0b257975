package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"

	"authstarter/auth"
	"authstarter/config"
	"authstarter/db"
	"authstarter/handlers"
	"authstarter/password"
	"authstarter/token"
)

// shutdownTimeout is how long in-flight requests get to finish after SIGTERM.
const shutdownTimeout = 20 * time.Second

func (a *app) serve(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	if cfg.MigrateOnStart {
		if err := migrateUp(ctx, cfg.DatabaseURL); err != nil {
			return err
		}
	}

	pool, svc, err := connect(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	if cfg.FirstSuperuser != "" {
		found, err := svc.EnsureSuperuser(ctx, cfg.FirstSuperuser, string(cfg.FirstSuperuserPassword))
		switch {
		case err != nil:
			return fmt.Errorf("create AUTH_FIRST_SUPERUSER: %w", err)
		case found == auth.SuperuserCreated:
			log.Info("created first superuser", "username", cfg.FirstSuperuser)
		case found == auth.SuperuserNameIsTaken:
			log.Warn("AUTH_FIRST_SUPERUSER names a user who is not an active superuser; left unchanged",
				"username", cfg.FirstSuperuser)
		}
	}

	if cfg.SessionCleanupInterval > 0 {
		go svc.RunJanitor(ctx, cfg.SessionCleanupInterval, cfg.SessionRetention, log)
	}

	e := handlers.New(handlers.Options{
		Service:        svc,
		Pool:           pool,
		Logger:         log,
		TrustedProxies: parseCIDRs(cfg.TrustedProxies),
		IPRate:         cfg.IPRate,
		IPBurst:        cfg.IPBurst,
	})
	return a.listenAndServe(ctx, e, cfg, log)
}

// connect opens the connection pool and builds the auth service on it. Close
// the pool when done.
func connect(ctx context.Context, cfg config.Config) (*pgxpool.Pool, *auth.Service, error) {
	pool, err := db.NewPool(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, nil, fmt.Errorf("connect to the database (DATABASE_URL): %w", err)
	}
	svc, err := newService(cfg, pool)
	if err != nil {
		pool.Close()
		return nil, nil, err
	}
	return pool, svc, nil
}

func newService(cfg config.Config, pool *pgxpool.Pool) (*auth.Service, error) {
	issuer, err := token.NewIssuer(token.Config{
		Secret:    []byte(cfg.SecretKey),
		Issuer:    cfg.Issuer,
		Audience:  cfg.Audience,
		AccessTTL: cfg.AccessTokenTTL,
		Leeway:    cfg.ClockLeeway,
	})
	if err != nil {
		return nil, err
	}
	hasher := password.NewHasher(password.DefaultParams, cfg.HashConcurrency)
	return auth.New(pool, hasher, issuer, auth.Config{
		RefreshTTL:        cfg.RefreshTokenTTL,
		RefreshReuseGrace: cfg.RefreshReuseGrace,
		IdleTimeout:       cfg.SessionIdleTimeout,
		OpenRegistration:  cfg.OpenRegistration,
		Policy:            password.Policy{MinLength: cfg.PasswordMinLength},
		LoginMaxFailures:  cfg.LoginMaxFailures,
		LoginLockout:      cfg.LoginLockout,
	}), nil
}

// listenAndServe serves until ctx ends, then lets in-flight requests finish.
func (a *app) listenAndServe(ctx context.Context, e *echo.Echo, cfg config.Config, log *slog.Logger) error {
	ln, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("listen on LISTEN_ADDR %s: %w", cfg.ListenAddr, err)
	}
	srv := handlers.NewServer(handlers.WithHead(e), log)
	log.Info("serving", "addr", "http://"+ln.Addr().String())
	if a.listening != nil {
		a.listening(ln.Addr())
	}

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}

	log.Info("shutting down", "timeout", shutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

func parseCIDRs(cidrs []string) []*net.IPNet {
	var nets []*net.IPNet
	for _, c := range cidrs {
		if _, n, err := net.ParseCIDR(strings.TrimSpace(c)); err == nil {
			nets = append(nets, n)
		}
	}
	return nets
}

func migrateUp(ctx context.Context, databaseURL string) error {
	m, err := db.NewMigrator(databaseURL)
	if err != nil {
		return err
	}
	defer m.Close()
	if err := m.Up(ctx); err != nil {
		return fmt.Errorf("apply migrations: %w", err)
	}
	return nil
}
