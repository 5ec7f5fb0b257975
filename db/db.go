// Package db holds the schema migrations, embedded in the binary, and applies
// them with golang-migrate. The queries live in db/queries and the code sqlc
// generates from them in db/sqlc.
package db

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/golang-migrate/migrate/v4"
	pgxmigrate "github.com/golang-migrate/migrate/v4/database/pgx/v5"
	"github.com/golang-migrate/migrate/v4/source"
	"github.com/golang-migrate/migrate/v4/source/iofs"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// Migrations are the files of db/schema, in golang-migrate's naming.
//
//go:embed schema/*.sql
var Migrations embed.FS

// MigrationsDir is the folder inside Migrations that holds the files.
const MigrationsDir = "schema"

// Migrator applies the embedded migrations to one database. golang-migrate
// holds a PostgreSQL advisory lock while it works, so several instances may
// start at once against the same database.
type Migrator struct {
	m   *migrate.Migrate
	src source.Driver
}

// NewMigrator connects to databaseURL for migrating. Close it when done.
func NewMigrator(databaseURL string) (*Migrator, error) {
	cfg, err := pgx.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	sqlDB := stdlib.OpenDB(*cfg)
	driver, err := pgxmigrate.WithInstance(sqlDB, &pgxmigrate.Config{})
	if err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("connect to the database (DATABASE_URL) to migrate: %w", err)
	}
	src, err := iofs.New(Migrations, MigrationsDir)
	if err != nil {
		return nil, fmt.Errorf("read embedded migrations: %w", err)
	}
	m, err := migrate.NewWithInstance("iofs", src, "pgx5", driver)
	if err != nil {
		return nil, fmt.Errorf("prepare migrations: %w", err)
	}
	return &Migrator{m: m, src: src}, nil
}

// Up applies every pending migration. No pending migration is not an error.
func (mg *Migrator) Up(ctx context.Context) error {
	return mg.run(ctx, mg.m.Up)
}

// Down reverts the last n applied migrations. When fewer than n are applied it
// reverts none: golang-migrate alone would revert what it can, then fail.
func (mg *Migrator) Down(ctx context.Context, n int) error {
	if n < 1 {
		return errors.New("migrate down needs a positive number of steps")
	}
	applied, err := mg.applied()
	if err != nil {
		return err
	}
	if n > applied {
		return fmt.Errorf("asked to revert %d, but the number of migrations applied is %d; nothing was reverted", n, applied)
	}
	return mg.run(ctx, func() error { return mg.m.Steps(-n) })
}

// applied counts the migrations at or below the schema's current version.
func (mg *Migrator) applied() (int, error) {
	version, _, applied, err := mg.Version()
	if err != nil || !applied {
		return 0, err
	}
	first, err := mg.src.First()
	if err != nil {
		return 0, err
	}
	current := version
	n := 1
	for {
		prev, err := mg.src.Prev(version)
		if errors.Is(err, fs.ErrNotExist) {
			if version != first { // the walk never reached the first migration
				return 0, fmt.Errorf("the schema is at version %d, which is not one of this binary's "+
					"migrations (a newer binary applied it?); nothing was reverted", current)
			}
			return n, nil
		}
		if err != nil {
			return 0, err
		}
		version = prev
		n++
	}
}

// Version reports the current schema version, whether the last migration failed
// half-way (dirty), and whether any migration was ever applied.
func (mg *Migrator) Version() (version uint, dirty, applied bool, err error) {
	version, dirty, err = mg.m.Version()
	if errors.Is(err, migrate.ErrNilVersion) {
		return 0, false, false, nil
	}
	return version, dirty, err == nil, err
}

// Close releases the connection.
func (mg *Migrator) Close() error {
	srcErr, dbErr := mg.m.Close()
	return errors.Join(srcErr, dbErr)
}

func (mg *Migrator) run(ctx context.Context, step func() error) error {
	stop := context.AfterFunc(ctx, func() { mg.m.GracefulStop <- true })
	defer stop()
	err := step()
	if errors.Is(err, migrate.ErrNoChange) {
		return nil
	}
	return err
}
