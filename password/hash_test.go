package password

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

var fast = Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

func TestHashAndVerify(t *testing.T) {
	h := NewHasher(fast, 2)
	ctx := t.Context()
	hash, err := h.Hash(ctx, "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Errorf("hash = %q, want a PHC argon2id string with the parameters", hash)
	}
	if again, _ := h.Hash(ctx, "correct horse"); again == hash {
		t.Error("two hashes of one password are equal; the salt must differ")
	}
	for _, tt := range []struct {
		password string
		ok       bool
	}{
		{"correct horse", true},
		{"correct horsf", false},
		{"Correct horse", false},
		{"correct horse ", false},
		{"", false},
	} {
		ok, rehash, err := h.Verify(ctx, hash, tt.password)
		if ok != tt.ok || rehash || err != nil {
			t.Errorf("Verify(%q) = %v, %v, %v; want %v, false, nil", tt.password, ok, rehash, err, tt.ok)
		}
	}
}

func TestDefaultParamsMeetOWASP(t *testing.T) {
	p := NewHasher(DefaultParams, 1).Params()
	if p.Memory < 19*1024 || p.Iterations < 2 || p.Parallelism < 1 || p.SaltLength < 16 || p.KeyLength < 32 {
		t.Errorf("DefaultParams = %+v, below OWASP's argon2id minimum", p)
	}
	hash, err := NewHasher(DefaultParams, 1).Hash(t.Context(), "x")
	if err != nil || !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash = %q, %v", hash, err)
	}
}

func TestLongPasswordsAreNotTruncated(t *testing.T) {
	h := NewHasher(fast, 1)
	pw := strings.Repeat("abcdefghij", 10) // 100 characters
	hash, _ := h.Hash(t.Context(), pw)
	almost := pw[:89] + "X" + pw[90:]
	if ok, _, _ := h.Verify(t.Context(), hash, almost); ok {
		t.Error("a password differing only at character 90 matched")
	}
	if ok, _, _ := h.Verify(t.Context(), hash, pw+"!"); ok {
		t.Error("a password with one more character matched")
	}
}

func TestBcryptHashesVerifyAndAskForRehash(t *testing.T) {
	h := NewHasher(fast, 1)
	ctx := t.Context()
	legacy, err := bcrypt.GenerateFromPassword([]byte("correct horse"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if ok, rehash, err := h.Verify(ctx, string(legacy), "correct horse"); !ok || !rehash || err != nil {
		t.Errorf("Verify(bcrypt, right) = %v, %v, %v; want true, true, nil", ok, rehash, err)
	}
	if ok, rehash, err := h.Verify(ctx, string(legacy), "wrong horse"); ok || rehash || err != nil {
		t.Errorf("Verify(bcrypt, wrong) = %v, %v, %v; want false, false, nil", ok, rehash, err)
	}

	// bcrypt reads 72 bytes only: a longer password must not match its prefix.
	prefix := strings.Repeat("p", 72)
	long, _ := bcrypt.GenerateFromPassword([]byte(prefix), bcrypt.MinCost)
	if ok, _, _ := h.Verify(ctx, string(long), prefix+"anything"); ok {
		t.Error("a 80-byte password matched the bcrypt hash of its first 72 bytes")
	}
	if _, _, err := h.Verify(ctx, "$2b$10$short", "x"); !errors.Is(err, ErrMalformedHash) {
		t.Errorf("malformed bcrypt: err %v, want ErrMalformedHash", err)
	}
}

func TestOtherParametersAskForRehash(t *testing.T) {
	old := NewHasher(Params{Memory: 512, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}, 1)
	hash, _ := old.Hash(t.Context(), "pw")
	ok, rehash, err := NewHasher(fast, 1).Verify(t.Context(), hash, "pw")
	if !ok || !rehash || err != nil {
		t.Errorf("Verify(older parameters) = %v, %v, %v; want true, true, nil", ok, rehash, err)
	}
}

func TestMalformedHashes(t *testing.T) {
	h := NewHasher(fast, 1)
	for _, hash := range []string{
		"",
		"plain",
		"$argon2i$v=19$m=1024,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$a2V5",
		"$argon2id$v=18$m=1024,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$a2V5",
		"$argon2id$v=19$m=x,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$a2V5",
		"$argon2id$v=19$m=1024,t=1,p=1$!!!$a2V5",
		"$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$!!!",
		"$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$",
	} {
		if ok, _, err := h.Verify(t.Context(), hash, "pw"); ok || !errors.Is(err, ErrMalformedHash) {
			t.Errorf("Verify(%q) = %v, %v; want false, ErrMalformedHash", hash, ok, err)
		}
	}
}

func TestHashingIsBounded(t *testing.T) {
	h := NewHasher(fast, 2)
	ctx := t.Context()
	// Take both slots, as two long hashes in flight would.
	if err := h.acquire(ctx); err != nil {
		t.Fatal(err)
	}
	if err := h.acquire(ctx); err != nil {
		t.Fatal(err)
	}

	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := h.Hash(short, "pw"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Hash with both slots taken: err %v, want to wait until the deadline", err)
	}
	if _, _, err := h.Verify(short, "$argon2id$", "pw"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Verify with both slots taken: err %v, want to wait until the deadline", err)
	}

	// A freed slot lets a waiting hash through.
	done := make(chan error, 1)
	go func() { _, err := h.Hash(ctx, "pw"); done <- err }()
	select {
	case err := <-done:
		t.Fatalf("Hash ran while both slots were taken (err %v)", err)
	case <-time.After(50 * time.Millisecond):
	}
	h.release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	h.release()
	if len(h.slots) != 0 {
		t.Errorf("%d slots still held after every hash returned", len(h.slots))
	}
}

func TestZeroConcurrencyMeansOnePerCPU(t *testing.T) {
	if h := NewHasher(fast, 0); cap(h.slots) < 1 {
		t.Errorf("slots = %d, want at least 1", cap(h.slots))
	}
}

func TestBurnHashes(t *testing.T) {
	h := NewHasher(Params{Memory: 8 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}, 1)
	// Burn must wait for a slot like a real verification: with the only slot
	// taken, it cannot return before the slot is freed.
	if err := h.acquire(t.Context()); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { h.Burn(t.Context(), "pw"); close(done) }()
	select {
	case <-done:
		t.Fatal("Burn returned without taking a hashing slot")
	case <-time.After(50 * time.Millisecond):
	}
	h.release()
	<-done
}
