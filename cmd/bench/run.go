package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"authstarter/config"
	"authstarter/db"
	"authstarter/db/sqlc"
	"authstarter/internal/bench"
	"authstarter/password"
)

// harness is one benchmark run: the server under test and what drives it.
type harness struct {
	o      options
	srv    *process
	pool   *pgxpool.Pool
	q      *sqlc.Queries
	hasher *password.Hasher
	cfg    config.Config
	pprof  string // the server's pprof address, when profiling
	dbPID  int    // the PostgreSQL server's pid, when it is local; else 0
	stderr io.Writer
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	h := &harness{o: o, stderr: stderr}

	h.logf("preparing database %s", o.dbName)
	dbURL, pgVersion, err := prepareDatabase(ctx, o.dbURL, o.dbName)
	if err != nil {
		return err
	}
	dir := filepath.Join("tmp", "bench")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	env, err := h.serverEnv(dbURL)
	if err != nil {
		return err
	}
	if h.cfg, err = config.Load(env, ""); err != nil {
		return fmt.Errorf("server configuration: %w", err)
	}

	h.dbPID = postgresPID(o.pgPIDFile, o.dbURL)
	if h.dbPID == 0 {
		h.logf("PostgreSQL's CPU time is not measured: no local server at %s for this database", o.pgPIDFile)
	}

	h.logf("starting %s", o.server)
	if h.srv, err = startServer(ctx, o.server, dir, env); err != nil {
		return err
	}
	defer func() {
		if err := h.srv.stop(); err != nil {
			h.logf("stopping the server: %v", err)
		}
	}()
	// The same pool settings as the server's, for seeding and the SQL limits.
	if h.pool, err = db.NewPool(ctx, dbURL); err != nil {
		return err
	}
	defer h.pool.Close()
	h.q = sqlc.New(h.pool)
	h.hasher = password.NewHasher(password.DefaultParams, h.cfg.HashConcurrency)

	rows, err := h.scenarios(ctx)
	if err != nil {
		return err
	}
	var report strings.Builder
	if err := bench.WriteMarkdown(&report, h.header(pgVersion), rows); err != nil {
		return err
	}
	fmt.Fprint(stdout, report.String())
	if o.out != "" {
		// Only the part between the markers is replaced: the analysis
		// written by hand around it stays.
		old, err := os.ReadFile(o.out)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		if err := os.WriteFile(o.out, []byte(bench.Splice(string(old), report.String())), 0o644); err != nil {
			return err
		}
	}
	for _, r := range rows {
		if r.Broken() {
			return fmt.Errorf("scenario %s: %s (first error: %s; server log: %s)",
				r.Scenario, r.Verdict(), r.Result.FirstError, filepath.Join(dir, "server.log"))
		}
	}
	return nil
}

// serverEnv returns the server's environment: this process's, with the
// database, a loopback port, a fresh secret, no per-address rate limit and,
// when profiling, the pprof address set by the harness.
func (h *harness) serverEnv(dbURL string) ([]string, error) {
	set := map[string]string{
		"DATABASE_URL":                  dbURL,
		"LISTEN_ADDR":                   "127.0.0.1:0",
		"MIGRATE_ON_START":              "true",
		"AUTH_SECRET_KEY":               randomSecret(),
		"AUTH_FIRST_SUPERUSER":          "",
		"AUTH_FIRST_SUPERUSER_PASSWORD": "",
		// The load comes from one address: the per-address limit would
		// refuse it. The per-account login lock stays on; the logins succeed.
		"AUTH_IP_RATE": "0",
		pprofEnv:       "",
	}
	if h.o.profileDir != "" {
		addr, err := freeLoopbackAddr()
		if err != nil {
			return nil, err
		}
		h.pprof, set[pprofEnv] = addr, addr
		if err := os.MkdirAll(h.o.profileDir, 0o755); err != nil {
			return nil, err
		}
	}
	return mergeEnv(os.Environ(), set), nil
}

// postgresPID returns the pid of the PostgreSQL server of dbURL when
// pidFile is its postmaster.pid, and 0 otherwise.
func postgresPID(pidFile, dbURL string) int {
	u, err := url.Parse(dbURL)
	if err != nil || (u.Hostname() != "127.0.0.1" && u.Hostname() != "localhost") {
		return 0
	}
	port := u.Port()
	if port == "" {
		port = "5432"
	}
	pid, err := bench.PostmasterPID(pidFile, port)
	if err != nil {
		return 0
	}
	return pid
}

// pprofEnv names the variable that makes a server built with -tags pprof
// serve net/http/pprof on that loopback address (see pprof.go at the root).
const pprofEnv = "AUTHSTARTER_PPROF_ADDR"

// mergeEnv returns environ with the variables of set replaced; those set to
// "" are removed.
func mergeEnv(environ []string, set map[string]string) []string {
	var out []string
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := set[k]; !ok {
			out = append(out, kv)
		}
	}
	for k, v := range set {
		if v != "" {
			out = append(out, k+"="+v)
		}
	}
	return out
}

func freeLoopbackAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func (h *harness) header(pgVersion string) bench.Header {
	p := password.DefaultParams
	slots := h.cfg.HashConcurrency
	if slots == 0 {
		slots = runtime.GOMAXPROCS(0)
	}
	mode := "full"
	if h.o.quick {
		mode = "quick (figures are rough)"
	}
	hdr := bench.Header{
		Title:    "Benchmarks",
		Machine:  bench.ThisMachine(),
		Go:       runtime.Version(),
		Postgres: pgVersion,
		Hashing: fmt.Sprintf("argon2id m=%d KiB, t=%d, p=%d, salt %d B, key %d B; "+
			"at most %d hashes at once (AUTH_HASH_CONCURRENCY=%d)",
			p.Memory, p.Iterations, p.Parallelism, p.SaltLength, p.KeyLength, slots, h.cfg.HashConcurrency),
		Settings: fmt.Sprintf("%s mode, %s; concurrency %d, warm-up %s, measured %s a scenario; "+
			"flood at concurrency %d for %s", mode, time.Now().UTC().Format("2006-01-02 15:04 MST"),
			h.o.concurrency, h.o.warmup, h.o.duration, h.o.floodConc, h.o.floodDuration),
		Notes: []string{
			"The load generator, the server and PostgreSQL share the machine; each ratio " +
				"sets a scenario beside its limit, measured right after it in the same run.",
		},
	}
	if h.o.note != "" {
		hdr.Notes = append(hdr.Notes, h.o.note)
	}
	return hdr
}

func (h *harness) logf(format string, args ...any) {
	fmt.Fprintf(h.stderr, "bench: "+format+"\n", args...)
}

// newClient returns an HTTP client that keeps one connection a worker.
func newClient(concurrency int) *http.Client {
	return &http.Client{
		Timeout: 2 * time.Minute,
		Transport: &http.Transport{
			Proxy:               nil,
			MaxIdleConns:        concurrency,
			MaxIdleConnsPerHost: concurrency,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
			ForceAttemptHTTP2:   false,
		},
	}
}
