package bench

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"
)

// Row is one scenario of the report: what the server did, and the limit the
// harness measured for it in the same run.
type Row struct {
	Scenario    string
	Concurrency int
	Result      Result
	// CPU is the server's user+system CPU time inside the measured window;
	// CPUKnown says whether it could be read.
	CPU      time.Duration
	CPUKnown bool
	PeakRSS  int64 // bytes; 0 when unknown
	// Limit is the measured limit this scenario is compared with; nil for a
	// scenario without one (the flood).
	Limit *Limit
	// Target is the ratio to the limit the scenario should reach; 0 for none.
	Target float64
	// Skipped, when set, says why the scenario was not run, such as
	// "route missing (404)".
	Skipped string
}

// Limit is a scenario's ceiling: the same work without what the server adds,
// measured by the harness at the same concurrency.
type Limit struct {
	Name   string // short, such as "argon2id hashes"
	What   string // one sentence for the limits table
	Result Result
	// CPU is the CPU time of the process that served the limit, when it is
	// a server of its own (the bare Echo route); CPUKnown says whether.
	CPU      time.Duration
	CPUKnown bool
}

// Ratio returns the scenario's rate over its limit's; 0 when there is none.
func (r Row) Ratio() float64 {
	if r.Limit == nil || r.Limit.Result.Rate() == 0 {
		return 0
	}
	return r.Result.Rate() / r.Limit.Result.Rate()
}

// CostRatio returns the CPU time per operation of the limit over that per
// request of the scenario, counting every process the harness measures (the
// server, the harness itself and PostgreSQL), and false when any is
// unknown. Unlike Ratio it hardly moves with the load other programs put on
// the machine: when a scenario is bound by the CPUs, it is the ratio the
// scenario would reach on a machine of its own.
func (r Row) CostRatio() (float64, bool) {
	if r.Limit == nil || !r.CPUKnown {
		return 0, false
	}
	scenario, ok := r.Result.totalPerThousand(r.CPU)
	if !ok || scenario == 0 {
		return 0, false
	}
	var limitCPU time.Duration
	if r.Limit.CPUKnown {
		limitCPU = r.Limit.CPU
	}
	limit, ok := r.Limit.Result.totalPerThousand(limitCPU)
	if !ok {
		return 0, false
	}
	return limit / scenario, true
}

// totalPerThousand returns the CPU seconds per 1,000 successful operations
// of server (the process under test), the harness and the database.
func (r Result) totalPerThousand(server time.Duration) (float64, bool) {
	h, okH := r.HarnessCPUPerThousand()
	d, okD := r.DatabaseCPUPerThousand()
	s, okS := r.perThousand(server)
	return h + d + s, okH && okD && okS
}

// CPUPerThousand returns the server CPU seconds spent per 1,000 successful
// requests, and false when it is unknown or nothing succeeded.
func (r Row) CPUPerThousand() (float64, bool) {
	if !r.CPUKnown || r.Result.OK == 0 {
		return 0, false
	}
	return r.CPU.Seconds() / float64(r.Result.OK) * 1000, true
}

// hundredths prints a ratio rounded down to two decimals, so that a printed
// ratio equal to its target always means the target is met (0.898 is 0.89).
func hundredths(v float64) string {
	return fmt.Sprintf("%.2f", math.Floor(v*100+1e-9)/100)
}

// Verdict says how the ratio compares with the target.
func (r Row) Verdict() string {
	switch {
	case r.Skipped != "":
		return r.Skipped
	case r.Result.OK == 0:
		return "no successful request"
	case r.Result.Status5xx > 0:
		return "5xx errors"
	case r.Limit == nil || r.Target == 0:
		return ""
	case r.Ratio() >= r.Target:
		return "meets target"
	}
	return "below target"
}

// Broken reports whether the row shows the harness or the server failing,
// rather than being slow: 5xx responses, or no successful request at all.
// A skipped scenario is not broken.
func (r Row) Broken() bool {
	return r.Skipped == "" && (r.Result.OK == 0 || r.Result.Status5xx > 0)
}

// Header is what the report says before its tables.
type Header struct {
	Title    string
	Machine  Machine
	Go       string
	Postgres string
	Hashing  string
	Settings string
	Notes    []string
}

// WriteMarkdown writes the report: the header, one table of scenarios, and
// one table of the limits they were compared with.
func WriteMarkdown(w io.Writer, h Header, rows []Row) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", h.Title)
	fmt.Fprintf(&b, "- Machine: %s\n", h.Machine)
	fmt.Fprintf(&b, "- Go: %s\n", h.Go)
	fmt.Fprintf(&b, "- PostgreSQL: %s\n", h.Postgres)
	fmt.Fprintf(&b, "- Password hashing: %s\n", h.Hashing)
	fmt.Fprintf(&b, "- Run: %s\n", h.Settings)
	for _, n := range h.Notes {
		fmt.Fprintf(&b, "- %s\n", n)
	}

	b.WriteString("\n| scenario | conc. | req/s | p50 | p95 | p99 | server CPU s / 1k req " +
		"| server peak RSS | errors (5xx) | harness CPU s / 1k req | PostgreSQL CPU s / 1k req " +
		"| machine busy | limit | limit/s | ratio | CPU cost ratio | target | verdict |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---|\n")
	for _, r := range rows {
		b.WriteString(tableLine(r))
	}

	b.WriteString("\n| limit | what it measures | conc. | ops/s | p50 | p99 | errors " +
		"| its server's CPU s / 1k ops | harness CPU s / 1k ops | PostgreSQL CPU s / 1k ops | machine busy |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	seen := map[*Limit]bool{}
	for _, r := range rows {
		if r.Limit == nil || seen[r.Limit] {
			continue
		}
		seen[r.Limit] = true
		l := r.Limit.Result
		cpu := Row{Result: l, CPU: r.Limit.CPU, CPUKnown: r.Limit.CPUKnown}
		fmt.Fprintf(&b, "| %s (for %s) | %s | %d | %s | %s | %s | %d | %s | %s | %s | %s |\n",
			r.Limit.Name, r.Scenario, r.Limit.What, r.Concurrency, rate(l.Rate()),
			ms(l.Latency.P50), ms(l.Latency.P99), l.Errors, perK(cpu.CPUPerThousand()),
			perK(l.HarnessCPUPerThousand()), perK(l.DatabaseCPUPerThousand()), percent(l.MachineBusy))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func tableLine(r Row) string {
	if r.Skipped != "" {
		return "| " + strings.Join([]string{r.Scenario, fmt.Sprint(r.Concurrency),
			"–", "–", "–", "–", "–", "–", "–", "–", "–", "–",
			limitName(r), "–", "–", "–", target(r.Target), r.Skipped}, " | ") + " |\n"
	}
	cpu := perK(r.CPUPerThousand())
	limitRate, ratio := "–", "–"
	if r.Limit != nil {
		limitRate = rate(r.Limit.Result.Rate())
		ratio = hundredths(r.Ratio())
	}
	res := r.Result
	costRatio := "–"
	if v, ok := r.CostRatio(); ok {
		costRatio = hundredths(v)
	}
	return "| " + strings.Join([]string{r.Scenario, fmt.Sprint(r.Concurrency),
		rate(res.Rate()), ms(res.Latency.P50), ms(res.Latency.P95), ms(res.Latency.P99),
		cpu, FormatBytes(r.PeakRSS), fmt.Sprintf("%d (%d)", res.Errors, res.Status5xx),
		perK(res.HarnessCPUPerThousand()), perK(res.DatabaseCPUPerThousand()), percent(res.MachineBusy),
		limitName(r), limitRate, ratio, costRatio, target(r.Target), r.Verdict()}, " | ") + " |\n"
}

func perK(v float64, ok bool) string {
	if !ok {
		return "n/a"
	}
	return fmt.Sprintf("%.3f", v)
}

func percent(f float64) string {
	if f < 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.0f%%", f*100)
}

func limitName(r Row) string {
	if r.Limit == nil {
		return "–"
	}
	return r.Limit.Name
}

func target(t float64) string {
	if t == 0 {
		return "–"
	}
	return fmt.Sprintf("≥ %.2f", t)
}

func rate(v float64) string {
	if v >= 100 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}

// Markers fence the generated part of a report file, so that text written
// by hand around it survives the next run.
const (
	BeginMarker = "<!-- bench:begin: generated by make bench; edit outside these markers -->"
	EndMarker   = "<!-- bench:end -->"
)

// Splice returns existing with the text between its markers replaced by
// generated; when existing lacks them, it returns generated between markers,
// and existing is dropped.
func Splice(existing, generated string) string {
	fenced := BeginMarker + "\n" + generated + EndMarker
	begin := strings.Index(existing, BeginMarker)
	end := strings.Index(existing, EndMarker)
	if begin < 0 || end < begin {
		return fenced + "\n"
	}
	return existing[:begin] + fenced + existing[end+len(EndMarker):]
}
