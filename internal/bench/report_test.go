package bench

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// result returns a Result of ok requests in one second.
// slower spreads r over factor times its elapsed time.
func slower(r Result, factor time.Duration) Result {
	r.Elapsed *= factor
	return r
}

func result(ok int) Result {
	return Result{OK: ok, Elapsed: time.Second, MachineBusy: 0.5, HarnessCPU: time.Duration(ok) * time.Millisecond,
		DatabaseCPU: time.Duration(ok) * 2 * time.Millisecond,
		Latency:     Latencies{P50: time.Millisecond, P95: 2 * time.Millisecond, P99: 3 * time.Millisecond}}
}

func TestRowRatioAndVerdict(t *testing.T) {
	limit := &Limit{Name: "hashes", Result: result(100)}
	tests := []struct {
		name        string
		row         Row
		wantRatio   float64
		wantVerdict string
		wantBroken  bool
	}{
		{"at the target", Row{Result: result(90), Limit: limit, Target: 0.9}, 0.9, "meets target", false},
		{"above the limit", Row{Result: result(120), Limit: limit, Target: 0.9}, 1.2, "meets target", false},
		{"below the target", Row{Result: result(50), Limit: limit, Target: 0.7}, 0.5, "below target", false},
		{"without a limit", Row{Result: result(50)}, 0, "", false},
		{"against a limit of zero", Row{Result: result(50), Limit: &Limit{}, Target: 0.7}, 0, "below target", false},
		{"with 5xx answers", Row{Result: Result{OK: 5, Status5xx: 1, Elapsed: time.Second}, Limit: limit, Target: 0.7},
			0.05, "5xx errors", true},
		{"with nothing successful", Row{Result: Result{Errors: 3, Elapsed: time.Second}, Limit: limit, Target: 0.7},
			0, "no successful request", true},
		{"skipped", Row{Skipped: "route missing (404)", Target: 0.8}, 0, "route missing (404)", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.row.Ratio(); got < tt.wantRatio-1e-9 || got > tt.wantRatio+1e-9 {
				t.Errorf("Ratio = %v, want %v", got, tt.wantRatio)
			}
			if got := tt.row.Verdict(); got != tt.wantVerdict {
				t.Errorf("Verdict = %q, want %q", got, tt.wantVerdict)
			}
			if got := tt.row.Broken(); got != tt.wantBroken {
				t.Errorf("Broken = %v, want %v", got, tt.wantBroken)
			}
		})
	}
}

func TestCostRatio(t *testing.T) {
	// The scenario costs 1 (server) + 1 (harness) + 2 (database) ms a
	// request; the limit 1 (harness) + 2 (database) ms, plus its own server's
	// when it has one.
	r := Row{Result: result(1000), CPU: time.Second, CPUKnown: true,
		Limit: &Limit{Result: result(500)}}
	if got, ok := r.CostRatio(); !ok || got != 0.75 {
		t.Errorf("CostRatio = %v, %v; want 0.75", got, ok)
	}
	r.Limit.CPU, r.Limit.CPUKnown = 500*time.Millisecond, true
	if got, ok := r.CostRatio(); !ok || got != 1 {
		t.Errorf("CostRatio with the limit's server = %v, %v; want 1", got, ok)
	}
	r.Limit.Result.DatabaseCPU = -1
	if _, ok := r.CostRatio(); ok {
		t.Error("CostRatio known without the limit's database CPU")
	}
	r.CPUKnown = false
	if _, ok := r.CostRatio(); ok {
		t.Error("CostRatio known without the server's CPU")
	}
	if _, ok := (Row{CPUKnown: true, Result: result(1)}).CostRatio(); ok {
		t.Error("CostRatio known without a limit")
	}
}

func TestCPUPerThousand(t *testing.T) {
	r := Row{Result: result(2000), CPU: 3 * time.Second, CPUKnown: true}
	if got, ok := r.CPUPerThousand(); !ok || got != 1.5 {
		t.Errorf("CPUPerThousand = %v, %v; want 1.5, true", got, ok)
	}
	r.CPUKnown = false
	if _, ok := r.CPUPerThousand(); ok {
		t.Error("CPUPerThousand known without a CPU reading")
	}
	if _, ok := (Row{CPUKnown: true}).CPUPerThousand(); ok {
		t.Error("CPUPerThousand known without a successful request")
	}
}

func TestWriteMarkdown(t *testing.T) {
	hashes := &Limit{Name: "argon2id hashes", What: "Hasher.Hash", Result: result(50)}
	rows := []Row{
		{Scenario: "login", Concurrency: 32, Result: result(46), CPU: 920 * time.Millisecond, CPUKnown: true,
			PeakRSS: 100 << 20, Limit: hashes, Target: 0.9},
		{Scenario: "register", Concurrency: 32, Result: result(40), Limit: hashes, Target: 0.9},
		// 44.9 req/s against 50: a ratio of 0.898, which must not print as 0.90.
		{Scenario: "refresh", Concurrency: 32, Result: slower(result(449), 10), Limit: hashes, Target: 0.9},
		{Scenario: "validate", Concurrency: 32, Target: 0.8, Skipped: "route missing (404)"},
		{Scenario: "validate", Concurrency: 32, Result: result(50), Target: 0.8, Limit: &Limit{
			Name: "bare route", What: "Echo", Result: result(100), CPU: 2 * time.Millisecond, CPUKnown: true}},
		{Scenario: "flood (login)", Concurrency: 256,
			Result: Result{OK: 40, Errors: 2, Elapsed: time.Second, MachineBusy: -1, HarnessCPU: -1, DatabaseCPU: -1}},
	}
	h := Header{Title: "Benchmarks", Machine: Machine{CPU: "Test CPU", Cores: 2, MemBytes: 4 << 30},
		Go: "go1.26.8", Postgres: "15.18", Hashing: "argon2id m=19456", Settings: "quick", Notes: []string{"noisy"}}
	var b strings.Builder
	if err := WriteMarkdown(&b, h, rows); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"# Benchmarks\n",
		"- Machine: Test CPU, 2 logical CPUs, 4.0 GiB memory\n",
		"- Go: go1.26.8\n", "- PostgreSQL: 15.18\n", "- Password hashing: argon2id m=19456\n", "- noisy\n",
		"| login | 32 | 46.0 | 1.00 ms | 2.00 ms | 3.00 ms | 20.000 | 100.0 MiB | 0 (0) | 1.000 | 2.000 | 50% " +
			"| argon2id hashes | 50.0 | 0.92 | 0.13 | ≥ 0.90 | meets target |\n",
		"| register | 32 | 40.0 | 1.00 ms | 2.00 ms | 3.00 ms | n/a | n/a | 0 (0) | 1.000 | 2.000 | 50% " +
			"| argon2id hashes | 50.0 | 0.80 | – | ≥ 0.90 | below target |\n",
		"| argon2id hashes | 50.0 | 0.89 | – | ≥ 0.90 | below target |\n",
		"| validate | 32 | – | – | – | – | – | – | – | – | – | – | – | – | – | – | ≥ 0.80 | route missing (404) |\n",
		"| flood (login) | 256 | 40.0 | 0.00 ms | 0.00 ms | 0.00 ms | n/a | n/a | 2 (0) | n/a | n/a | n/a | – | – | – | – | – |  |\n",
		"| argon2id hashes (for login) | Hasher.Hash | 32 | 50.0 | 1.00 ms | 3.00 ms | 0 | n/a | 1.000 | 2.000 | 50% |\n",
		"| bare route (for validate) | Echo | 32 | 100 | 1.00 ms | 3.00 ms | 0 | 0.020 | 1.000 | 2.000 | 50% |\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q; got:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "argon2id hashes (for"); n != 1 {
		t.Errorf("a limit shared by two scenarios is listed %d times, want once", n)
	}
	// Every table line has as many cells as its header.
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "| login") || strings.HasPrefix(line, "| validate") || strings.HasPrefix(line, "| flood") {
			if got := strings.Count(line, "|"); got != 19 {
				t.Errorf("line has %d bars, want 19: %s", got, line)
			}
		}
	}
	if err := WriteMarkdown(failingWriter{}, h, rows); err == nil {
		t.Error("WriteMarkdown hid a write error")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestRateFormatting(t *testing.T) {
	for v, want := range map[float64]string{12345.6: "12346", 100: "100", 99.94: "99.9", 0: "0.0"} {
		if got := rate(v); got != want {
			t.Errorf("rate(%v) = %q, want %q", v, got, want)
		}
	}
}

func TestSplice(t *testing.T) {
	fenced := func(s string) string { return BeginMarker + "\n" + s + EndMarker }
	tests := []struct {
		name, existing, generated, want string
	}{
		{"a new file", "", "table\n", fenced("table\n") + "\n"},
		{"a file without markers is replaced", "old notes\n", "table\n", fenced("table\n") + "\n"},
		{"the text around the markers stays",
			"intro\n" + fenced("old table\n") + "\n## Analysis\nprose\n", "new table\n",
			"intro\n" + fenced("new table\n") + "\n## Analysis\nprose\n"},
		{"markers out of order are ignored", EndMarker + BeginMarker, "t\n", fenced("t\n") + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Splice(tt.existing, tt.generated); got != tt.want {
				t.Errorf("Splice(%q, %q) =\n%q\nwant\n%q", tt.existing, tt.generated, got, tt.want)
			}
		})
	}
}
