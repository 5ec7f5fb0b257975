package config

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// base holds the settings every test needs.
var base = []string{
	"DATABASE_URL=postgres://u:p@localhost/db",
	"AUTH_SECRET_KEY=" + strings.Repeat("k", 32),
}

func load(t *testing.T, extra ...string) (Config, error) {
	t.Helper()
	return Load(append(append([]string{}, base...), extra...), "")
}

func TestLoadDefaults(t *testing.T) {
	cfg, err := load(t)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"ListenAddr":             "127.0.0.1:8080",
		"AccessTokenTTL":         15 * time.Minute,
		"RefreshTokenTTL":        720 * time.Hour,
		"RefreshReuseGrace":      2 * time.Second,
		"ClockLeeway":            30 * time.Second,
		"SessionIdleTimeout":     time.Duration(0),
		"SessionCleanupInterval": time.Hour,
		"SessionRetention":       168 * time.Hour,
		"PasswordMinLength":      8,
		"OpenRegistration":       true,
		"MigrateOnStart":         true,
		"LogLevel":               slog.LevelInfo,
	}
	got := map[string]any{
		"ListenAddr":             cfg.ListenAddr,
		"AccessTokenTTL":         cfg.AccessTokenTTL,
		"RefreshTokenTTL":        cfg.RefreshTokenTTL,
		"RefreshReuseGrace":      cfg.RefreshReuseGrace,
		"ClockLeeway":            cfg.ClockLeeway,
		"SessionIdleTimeout":     cfg.SessionIdleTimeout,
		"SessionCleanupInterval": cfg.SessionCleanupInterval,
		"SessionRetention":       cfg.SessionRetention,
		"PasswordMinLength":      cfg.PasswordMinLength,
		"OpenRegistration":       cfg.OpenRegistration,
		"MigrateOnStart":         cfg.MigrateOnStart,
		"LogLevel":               cfg.LogLevel,
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %v, want %v", k, got[k], w)
		}
	}
}

func TestLoadReadsDotenvAndEnvironmentWins(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".env")
	dotenv := "DATABASE_URL=postgres://file/db\nAUTH_SECRET_KEY=" + strings.Repeat("f", 40) +
		"\nAUTH_SESSION_IDLE_TIMEOUT=2h\nLISTEN_ADDR=127.0.0.1:1\n"
	if err := os.WriteFile(path, []byte(dotenv), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load([]string{"LISTEN_ADDR=127.0.0.1:2", "NOT_A_PAIR"}, path)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DatabaseURL != "postgres://file/db" || cfg.SessionIdleTimeout != 2*time.Hour ||
		cfg.ListenAddr != "127.0.0.1:2" {
		t.Errorf("cfg = %+v, want the file's values with LISTEN_ADDR from the environment", cfg)
	}
	if _, err := Load(base, filepath.Join(t.TempDir(), "absent")); err != nil {
		t.Errorf("an absent .env should be ignored: %v", err)
	}
	if _, err := Load(base, t.TempDir()); err == nil {
		t.Error("an unreadable .env (a directory) should be an error")
	}
}

func TestLoadNamesTheBadVariable(t *testing.T) {
	tests := []struct {
		name  string
		env   []string
		names string // a variable the error must name
	}{
		{"missing database", []string{"AUTH_SECRET_KEY=" + strings.Repeat("k", 32)}, "DATABASE_URL"},
		{"empty database", []string{"DATABASE_URL=", "AUTH_SECRET_KEY=" + strings.Repeat("k", 32)}, "DATABASE_URL"},
		{"short secret", []string{"DATABASE_URL=x", "AUTH_SECRET_KEY=short"}, "AUTH_SECRET_KEY"},
		{"malformed duration", append(base, "AUTH_ACCESS_TOKEN_TTL=soon"), "AUTH_ACCESS_TOKEN_TTL"},
		{"zero access TTL", append(base, "AUTH_ACCESS_TOKEN_TTL=0s"), "AUTH_ACCESS_TOKEN_TTL"},
		{"zero refresh TTL", append(base, "AUTH_REFRESH_TOKEN_TTL=0s"), "AUTH_REFRESH_TOKEN_TTL"},
		{"negative grace", append(base, "AUTH_REFRESH_REUSE_GRACE=-1s"), "AUTH_REFRESH_REUSE_GRACE"},
		{"huge leeway", append(base, "AUTH_CLOCK_LEEWAY=1h"), "AUTH_CLOCK_LEEWAY"},
		{"min length 0", append(base, "AUTH_PASSWORD_MIN_LENGTH=0"), "AUTH_PASSWORD_MIN_LENGTH"},
		{"negative concurrency", append(base, "AUTH_HASH_CONCURRENCY=-1"), "AUTH_HASH_CONCURRENCY"},
		{"idle timeout under access TTL", append(base, "AUTH_SESSION_IDLE_TIMEOUT=10m"), "AUTH_SESSION_IDLE_TIMEOUT"},
		{"idle timeout equal to access TTL", append(base, "AUTH_SESSION_IDLE_TIMEOUT=15m"), "AUTH_SESSION_IDLE_TIMEOUT"},
		{"negative idle timeout", append(base, "AUTH_SESSION_IDLE_TIMEOUT=-1h"), "AUTH_SESSION_IDLE_TIMEOUT"},
		{"negative cleanup interval", append(base, "AUTH_SESSION_CLEANUP_INTERVAL=-1h"), "AUTH_SESSION_CLEANUP_INTERVAL"},
		{"negative retention", append(base, "AUTH_SESSION_RETENTION=-1h"), "AUTH_SESSION_RETENTION"},
		{"superuser without password", append(base, "AUTH_FIRST_SUPERUSER=root"), "AUTH_FIRST_SUPERUSER_PASSWORD"},
		{"bad proxy range", append(base, "TRUSTED_PROXIES=10.0.0.0/8,nonsense"), "TRUSTED_PROXIES"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.env, "")
			if err == nil || !strings.Contains(err.Error(), tt.names) {
				t.Errorf("err = %v, want one naming %s", err, tt.names)
			}
		})
	}
	cfg, err := load(t, "AUTH_SESSION_IDLE_TIMEOUT=16m", "AUTH_SESSION_CLEANUP_INTERVAL=0s",
		"TRUSTED_PROXIES=10.0.0.0/8, ::1/128")
	if err != nil || cfg.SessionIdleTimeout != 16*time.Minute || len(cfg.TrustedProxies) != 2 {
		t.Errorf("valid values refused: %+v, %v", cfg, err)
	}
}

func TestSecretsNeverPrint(t *testing.T) {
	s := Secret("hunter2-hunter2")
	for _, got := range []string{s.String(), fmt.Sprint(s), fmt.Sprintf("%v", s), s.LogValue().String()} {
		if strings.Contains(got, "hunter2") {
			t.Errorf("secret printed as %q", got)
		}
	}
	if Secret("").String() != "" {
		t.Error("an empty secret should print empty, to show it is unset")
	}
	if len(Environ()) == 0 {
		t.Log("empty process environment")
	}
}
