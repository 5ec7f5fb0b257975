package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Op is one request of a scenario, made by worker w (0 <= w < concurrency).
// It returns nil on success; a *StatusError when the response had another
// status than the one wanted; any other error for a request that failed.
type Op func(ctx context.Context, w int) error

// StatusError is a response with an unexpected status.
type StatusError struct {
	Code int
	Body string // the start of the body, for the report
}

func (e *StatusError) Error() string { return fmt.Sprintf("status %d: %s", e.Code, e.Body) }

// Load says how to drive a scenario: a closed loop of Concurrency workers, each
// sending its next request when the last one is answered. The first Warmup is
// not measured; then Duration is. Requests still in flight at the end are
// allowed to finish but are not counted.
type Load struct {
	Concurrency int
	Warmup      time.Duration
	Duration    time.Duration
	// Started, when set, is called when the measured window opens, and
	// Stopped when it closes (before the requests in flight are drained).
	Started func()
	Stopped func()
	// DatabasePID, when not 0, is the PostgreSQL server's pid, whose CPU
	// time, with its backends', Run reports as DatabaseCPU.
	DatabasePID int
}

// Result is what one Run measured inside its window.
type Result struct {
	OK        int           // successful requests
	Errors    int           // failed requests, of every kind
	Status5xx int           // failed requests answered with a 5xx status
	Elapsed   time.Duration // the measured window
	Latency   Latencies     // of the successful requests
	// FirstError describes the first failure, for the report.
	FirstError string
	// MachineBusy is the fraction of the machine's CPU time spent busy in
	// the window, by every process (-1 when unknown): near 1, the scenario
	// was bound by the CPUs it shares with everything else.
	MachineBusy float64
	// HarnessCPU is the CPU time the load generator's own process spent in
	// the window (-1 when unknown): the client's share of the machine, or
	// the whole cost of a limit measured inside this process.
	HarnessCPU time.Duration
	// DatabaseCPU is the CPU time PostgreSQL spent in the window (-1 when
	// unknown).
	DatabaseCPU time.Duration
}

// HarnessCPUPerThousand returns HarnessCPU in seconds per 1,000 successful
// requests, and false when unknown.
func (r Result) HarnessCPUPerThousand() (float64, bool) {
	return r.perThousand(r.HarnessCPU)
}

// DatabaseCPUPerThousand returns DatabaseCPU in seconds per 1,000
// successful requests, and false when unknown.
func (r Result) DatabaseCPUPerThousand() (float64, bool) {
	return r.perThousand(r.DatabaseCPU)
}

func (r Result) perThousand(d time.Duration) (float64, bool) {
	if d < 0 || r.OK == 0 {
		return 0, false
	}
	return d.Seconds() / float64(r.OK) * 1000, true
}

// Rate returns the successful requests per second.
func (r Result) Rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.OK) / r.Elapsed.Seconds()
}

type tally struct {
	latencies []time.Duration
	errors    int
	status5xx int
	first     error
}

// Run drives op as l says and returns what it measured. It returns early,
// with what it measured so far, when ctx ends.
func Run(ctx context.Context, l Load, op Op) Result {
	var measuring, stopped atomic.Bool
	tallies := make([]tally, l.Concurrency)
	var wg sync.WaitGroup
	for w := range l.Concurrency {
		wg.Go(func() {
			t := &tallies[w]
			for !stopped.Load() && ctx.Err() == nil {
				start := time.Now()
				err := op(ctx, w)
				d := time.Since(start)
				if !measuring.Load() || stopped.Load() {
					continue
				}
				t.record(d, err)
			}
		})
	}

	sleep(ctx, l.Warmup)
	if l.Started != nil {
		l.Started()
	}
	before := readUsage(l.DatabasePID)
	begin := time.Now()
	measuring.Store(true)
	sleep(ctx, l.Duration)
	stopped.Store(true)
	elapsed := time.Since(begin)
	after := readUsage(l.DatabasePID)
	if l.Stopped != nil {
		l.Stopped()
	}
	wg.Wait()
	r := merge(tallies, elapsed)
	r.MachineBusy, r.HarnessCPU = after.since(before)
	r.DatabaseCPU = -1
	if after.dbErr == nil && before.dbErr == nil {
		r.DatabaseCPU = after.db - before.db
	}
	return r
}

// usage is a reading of the machine's, this process's and the database's
// CPU times.
type usage struct {
	busy, total uint64
	self        time.Duration
	err         error
	db          time.Duration
	dbErr       error
}

func readUsage(dbPID int) usage {
	var u usage
	var err error
	u.busy, u.total, u.err = MachineCPU()
	if u.self, err = CPUTime(os.Getpid()); err != nil {
		u.err = err
	}
	u.dbErr = errors.New("no database pid")
	if dbPID != 0 {
		u.db, u.dbErr = TreeCPUTime(dbPID)
	}
	return u
}

// since returns the machine's busy fraction and this process's CPU time
// between two readings, or -1 and -1 when either failed.
func (u usage) since(before usage) (float64, time.Duration) {
	if u.err != nil || before.err != nil || u.total <= before.total {
		return -1, -1
	}
	return float64(u.busy-before.busy) / float64(u.total-before.total), u.self - before.self
}

func (t *tally) record(d time.Duration, err error) {
	if err == nil {
		t.latencies = append(t.latencies, d)
		return
	}
	t.errors++
	var se *StatusError
	if errors.As(err, &se) && se.Code >= 500 {
		t.status5xx++
	}
	if t.first == nil {
		t.first = err
	}
}

func merge(tallies []tally, elapsed time.Duration) Result {
	r := Result{Elapsed: elapsed}
	var all []time.Duration
	for _, t := range tallies {
		all = append(all, t.latencies...)
		r.Errors += t.errors
		r.Status5xx += t.status5xx
		if r.FirstError == "" && t.first != nil {
			r.FirstError = t.first.Error()
		}
	}
	r.OK = len(all)
	r.Latency = Summarize(all)
	return r
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
