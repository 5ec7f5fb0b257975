package bench

import (
	"context"
	"errors"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestRunCountsOnlyTheMeasuredWindow(t *testing.T) {
	var calls, started, stopped atomic.Int64
	l := Load{
		Concurrency: 4,
		Warmup:      50 * time.Millisecond,
		Duration:    100 * time.Millisecond,
		Started:     func() { started.Store(calls.Load()) },
		Stopped:     func() { stopped.Store(calls.Load()) },
	}
	r := Run(context.Background(), l, func(ctx context.Context, w int) error {
		calls.Add(1)
		time.Sleep(time.Millisecond)
		return nil
	})
	if started.Load() == 0 {
		t.Error("the warm-up sent no request before the window opened")
	}
	if r.OK == 0 || int64(r.OK) > stopped.Load()-started.Load()+int64(l.Concurrency) {
		t.Errorf("OK = %d, want the %d to %d requests made inside the window",
			r.OK, stopped.Load()-started.Load()-int64(l.Concurrency), stopped.Load()-started.Load()+int64(l.Concurrency))
	}
	if r.Elapsed < l.Duration || r.Rate() <= 0 || r.Latency.P50 < time.Millisecond {
		t.Errorf("result = %+v, want a window of at least %v, a rate and latencies of 1ms or more", r, l.Duration)
	}
	if r.Errors != 0 || r.FirstError != "" {
		t.Errorf("errors = %d (%q), want none", r.Errors, r.FirstError)
	}
	if r.MachineBusy < 0 || r.MachineBusy > 1 || r.HarnessCPU < 0 {
		t.Errorf("MachineBusy = %v, HarnessCPU = %v; want a fraction and a CPU time", r.MachineBusy, r.HarnessCPU)
	}
	if _, ok := r.HarnessCPUPerThousand(); !ok {
		t.Error("HarnessCPUPerThousand unknown")
	}
	if r.DatabaseCPU != -1 {
		t.Errorf("DatabaseCPU = %v without a database pid, want -1", r.DatabaseCPU)
	}
	if _, ok := (Result{OK: 1, HarnessCPU: -1}).HarnessCPUPerThousand(); ok {
		t.Error("HarnessCPUPerThousand known without a reading")
	}
	if busy, _ := (usage{err: errors.New("no /proc")}).since(usage{}); busy != -1 {
		t.Errorf("since a failed reading = %v, want -1", busy)
	}
}

func TestRunClassifiesErrors(t *testing.T) {
	// This process stands in for the database: its CPU time is read.
	l := Load{Concurrency: 3, Duration: 50 * time.Millisecond, DatabasePID: os.Getpid()}
	r := Run(context.Background(), l, func(ctx context.Context, w int) error {
		time.Sleep(time.Millisecond)
		switch w {
		case 0:
			return &StatusError{Code: http.StatusInternalServerError, Body: "boom"}
		case 1:
			return &StatusError{Code: http.StatusNotFound, Body: "no route"}
		}
		return nil
	})
	if r.OK == 0 || r.Errors == 0 || r.Status5xx == 0 || r.Status5xx >= r.Errors {
		t.Errorf("result = %+v, want successes, errors, and some but not all errors 5xx", r)
	}
	if r.DatabaseCPU < 0 {
		t.Errorf("DatabaseCPU = %v, want a reading", r.DatabaseCPU)
	}
	if !strings.HasPrefix(r.FirstError, "status ") {
		t.Errorf("FirstError = %q, want a status error", r.FirstError)
	}
}

func TestRunEndsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	begin := time.Now()
	r := Run(ctx, Load{Concurrency: 2, Warmup: time.Hour, Duration: time.Hour}, func(ctx context.Context, w int) error {
		<-ctx.Done()
		return errors.New("cancelled")
	})
	if time.Since(begin) > 5*time.Second {
		t.Errorf("Run went on %v after its context ended", time.Since(begin))
	}
	if r.Rate() != 0 {
		t.Errorf("Rate = %v, want 0", r.Rate())
	}
}

func TestStatusErrorMessage(t *testing.T) {
	err := &StatusError{Code: 404, Body: `{"error":"not_found"}`}
	if got, want := err.Error(), `status 404: {"error":"not_found"}`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if (Result{}).Rate() != 0 {
		t.Error("Rate of an empty result is not 0")
	}
}
