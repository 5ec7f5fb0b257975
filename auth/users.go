package auth

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"authstarter/db/sqlc"
	"authstarter/password"
	"authstarter/token"
)

// NewUser is what it takes to create a user.
type NewUser struct {
	Profile
	Password    string
	IsActive    bool
	IsSuperuser bool
}

// Register creates an active, ordinary user when open registration is on.
func (s *Service) Register(ctx context.Context, p Profile, pw string) (sqlc.User, error) {
	if !s.cfg.OpenRegistration {
		return sqlc.User{}, ErrRegistrationClosed
	}
	return s.CreateUser(ctx, NewUser{Profile: p, Password: pw, IsActive: true})
}

// CreateUser creates a user with the given flags. It returns a *ValidationError
// for an unacceptable field or password and ErrUsernameTaken for a duplicate.
func (s *Service) CreateUser(ctx context.Context, u NewUser) (sqlc.User, error) {
	if err := u.Profile.normalize(true); err != nil {
		return sqlc.User{}, err
	}
	hash, err := s.newPasswordHash(ctx, u.Password, u.Username.Value)
	if err != nil {
		return sqlc.User{}, err
	}
	user, err := s.q.CreateUser(ctx, u.Profile.createParams(hash, u.IsActive, u.IsSuperuser))
	return user, translate("create user", err)
}

// UpdateProfile changes the profile fields that p sets and returns the user.
// It returns ErrNotFound for an unknown id.
func (s *Service) UpdateProfile(ctx context.Context, id uuid.UUID, p Profile) (sqlc.User, error) {
	if err := p.normalize(false); err != nil {
		return sqlc.User{}, err
	}
	user, err := s.q.UpdateUser(ctx, p.updateParams(id))
	return user, translate("update user", err)
}

// Superuser is what EnsureSuperuser found or did.
type Superuser int

const (
	SuperuserCreated     Superuser = iota // there was no such user: created
	SuperuserExists                       // an active superuser of that name exists: unchanged
	SuperuserNameIsTaken                  // a user of that name exists but is not an active superuser: unchanged
)

// EnsureSuperuser creates an active superuser with the given name and password
// unless a user with that name exists, which it leaves as it is, password
// unchecked: a password policy made stricter later must not stop a server
// from starting whose first superuser was made under the old one.
func (s *Service) EnsureSuperuser(ctx context.Context, username, pw string) (Superuser, error) {
	name, err := CanonicalUsername(username)
	if err != nil {
		return 0, err
	}
	for {
		existing, err := s.q.GetUserByUsername(ctx, name)
		switch {
		case err == nil && existing.IsSuperuser && existing.IsActive:
			return SuperuserExists, nil
		case err == nil:
			return SuperuserNameIsTaken, nil
		case !errors.Is(err, pgx.ErrNoRows):
			return 0, wrap("load user", err)
		}
		_, err = s.CreateUser(ctx, NewUser{
			Profile:  Profile{Username: Of(username)},
			Password: pw, IsActive: true, IsSuperuser: true,
		})
		if !errors.Is(err, ErrUsernameTaken) { // else created meanwhile: look again
			return SuperuserCreated, err
		}
	}
}

// CurrentUser loads the user behind a verified access token, checking in the
// same query that the token's session is live and the user active.
func (s *Service) CurrentUser(ctx context.Context, claims *token.AccessClaims) (sqlc.User, error) {
	user, err := s.q.GetSessionUser(ctx, sqlc.GetSessionUserParams{
		UserID:      claims.UserID(),
		SessionID:   claims.SessionID,
		IdleSeconds: s.idleSeconds(),
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return sqlc.User{}, ErrInvalidToken
	}
	return user, wrap("load current user", err)
}

// newPasswordHash applies the password policy and hashes the result.
func (s *Service) newPasswordHash(ctx context.Context, pw, username string) (string, error) {
	normalized, err := password.Normalize(pw)
	if err == nil {
		err = s.cfg.Policy.Check(normalized, username)
	}
	if err != nil {
		return "", &ValidationError{Field: "password", Reason: err.Error()}
	}
	hash, err := s.hasher.Hash(ctx, normalized)
	return hash, wrap("hash password", err)
}

// translate maps database errors to the package's errors by their type and
// SQLSTATE, never by message text.
func translate(op string, err error) error {
	var pgErr *pgconn.PgError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, pgx.ErrNoRows):
		return ErrNotFound
	case errors.As(err, &pgErr) && pgErr.Code == pgerrcode.UniqueViolation && pgErr.ConstraintName == "users_username_key":
		return ErrUsernameTaken
	case errors.As(err, &pgErr) && pgErr.Code == pgerrcode.CheckViolation && pgErr.ConstraintName == "users_username_canonical":
		return &ValidationError{Field: "username", Reason: "contains characters that cannot be stored"}
	}
	return wrap(op, err)
}
