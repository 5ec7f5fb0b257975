package db_test

import (
	"context"
	"io/fs"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"authstarter/db"
	"authstarter/internal/testdb"
)

func TestMigratorUpDownVersion(t *testing.T) {
	m, err := db.NewMigrator(testdb.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()

	latest, dirty, applied, err := m.Version()
	if err != nil || dirty || !applied || latest == 0 {
		t.Fatalf("Version on a migrated database = %d, dirty %v, applied %v, err %v", latest, dirty, applied, err)
	}
	if err := m.Up(t.Context()); err != nil {
		t.Fatalf("Up with nothing pending: %v, want nil", err)
	}
	// Versions may have gaps (golang-migrate allows them): revert as many
	// steps as there are migrations.
	ups, err := fs.Glob(db.Migrations, db.MigrationsDir+"/*.up.sql")
	if err != nil || len(ups) == 0 {
		t.Fatalf("list migrations: %v, %d found", err, len(ups))
	}
	err = m.Down(t.Context(), len(ups)+1)
	if err == nil || !strings.Contains(err.Error(), "nothing was reverted") {
		t.Fatalf("Down(%d) with %d applied: %v, want a refusal", len(ups)+1, len(ups), err)
	}
	if v, _, _, _ := m.Version(); v != latest {
		t.Fatalf("after a refused Down: version %d, want %d unchanged", v, latest)
	}
	if err := m.Down(t.Context(), len(ups)); err != nil {
		t.Fatalf("Down(%d): %v", len(ups), err)
	}
	if _, _, applied, err := m.Version(); err != nil || applied {
		t.Fatalf("after reverting everything: applied %v, err %v; want none applied", applied, err)
	}
	if err := m.Down(t.Context(), 0); err == nil {
		t.Error("Down(0) succeeded, want an error")
	}
	if err := m.Down(t.Context(), 1); err == nil {
		t.Error("Down(1) with nothing applied succeeded, want an error")
	}
	if err := m.Up(t.Context()); err != nil {
		t.Fatalf("Up from empty: %v", err)
	}
	if v, _, _, _ := m.Version(); v != latest {
		t.Errorf("version after Up = %d, want %d", v, latest)
	}
}

func TestMigratorDownRefusesAnUnknownVersion(t *testing.T) {
	url := testdb.URL(t)
	m, err := db.NewMigrator(url)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(t.Context(), "UPDATE schema_migrations SET version = 999999"); err != nil {
		t.Fatal(err)
	}
	if err := m.Down(t.Context(), 1); err == nil || !strings.Contains(err.Error(), "999999") {
		t.Errorf("Down(1) from an unknown version: %v, want an error naming it", err)
	}
}

func TestNewMigratorRejectsBadURL(t *testing.T) {
	for _, url := range []string{"not a url ::", "postgres://nobody@127.0.0.1:1/none?connect_timeout=1"} {
		if m, err := db.NewMigrator(url); err == nil {
			m.Close()
			t.Errorf("NewMigrator(%q) succeeded, want an error", url)
		} else if strings.Contains(err.Error(), "password") {
			t.Errorf("error %q may leak credentials", err)
		}
	}
}
