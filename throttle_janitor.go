package main

import (
	"context"
	"log/slog"
	"time"

	"authstarter/auth"
)

// purgeLoginFailuresEvery is how often each replica deletes expired login
// failure counts.
const purgeLoginFailuresEvery = 10 * time.Minute

// purgeLoginFailures deletes expired login failure counts at once and then
// every purgeLoginFailuresEvery, until ctx ends. Every replica runs it; the
// deletes do not conflict.
func purgeLoginFailures(ctx context.Context, svc *auth.Service, log *slog.Logger) {
	t := time.NewTicker(purgeLoginFailuresEvery)
	defer t.Stop()
	for {
		n, err := svc.PurgeLoginFailures(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("purge login failures", "error", err)
		case n > 0:
			log.Info("purged expired login failures", "rows", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
