package token

import (
	"testing"
	"time"

	"github.com/google/uuid"
)

func benchIssuer(b *testing.B) *Issuer {
	b.Helper()
	i, err := NewIssuer(Config{
		Secret:    []byte("bench-secret-bench-secret-bench-secret-0123"),
		Issuer:    "authstarter",
		Audience:  "authstarter-api",
		AccessTTL: 15 * time.Minute,
		Leeway:    30 * time.Second,
	})
	if err != nil {
		b.Fatal(err)
	}
	return i
}

func BenchmarkAccessSign(b *testing.B) {
	i := benchIssuer(b)
	user, session := uuid.New(), uuid.New()
	for b.Loop() {
		if _, _, err := i.Access(user, session, "admin"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseAccess(b *testing.B) {
	i := benchIssuer(b)
	tok, _, err := i.Access(uuid.New(), uuid.New(), "admin")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := i.ParseAccess(tok); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRefreshSign(b *testing.B) {
	i := benchIssuer(b)
	user, session, exp := uuid.New(), uuid.New(), time.Now().Add(time.Hour)
	for b.Loop() {
		if _, _, err := i.Refresh(user, session, "", exp); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseRefresh(b *testing.B) {
	i := benchIssuer(b)
	tok, _, err := i.Refresh(uuid.New(), uuid.New(), "", time.Now().Add(time.Hour))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := i.ParseRefresh(tok); err != nil {
			b.Fatal(err)
		}
	}
}
