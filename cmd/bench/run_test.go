package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestRunEndToEnd builds the real server and runs every scenario for a
// fraction of a second: it proves the harness works, not how fast anything is.
func TestRunEndToEnd(t *testing.T) {
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" || testing.Short() {
		t.Skip("needs TEST_DATABASE_URL and no -short")
	}
	dir := t.TempDir()
	server := filepath.Join(dir, "authstarter")
	build := exec.Command("go", "build", "-tags", "pprof", "-o", server, "authstarter")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the server: %v\n%s", err, out)
	}
	t.Chdir(dir) // the server's log goes to tmp/bench under the working folder

	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), base)
		if err != nil {
			t.Errorf("drop the test's database: %v", err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(),
			"DROP DATABASE IF EXISTS authstarter_bench_test WITH (FORCE)"); err != nil {
			t.Errorf("drop the test's database: %v", err)
		}
	})

	var stdout, stderr strings.Builder
	report := filepath.Join(dir, "BENCHMARKS.md")
	args := []string{"-db", base, "-dbname", "authstarter_bench_test", "-server", server,
		"-c", "4", "-warmup", "100ms", "-duration", "700ms", "-flood-c", "8", "-flood-duration", "700ms",
		"-out", report, "-profile", filepath.Join(dir, "prof"), "-note", "end-to-end test"}
	if err := run(context.Background(), args, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\nlog:\n%s", err, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{"| login | 4 |", "| register | 4 |", "| refresh | 4 |", "| self | 4 |",
		"| validate | 4 |", "| flood (login) | 8 |", "- end-to-end test", "argon2id m=19456"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if b, err := os.ReadFile(report); err != nil || !strings.Contains(string(b), out) {
		t.Errorf("-out wrote %d bytes (%v), want the report printed", len(b), err)
	}
	if _, err := os.Stat(filepath.Join(dir, "prof", "self.cpu.pprof")); err != nil {
		t.Errorf("no CPU profile of self: %v", err)
	}
}
