// Command bench is the load benchmark of the auth service. It starts the real
// server binary on a fresh database, drives each hot path with a closed-loop
// load generator, measures in the same run the limit each path is compared
// with, and prints a Markdown table.
//
//	bench -db URL [-quick] [-out BENCHMARKS.md] [-profile DIR] [-scenarios a,b]
//
// `make bench` and `make bench-quick` run it; see BENCHMARKS.md for a result.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == bareEchoCommand {
		if err := serveBareEcho(os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "bench bare-echo:", err)
			os.Exit(1)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// options are the command's flags.
type options struct {
	dbURL         string
	dbName        string
	server        string
	concurrency   int
	warmup        time.Duration
	duration      time.Duration
	floodConc     int
	floodDuration time.Duration
	quick         bool
	out           string
	profileDir    string
	scenarios     map[string]bool
	note          string
	pgPIDFile     string
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.dbURL, "db", firstNonEmpty(os.Getenv("BENCH_DATABASE_URL"), os.Getenv("TEST_DATABASE_URL")),
		"PostgreSQL URL whose user may create databases (default $BENCH_DATABASE_URL, else $TEST_DATABASE_URL)")
	fs.StringVar(&o.dbName, "dbname", "authstarter_bench", "database the run drops, creates and uses")
	fs.StringVar(&o.server, "server", "bin/authstarter-bench", "server binary to run")
	fs.IntVar(&o.concurrency, "c", 32, "concurrency: workers in the closed loop")
	fs.DurationVar(&o.warmup, "warmup", 2*time.Second, "unmeasured warm-up of each scenario")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "measured time of each scenario and limit")
	fs.IntVar(&o.floodConc, "flood-c", 256, "concurrency of the login flood")
	fs.DurationVar(&o.floodDuration, "flood-duration", 20*time.Second, "measured time of the login flood")
	fs.BoolVar(&o.quick, "quick", false, "a few seconds a scenario: proves the harness runs, figures are rough")
	fs.StringVar(&o.out, "out", "", "also write the report to this file, such as BENCHMARKS.md")
	fs.StringVar(&o.profileDir, "profile", "",
		"capture the server's CPU and allocation profiles of each scenario into this folder")
	only := fs.String("scenarios", strings.Join(allScenarios, ","), "comma-separated scenarios to run")
	fs.StringVar(&o.note, "note", "", "a line added to the report's header")
	fs.StringVar(&o.pgPIDFile, "pg-pidfile", ".data/postgres/postmaster.pid",
		"postmaster.pid of the database server, to read its CPU time when it runs on this machine")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if o.dbURL == "" {
		return o, errors.New("no database: pass -db URL or set BENCH_DATABASE_URL (make bench does)")
	}
	if o.concurrency < 1 || o.floodConc < 1 {
		return o, errors.New("-c and -flood-c must be at least 1")
	}
	if o.quick {
		o.warmup, o.duration, o.floodDuration = time.Second, 3*time.Second, 4*time.Second
	}
	o.scenarios = map[string]bool{}
	for _, s := range strings.Split(*only, ",") {
		s = strings.TrimSpace(s)
		if !isScenario(s) {
			return o, fmt.Errorf("unknown scenario %q: choose among %s", s, strings.Join(allScenarios, ", "))
		}
		o.scenarios[s] = true
	}
	return o, nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
