// Package password hashes and verifies passwords and applies the password policy.
// It knows nothing of HTTP or SQL.
package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// Params are the argon2id cost parameters.
type Params struct {
	Memory      uint32 // KiB
	Iterations  uint32
	Parallelism uint8
	SaltLength  int
	KeyLength   uint32
}

// DefaultParams are OWASP's minimum for argon2id: 19 MiB, 2 iterations, 1 lane.
var DefaultParams = Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// ErrMalformedHash is returned by Verify for a stored hash it cannot parse.
var ErrMalformedHash = errors.New("password: malformed hash")

// Hasher hashes and verifies passwords, running at most a fixed number of hashes
// at once so that a flood of logins queues instead of exhausting memory.
type Hasher struct {
	params Params
	slots  chan struct{}
	dummy  string
}

// NewHasher returns a Hasher with the given parameters that runs at most
// concurrency hashes at once; concurrency 0 means one per CPU.
func NewHasher(params Params, concurrency int) *Hasher {
	if concurrency <= 0 {
		concurrency = runtime.GOMAXPROCS(0)
	}
	h := &Hasher{params: params, slots: make(chan struct{}, concurrency)}
	h.dummy = h.encode(make([]byte, params.SaltLength), []byte("not a password"))
	return h
}

// Params reports the parameters new hashes use.
func (h *Hasher) Params() Params { return h.params }

// Hash returns the PHC string of an argon2id hash of password, such as
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>. It waits for a free slot and
// returns ctx's error if ctx ends first.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	salt := make([]byte, h.params.SaltLength)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password: read salt: %w", err)
	}
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	return h.encode(salt, []byte(password)), nil
}

// Verify reports whether password matches encoded, an argon2id PHC string or a
// bcrypt hash. needsRehash reports whether a match should be re-hashed with the
// current parameters (bcrypt, or argon2id with other parameters).
func (h *Hasher) Verify(ctx context.Context, encoded, password string) (ok, needsRehash bool, err error) {
	if err := h.acquire(ctx); err != nil {
		return false, false, err
	}
	defer h.release()

	if strings.HasPrefix(encoded, "$2a$") || strings.HasPrefix(encoded, "$2b$") || strings.HasPrefix(encoded, "$2y$") {
		// bcrypt reads only the first 72 bytes; a longer password must not match
		// a hash of its prefix.
		if len(password) > 72 {
			return false, false, nil
		}
		err := bcrypt.CompareHashAndPassword([]byte(encoded), []byte(password))
		switch {
		case errors.Is(err, bcrypt.ErrMismatchedHashAndPassword):
			return false, false, nil
		case err != nil:
			return false, false, fmt.Errorf("%w: %v", ErrMalformedHash, err)
		}
		return true, true, nil
	}

	p, salt, key, err := decode(encoded)
	if err != nil {
		return false, false, err
	}
	got := argon2.IDKey([]byte(password), salt, p.Iterations, p.Memory, p.Parallelism, uint32(len(key)))
	if subtle.ConstantTimeCompare(got, key) != 1 {
		return false, false, nil
	}
	return true, p != h.params || len(salt) != h.params.SaltLength, nil
}

// Burn spends the time of one verification without a stored hash, so that a
// login for an unknown user takes as long as one with a wrong password.
func (h *Hasher) Burn(ctx context.Context, password string) {
	_, _, _ = h.Verify(ctx, h.dummy, password)
}

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("password: wait for a hashing slot: %w", ctx.Err())
	}
}

func (h *Hasher) release() { <-h.slots }

var b64 = base64.RawStdEncoding

func (h *Hasher) encode(salt, password []byte) string {
	p := h.params
	key := argon2.IDKey(password, salt, p.Iterations, p.Memory, p.Parallelism, p.KeyLength)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Iterations, p.Parallelism, b64.EncodeToString(salt), b64.EncodeToString(key))
}

func decode(encoded string) (p Params, salt, key []byte, err error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return p, nil, nil, ErrMalformedHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, nil, nil, ErrMalformedHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Iterations, &p.Parallelism); err != nil {
		return p, nil, nil, ErrMalformedHash
	}
	if salt, err = b64.DecodeString(parts[4]); err != nil {
		return p, nil, nil, ErrMalformedHash
	}
	if key, err = b64.DecodeString(parts[5]); err != nil || len(key) == 0 {
		return p, nil, nil, ErrMalformedHash
	}
	p.SaltLength, p.KeyLength = len(salt), uint32(len(key))
	return p, salt, key, nil
}
