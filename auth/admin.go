package auth

import (
	"context"
	"errors"
	"slices"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"authstarter/db/sqlc"
	"authstarter/token"
)

// Errors of the administration use cases.
var (
	// ErrInsufficientScope: the access token was not granted the admin scope.
	ErrInsufficientScope = errors.New("auth: insufficient scope")
	// ErrNotAdmin: the access token has the admin scope, but its user is no
	// longer a superuser.
	ErrNotAdmin = errors.New("auth: not an administrator")
	// ErrLastSuperuser: the change would leave no active superuser.
	ErrLastSuperuser = errors.New("auth: last active superuser")
)

// Reasons recorded on sessions that an administrator's action ended.
const (
	reasonAdmin       = "admin"
	reasonDeactivated = "deactivated"
	reasonPasswordSet = "password_set_by_admin"
)

// CurrentAdmin loads the administrator behind a verified access token. It
// returns ErrInsufficientScope when the token lacks the admin scope,
// ErrInvalidToken when its session ended or its user is gone or inactive, and
// ErrNotAdmin when its user is no longer a superuser: the database decides on
// every request, so a demotion takes effect at once.
func (s *Service) CurrentAdmin(ctx context.Context, claims *token.AccessClaims) (sqlc.User, error) {
	if !claims.HasScope(ScopeAdmin) {
		return sqlc.User{}, ErrInsufficientScope
	}
	user, err := s.CurrentUser(ctx, claims)
	if err != nil {
		return sqlc.User{}, err
	}
	if !user.IsSuperuser {
		return sqlc.User{}, ErrNotAdmin
	}
	return user, nil
}

// GetUser returns the user with the given id, or ErrNotFound.
func (s *Service) GetUser(ctx context.Context, id uuid.UUID) (sqlc.User, error) {
	user, err := s.q.GetUser(ctx, id)
	return user, translate("get user", err)
}

// UserChanges are what an administrator may change about a user: the profile
// fields, the flags and the password. A field that is not Set stays as it is;
// none of the fields here may be null.
type UserChanges struct {
	Profile
	Password    Field[string] `json:"password"`
	IsActive    Field[bool]   `json:"is_active"`
	IsSuperuser Field[bool]   `json:"is_superuser"`
}

// validate refuses null for the fields that cannot be cleared.
func (ch UserChanges) validate() error {
	switch {
	case ch.Password.Null:
		return &ValidationError{Field: "password",
			Reason: "cannot be null; leave it out to keep the password"}
	case ch.IsActive.Null:
		return &ValidationError{Field: "is_active", Reason: "must be true or false"}
	case ch.IsSuperuser.Null:
		return &ValidationError{Field: "is_superuser", Reason: "must be true or false"}
	}
	return nil
}

// demotes reports whether the changes could take away a superuser's power.
func (ch UserChanges) demotes() bool {
	return (ch.IsActive.Set && !ch.IsActive.Value) || (ch.IsSuperuser.Set && !ch.IsSuperuser.Value)
}

// UpdateUser applies an administrator's changes to a user and returns it.
// Setting a password, or deactivating the user, ends all their sessions. It
// returns ErrNotFound for an unknown id, ErrLastSuperuser when the change
// would leave no active superuser, ErrUsernameTaken, or a *ValidationError.
func (s *Service) UpdateUser(ctx context.Context, id uuid.UUID, ch UserChanges) (sqlc.User, error) {
	if err := ch.Profile.normalize(false); err != nil {
		return sqlc.User{}, err
	}
	if err := ch.validate(); err != nil {
		return sqlc.User{}, err
	}
	var hash string
	if ch.Password.Set {
		// Hash outside the transaction: no row stays locked while it runs.
		name := ch.Username.Value
		if !ch.Username.Set {
			user, err := s.GetUser(ctx, id)
			if err != nil {
				return sqlc.User{}, err
			}
			name = user.Username
		}
		var err error
		if hash, err = s.newPasswordHash(ctx, ch.Password.Value, name); err != nil {
			return sqlc.User{}, err
		}
	}

	var user sqlc.User
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		user, err = s.applyChanges(ctx, s.q.WithTx(tx), id, ch, hash)
		return err
	})
	return user, translate("update user", err)
}

// applyChanges makes the changes within a transaction; hash is the new
// password's, when one is set.
func (s *Service) applyChanges(ctx context.Context, q *sqlc.Queries, id uuid.UUID,
	ch UserChanges, hash string) (sqlc.User, error) {
	before, err := s.lockUser(ctx, q, id, ch.demotes())
	if err != nil {
		return sqlc.User{}, err
	}
	if ch.Profile != (Profile{}) {
		if _, err := q.UpdateUser(ctx, ch.Profile.updateParams(id)); err != nil {
			return sqlc.User{}, err
		}
	}
	if ch.IsActive.Set || ch.IsSuperuser.Set {
		_, err := q.UpdateUserFlags(ctx, sqlc.UpdateUserFlagsParams{
			ID:          id,
			IsActive:    valueOr(ch.IsActive, before.IsActive),
			IsSuperuser: valueOr(ch.IsSuperuser, before.IsSuperuser),
		})
		if err != nil {
			return sqlc.User{}, err
		}
	}
	if ch.Password.Set {
		params := sqlc.UpdateUserPasswordHashParams{ID: id, PasswordHash: hash}
		if err := q.UpdateUserPasswordHash(ctx, params); err != nil {
			return sqlc.User{}, err
		}
		if err := endSessions(ctx, q, id, reasonPasswordSet); err != nil {
			return sqlc.User{}, err
		}
	}
	if before.IsActive && !valueOr(ch.IsActive, true) {
		if err := endSessions(ctx, q, id, reasonDeactivated); err != nil {
			return sqlc.User{}, err
		}
	}
	return q.GetUser(ctx, id)
}

// endSessions ends every live session of a user, recording why.
func endSessions(ctx context.Context, q *sqlc.Queries, userID uuid.UUID, reason string) error {
	_, err := q.RevokeSessionsOfUser(ctx, sqlc.RevokeSessionsOfUserParams{UserID: userID, Reason: reason})
	return err
}

// DeleteUser deletes a user and, by cascade, their sessions. It returns
// ErrNotFound for an unknown id and ErrLastSuperuser for the last active
// superuser.
func (s *Service) DeleteUser(ctx context.Context, id uuid.UUID) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		q := s.q.WithTx(tx)
		if _, err := s.lockUser(ctx, q, id, true); err != nil {
			return err
		}
		_, err := q.DeleteUser(ctx, id)
		return err
	})
	return translate("delete user", err)
}

// lockUser locks and returns the user about to change. When the change may
// take away a superuser's power (demotes), it first locks every active
// superuser, so that concurrent demotions queue one behind the other and the
// last of them sees that no other active superuser is left.
func (s *Service) lockUser(ctx context.Context, q *sqlc.Queries, id uuid.UUID,
	demotes bool) (sqlc.User, error) {
	var supers []uuid.UUID
	if demotes {
		var err error
		if supers, err = q.LockActiveSuperusers(ctx); err != nil {
			return sqlc.User{}, err
		}
	}
	user, err := q.GetUserForUpdate(ctx, id)
	if err != nil {
		return sqlc.User{}, err
	}
	others := slices.DeleteFunc(supers, func(u uuid.UUID) bool { return u == id })
	if demotes && user.IsActive && user.IsSuperuser && len(others) == 0 {
		return sqlc.User{}, ErrLastSuperuser
	}
	return user, nil
}

// ListSessionsOf returns the live sessions of a user, newest first, or
// ErrNotFound for an unknown user.
func (s *Service) ListSessionsOf(ctx context.Context, userID uuid.UUID) ([]sqlc.Session, error) {
	if _, err := s.GetUser(ctx, userID); err != nil {
		return nil, err
	}
	sessions, err := s.q.ListLiveSessionsOfUser(ctx, sqlc.ListLiveSessionsOfUserParams{
		UserID:      userID,
		IdleSeconds: s.idleSeconds(),
	})
	return sessions, translate("list sessions", err)
}

// EndSessionsOf ends every session of a user, or returns ErrNotFound for an
// unknown user.
func (s *Service) EndSessionsOf(ctx context.Context, userID uuid.UUID) error {
	if _, err := s.GetUser(ctx, userID); err != nil {
		return err
	}
	return translate("end sessions", endSessions(ctx, s.q, userID, reasonAdmin))
}

// valueOr returns f's value when it is set, else def.
func valueOr[T any](f Field[T], def T) T {
	if f.Set && !f.Null {
		return f.Value
	}
	return def
}
