package db_test

import (
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"

	"authstarter/db"
	"authstarter/internal/testdb"
)

func TestUUIDBinaryRoundTrip(t *testing.T) {
	m := pgtype.NewMap()
	db.RegisterTypes(m)
	u := uuid.New()

	buf, err := m.Encode(pgtype.UUIDOID, pgtype.BinaryFormatCode, u, nil)
	if err != nil || string(buf) != string(u[:]) {
		t.Fatalf("Encode(%s) = %x, %v; want its 16 bytes", u, buf, err)
	}
	var got uuid.UUID
	if err := m.Scan(pgtype.UUIDOID, pgtype.BinaryFormatCode, buf, &got); err != nil || got != u {
		t.Errorf("Scan = %s, %v; want %s", got, err, u)
	}
	var ptr *uuid.UUID = &got
	if err := m.Scan(pgtype.UUIDOID, pgtype.BinaryFormatCode, nil, &ptr); err != nil || ptr != nil {
		t.Errorf("Scan NULL into **uuid.UUID = %v, %v; want nil", ptr, err)
	}
	if err := m.Scan(pgtype.UUIDOID, pgtype.BinaryFormatCode, nil, &got); err == nil {
		t.Error("Scan NULL into *uuid.UUID succeeded")
	}
	if err := m.Scan(pgtype.UUIDOID, pgtype.BinaryFormatCode, []byte{1, 2, 3}, &got); err == nil {
		t.Error("Scan of 3 bytes succeeded")
	}
	// Other types and the text format still go through pgx's own codec.
	if _, err := m.Encode(pgtype.UUIDOID, pgtype.BinaryFormatCode, pgtype.UUID{Bytes: u, Valid: true}, nil); err != nil {
		t.Errorf("Encode(pgtype.UUID): %v", err)
	}
	if err := m.Scan(pgtype.UUIDOID, pgtype.TextFormatCode, []byte(u.String()), &got); err != nil || got != u {
		t.Errorf("Scan text = %s, %v; want %s", got, err, u)
	}
}

func TestNewPoolPassesUUIDs(t *testing.T) {
	pool, err := db.NewPool(t.Context(), testdb.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	u := uuid.New()
	var got uuid.UUID
	var null *uuid.UUID
	err = pool.QueryRow(t.Context(), "SELECT $1::uuid, NULL::uuid", u).Scan(&got, &null)
	if err != nil || got != u || null != nil {
		t.Errorf("round trip = %s, %v, %v; want %s, nil", got, null, err, u)
	}
	if _, err := db.NewPool(t.Context(), "postgres://%zz"); err == nil {
		t.Error("NewPool accepted a malformed URL")
	}
}
