package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"authstarter/internal/bench"
)

// measure runs op under l and returns its row, with the CPU time and peak RSS
// of the process pid (none when pid is 0). When profiling, it captures the
// server's CPU and allocation profiles of the measured window.
func (h *harness) measure(ctx context.Context, name string, pid int, l bench.Load, op bench.Op) bench.Row {
	row := bench.Row{Scenario: name, Concurrency: l.Concurrency}
	l.DatabasePID = h.dbPID
	var cpuStart time.Duration
	var profiles sync.WaitGroup
	if pid != 0 {
		// When the peak cannot be reset, VmHWM is the peak since the server
		// started, which still bounds this scenario's.
		if err := bench.ResetPeak(pid); err != nil {
			h.logf("cannot reset the peak RSS (%v): reporting the peak since start", err)
		}
		l.Started = func() {
			var err error
			cpuStart, err = bench.CPUTime(pid)
			row.CPUKnown = err == nil
			if h.pprof != "" && pid == h.srv.pid() {
				h.captureProfiles(ctx, &profiles, name, l.Duration)
			}
		}
		l.Stopped = func() {
			end, err := bench.CPUTime(pid)
			row.CPU = end - cpuStart
			row.CPUKnown = row.CPUKnown && err == nil
		}
	}
	h.logf("%s: concurrency %d, %s + %s", name, l.Concurrency, l.Warmup, l.Duration)
	row.Result = bench.Run(ctx, l, op)
	if pid != 0 {
		if _, peak, err := bench.Memory(pid); err == nil {
			row.PeakRSS = peak
		}
	}
	profiles.Wait()
	return row
}

// captureProfiles fetches the server's CPU profile and the allocations it
// made over the next d, into the profile folder.
func (h *harness) captureProfiles(ctx context.Context, wg *sync.WaitGroup, name string, d time.Duration) {
	secs := max(1, int(d.Seconds()))
	for kind, path := range map[string]string{"cpu": "profile", "allocs": "allocs"} {
		wg.Go(func() {
			url := fmt.Sprintf("http://%s/debug/pprof/%s?seconds=%d", h.pprof, path, secs)
			file := filepath.Join(h.o.profileDir, name+"."+kind+".pprof")
			if err := fetchTo(ctx, url, file); err != nil {
				h.logf("%s: %s profile: %v", name, kind, err)
			}
		})
	}
}

func fetchTo(ctx context.Context, url, file string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d (was the server built with -tags pprof?)", resp.StatusCode)
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// randomSecret returns a fresh AUTH_SECRET_KEY for the run's server.
func randomSecret() string {
	b := make([]byte, 48)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}
