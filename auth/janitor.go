package auth

import (
	"context"
	"log/slog"
	"time"

	"authstarter/db/sqlc"
)

// DeleteEndedSessions deletes the sessions that ended (expired, revoked, or
// idle past the idle timeout) more than retention ago, and returns how many.
// Until then an ended session stays visible for auditing, and its spent
// refresh tokens are still recognised.
func (s *Service) DeleteEndedSessions(ctx context.Context, retention time.Duration) (int64, error) {
	n, err := s.q.DeleteEndedSessions(ctx, sqlc.DeleteEndedSessionsParams{
		RetentionSeconds: retention.Seconds(),
		IdleSeconds:      s.idleSeconds(),
	})
	return n, wrap("delete ended sessions", err)
}

// RunJanitor calls DeleteEndedSessions and PurgeLoginFailures every interval
// until ctx ends, logging what they deleted and any failure; a failure does
// not stop it. Several server instances may each run one: the deletes are
// idempotent.
func (s *Service) RunJanitor(ctx context.Context, interval, retention time.Duration, log *slog.Logger) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		n, err := s.DeleteEndedSessions(ctx, retention)
		switch {
		case err != nil && ctx.Err() == nil:
			log.WarnContext(ctx, "session cleanup failed", "error", err)
		case n > 0:
			log.InfoContext(ctx, "deleted ended sessions", "count", n)
		}
		n, err = s.PurgeLoginFailures(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			log.WarnContext(ctx, "login failure cleanup failed", "error", err)
		case n > 0:
			log.InfoContext(ctx, "deleted expired login failure counts", "count", n)
		}
	}
}
