// Package config loads the server's settings from the environment and, when
// present, a .env file. Every setting is a field of Config; its env tag names the
// variable and its default, and its comment says what it means.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"reflect"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
	"github.com/joho/godotenv"
)

// Config holds every setting. The table in README.md mirrors it. A variable set
// to the empty string counts as unset: its default applies.
type Config struct {
	// DatabaseURL is the PostgreSQL connection URL.
	DatabaseURL string `env:"DATABASE_URL,required,notEmpty"`
	// ListenAddr is the host:port the HTTP server binds.
	ListenAddr string `env:"LISTEN_ADDR" envDefault:"127.0.0.1:8080"`
	// MigrateOnStart applies pending migrations before serving.
	MigrateOnStart bool `env:"MIGRATE_ON_START" envDefault:"true"`
	// LogLevel is one of debug, info, warn, error.
	LogLevel slog.Level `env:"LOG_LEVEL" envDefault:"info"`

	// SecretKey signs tokens with HMAC-SHA256; at least 32 bytes.
	SecretKey Secret `env:"AUTH_SECRET_KEY,required,notEmpty"`
	// Issuer is the iss claim of every token, checked on every token.
	Issuer string `env:"AUTH_ISSUER" envDefault:"authstarter"`
	// Audience is the aud claim of access tokens, checked on every token.
	Audience string `env:"AUTH_AUDIENCE" envDefault:"authstarter-api"`
	// AccessTokenTTL is how long an access token is valid.
	AccessTokenTTL time.Duration `env:"AUTH_ACCESS_TOKEN_TTL" envDefault:"15m"`
	// RefreshTokenTTL is a session's absolute lifetime, counted from login.
	RefreshTokenTTL time.Duration `env:"AUTH_REFRESH_TOKEN_TTL" envDefault:"720h"`
	// RefreshReuseGrace is how long after a rotation the replaced refresh token
	// may be presented again (by a client's own concurrent request) and fail
	// without ending the session. Zero makes every reuse end the session.
	RefreshReuseGrace time.Duration `env:"AUTH_REFRESH_REUSE_GRACE" envDefault:"2s"`
	// ClockLeeway is the clock skew tolerated when checking exp, nbf and iat.
	ClockLeeway time.Duration `env:"AUTH_CLOCK_LEEWAY" envDefault:"30s"`
	// OpenRegistration lets anyone create an account through POST /auth/register.
	OpenRegistration bool `env:"AUTH_OPEN_REGISTRATION" envDefault:"true"`
	// PasswordMinLength is the fewest Unicode code points a new password may have.
	PasswordMinLength int `env:"AUTH_PASSWORD_MIN_LENGTH" envDefault:"8"`
	// TrustedProxies lists the CIDR ranges of reverse proxies whose
	// X-Forwarded-For header is believed; empty means the client address is
	// always the connection's peer.
	TrustedProxies []string `env:"TRUSTED_PROXIES" envSeparator:","`
	// FirstSuperuser, with FirstSuperuserPassword, creates that superuser at
	// startup when no user has that name.
	FirstSuperuser string `env:"AUTH_FIRST_SUPERUSER"`
	// FirstSuperuserPassword is the first superuser's password.
	FirstSuperuserPassword Secret `env:"AUTH_FIRST_SUPERUSER_PASSWORD"`
	// HashConcurrency bounds how many password hashes run at once (0: one per CPU).
	HashConcurrency int `env:"AUTH_HASH_CONCURRENCY" envDefault:"0"`

	// SessionIdleTimeout ends a session not refreshed for this long; 0 turns it
	// off. When set it must exceed AUTH_ACCESS_TOKEN_TTL, or an active client
	// would be logged out between two refreshes.
	SessionIdleTimeout time.Duration `env:"AUTH_SESSION_IDLE_TIMEOUT" envDefault:"0s"`
	// SessionCleanupInterval is how often serve deletes long-ended sessions
	// and expired login failure counts; 0 turns the cleanup off.
	SessionCleanupInterval time.Duration `env:"AUTH_SESSION_CLEANUP_INTERVAL" envDefault:"1h"`
	// SessionRetention is how long an ended (expired, revoked or idle) session
	// is kept, for auditing and to recognise its spent tokens, before cleanup.
	SessionRetention time.Duration `env:"AUTH_SESSION_RETENTION" envDefault:"168h"`

	// LoginMaxFailures is how many failed password logins for one username,
	// each within LoginLockout of the previous, lock it; 0 turns the lock off.
	// The count lives in PostgreSQL, shared by every replica.
	LoginMaxFailures int `env:"AUTH_LOGIN_MAX_FAILURES" envDefault:"5"`
	// LoginLockout is how long a locked username stays locked, and how long a
	// failure is remembered.
	LoginLockout time.Duration `env:"AUTH_LOGIN_LOCKOUT" envDefault:"15m"`
	// IPRate is how many requests a second one client address may make to
	// POST /auth/token and POST /auth/register, on average; 0 turns the limit
	// off. Each replica counts on its own.
	IPRate float64 `env:"AUTH_IP_RATE" envDefault:"1"`
	// IPBurst is how many such requests one client address may make at once.
	IPBurst int `env:"AUTH_IP_BURST" envDefault:"10"`
}

// Secret is a string that never prints its value.
type Secret string

// String masks the secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "[redacted]"
}

// LogValue masks the secret in slog output.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// Load reads the settings from environ (KEY=VALUE pairs, as os.Environ returns)
// and from dotenvPath when that file exists; a variable set in environ wins over
// the file. It returns an error naming the first variable that is missing or
// malformed.
func Load(environ []string, dotenvPath string) (Config, error) {
	vars := map[string]string{}
	if dotenvPath != "" {
		fileVars, err := godotenv.Read(dotenvPath)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return Config{}, fmt.Errorf("read %s: %w", dotenvPath, err)
		default:
			vars = fileVars
		}
	}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			vars[k] = v
		}
	}

	var cfg Config
	if err := env.ParseWithOptions(&cfg, env.Options{Environment: vars}); err != nil {
		return Config{}, describe(err)
	}
	return cfg, cfg.validate()
}

// Environ returns the process environment, for Load.
func Environ() []string { return os.Environ() }

func (cfg Config) validate() error {
	switch {
	case len(cfg.SecretKey) < 32:
		return errors.New("AUTH_SECRET_KEY must be at least 32 bytes; " +
			"generate one with: openssl rand -base64 48")
	case cfg.AccessTokenTTL <= 0:
		return errors.New("AUTH_ACCESS_TOKEN_TTL must be a positive duration such as 15m")
	case cfg.RefreshTokenTTL <= 0:
		return errors.New("AUTH_REFRESH_TOKEN_TTL must be a positive duration such as 720h")
	case cfg.RefreshReuseGrace < 0:
		return errors.New("AUTH_REFRESH_REUSE_GRACE must be zero or a positive duration")
	case cfg.ClockLeeway < 0 || cfg.ClockLeeway > 5*time.Minute:
		return errors.New("AUTH_CLOCK_LEEWAY must be between 0s and 5m")
	case cfg.PasswordMinLength < 1 || cfg.PasswordMinLength > 64:
		return errors.New("AUTH_PASSWORD_MIN_LENGTH must be between 1 and 64")
	case cfg.SessionIdleTimeout < 0 ||
		(cfg.SessionIdleTimeout > 0 && cfg.SessionIdleTimeout <= cfg.AccessTokenTTL):
		return errors.New("AUTH_SESSION_IDLE_TIMEOUT must be 0 (off) or longer than AUTH_ACCESS_TOKEN_TTL")
	case cfg.SessionCleanupInterval < 0:
		return errors.New("AUTH_SESSION_CLEANUP_INTERVAL must be 0 (off) or a positive duration such as 1h")
	case cfg.SessionRetention < 0:
		return errors.New("AUTH_SESSION_RETENTION must be zero or a positive duration such as 168h")
	case cfg.HashConcurrency < 0:
		return errors.New("AUTH_HASH_CONCURRENCY must be 0 (one per CPU) or more")
	case (cfg.FirstSuperuser == "") != (cfg.FirstSuperuserPassword == ""):
		return errors.New("AUTH_FIRST_SUPERUSER and AUTH_FIRST_SUPERUSER_PASSWORD must be set together")
	case cfg.LoginMaxFailures < 0:
		return errors.New("AUTH_LOGIN_MAX_FAILURES must be 0 (no lock) or more")
	case cfg.LoginMaxFailures > 0 && cfg.LoginLockout < time.Second:
		return errors.New("AUTH_LOGIN_LOCKOUT must be a duration of at least 1s such as 15m")
	case cfg.IPRate < 0:
		return errors.New("AUTH_IP_RATE must be 0 (no limit) or a positive number of requests a second")
	case cfg.IPRate > 0 && cfg.IPBurst < 1:
		return errors.New("AUTH_IP_BURST must be at least 1")
	}
	for _, cidr := range cfg.TrustedProxies {
		if _, _, err := net.ParseCIDR(strings.TrimSpace(cidr)); err != nil {
			return fmt.Errorf("TRUSTED_PROXIES: %q is not a CIDR range such as 10.0.0.0/8", cidr)
		}
	}
	return nil
}

// describe turns the env library's aggregate error into one line per variable.
func describe(err error) error {
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		return err
	}
	msgs := make([]string, 0, len(agg.Errors))
	for _, e := range agg.Errors {
		var (
			missing env.VarIsNotSetError
			empty   env.EmptyVarError
			parse   env.ParseError
		)
		switch {
		case errors.As(e, &missing):
			msgs = append(msgs, missing.Key+" is required but not set (see .env.example)")
		case errors.As(e, &empty):
			msgs = append(msgs, empty.Key+" is required but empty (see .env.example)")
		case errors.As(e, &parse):
			msgs = append(msgs, fmt.Sprintf("%s is malformed: %v", envName(parse.Name), parse.Err))
		default:
			msgs = append(msgs, e.Error())
		}
	}
	return errors.New(strings.Join(msgs, "; "))
}

// envName returns the variable behind the Config field named field.
func envName(field string) string {
	f, ok := reflect.TypeFor[Config]().FieldByName(field)
	if !ok {
		return field
	}
	name, _, _ := strings.Cut(f.Tag.Get("env"), ",")
	return name
}
