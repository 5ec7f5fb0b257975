package db_test

import (
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"

	"authstarter/db"
)

// BenchmarkUUIDParam encodes and decodes one uuid parameter as a query does,
// with pgx's defaults and with db.RegisterTypes.
func BenchmarkUUIDParam(b *testing.B) {
	for _, tc := range []struct {
		name     string
		register bool
	}{{"pgx defaults", false}, {"RegisterTypes", true}} {
		b.Run(tc.name, func(b *testing.B) {
			m := pgtype.NewMap()
			if tc.register {
				db.RegisterTypes(m)
			}
			u := uuid.New()
			buf := make([]byte, 0, 64)
			var got uuid.UUID
			for b.Loop() {
				var err error
				if buf, err = m.Encode(pgtype.UUIDOID, pgtype.BinaryFormatCode, u, buf[:0]); err != nil {
					b.Fatal(err)
				}
				if err := m.Scan(pgtype.UUIDOID, pgtype.BinaryFormatCode, buf, &got); err != nil || got != u {
					b.Fatalf("round trip = %s, %v", got, err)
				}
			}
		})
	}
}
