// Package testdb gives each test its own PostgreSQL database, cloned from a
// template that the application's own migrations built. The server to use is
// named by TEST_DATABASE_URL (make test sets it); its user must be able to
// create databases and roles.
package testdb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver pgtestdb uses
	"github.com/peterldowns/pgtestdb"

	"authstarter/db"
)

// URL returns the connection URL of a new, migrated, empty database that is
// dropped when the test passes.
func URL(t testing.TB) string {
	t.Helper()
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		t.Fatal("TEST_DATABASE_URL is not set: run the tests with `make test`, " +
			"or set it to a PostgreSQL URL whose user may create databases")
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("TEST_DATABASE_URL: %v", err)
	}
	pw, _ := u.User.Password()
	conf := pgtestdb.Config{
		DriverName: "pgx",
		Host:       u.Hostname(),
		Port:       u.Port(),
		User:       u.User.Username(),
		Password:   pw,
		Database:   strings.TrimPrefix(u.Path, "/"),
		Options:    u.RawQuery,
	}
	if conf.Port == "" {
		conf.Port = "5432"
	}
	return pgtestdb.Custom(t, conf, migrator{}).URL()
}

// New returns a pool on a new, migrated, empty database, closed and dropped
// when the test ends.
func New(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, err := db.NewPool(context.Background(), URL(t))
	if err != nil {
		t.Fatalf("connect to test database: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// migrator builds pgtestdb's template with the application's own migrator.
type migrator struct{}

// Hash names the template: it covers each migration's file name as well as its
// content, since golang-migrate orders and versions migrations by name.
func (migrator) Hash() (string, error) {
	names, err := fs.Glob(db.Migrations, db.MigrationsDir+"/*.sql")
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, name := range names { // fs.Glob returns them sorted
		content, err := fs.ReadFile(db.Migrations, name)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", name, len(content))
		h.Write(content)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func (migrator) Migrate(ctx context.Context, _ *sql.DB, conf pgtestdb.Config) error {
	m, err := db.NewMigrator(conf.URL())
	if err != nil {
		return err
	}
	defer m.Close()
	return m.Up(ctx)
}
