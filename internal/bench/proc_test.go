package bench

import (
	"os"
	"strings"
	"testing"
)

func TestParseStat(t *testing.T) {
	// Field 4 (ppid) is 77; fields 14 and 15 (utime, stime) are 1500 and 250.
	rest := " S 77 2 3 4 5 6 7 8 9 10 1500 250 0 0 20 0 8 0 100 1000000 500"
	tests := []struct {
		name, stat string
		wantPPID   int
		want       uint64
		wantErr    bool
	}{
		{"a plain command name", "1234 (authstarter)" + rest, 77, 1750, false},
		{"a name with spaces and parentheses", "1234 (a (b) c)" + rest, 77, 1750, false},
		{"no command name", "1234 authstarter" + rest, 0, 0, true},
		{"too few fields", "1234 (x) S 1 2 3", 0, 0, true},
		{"a ppid that is not a number", strings.Replace("1234 (x)"+rest, "77", "?", 1), 0, 0, true},
		{"a utime that is not a number", strings.Replace("1234 (x)"+rest, "1500", "abc", 1), 0, 0, true},
		{"a stime that is not a number", strings.Replace("1234 (x)"+rest, "250", "-", 1), 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ppid, got, err := parseStat([]byte(tt.stat))
			if (err != nil) != tt.wantErr || got != tt.want || ppid != tt.wantPPID {
				t.Errorf("parseStat(%q) = %d, %d, %v; want %d, %d, error %v",
					tt.stat, ppid, got, err, tt.wantPPID, tt.want, tt.wantErr)
			}
		})
	}
}

func TestParsePostmasterPID(t *testing.T) {
	file := "4242\n/work/.data/postgres\n1700000000\n54334\n\n127.0.0.1\n"
	if pid, err := parsePostmasterPID([]byte(file), "54334"); err != nil || pid != 4242 {
		t.Errorf("parsePostmasterPID = %d, %v; want 4242", pid, err)
	}
	for name, tt := range map[string]struct{ file, port string }{
		"another port": {file, "5432"},
		"too short":    {"4242\n", "54334"},
		"a bad pid":    {"x\n/d\n1\n54334\n", "54334"},
	} {
		if _, err := parsePostmasterPID([]byte(tt.file), tt.port); err == nil {
			t.Errorf("parsePostmasterPID with %s succeeded", name)
		}
	}
	if _, err := PostmasterPID("/nonexistent/postmaster.pid", "1"); err == nil {
		t.Error("PostmasterPID of a missing file succeeded")
	}
}

func TestParseStatusKB(t *testing.T) {
	status := "Name:\tauthstarter\nVmPeak:\t 1300000 kB\nVmHWM:\t  131072 kB\nVmRSS:\t   65536 kB\nThreads:\t8\n"
	tests := []struct {
		key     string
		want    int64
		wantErr bool
	}{
		{"VmHWM", 131072, false},
		{"VmRSS", 65536, false},
		{"VmSwap", 0, true},  // absent
		{"Threads", 0, true}, // no kB unit
		{"Vm", 0, true},      // only whole names match
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			got, err := parseStatusKB([]byte(status), tt.key)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("parseStatusKB(%s) = %d, %v; want %d, error %v", tt.key, got, err, tt.want, tt.wantErr)
			}
		})
	}
	if _, err := parseStatusKB([]byte("VmRSS:\tlots kB\n"), "VmRSS"); err == nil {
		t.Error("parseStatusKB accepted a value that is not a number")
	}
}

func TestReadingThisProcess(t *testing.T) {
	pid := os.Getpid()
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc on this system")
	}
	// Spend some CPU so that the reading is not zero even at 10 ms resolution.
	x := 0
	for i := range 50_000_000 {
		x += i % 7
	}
	_ = x
	cpu, err := CPUTime(pid)
	if err != nil || cpu <= 0 {
		t.Errorf("CPUTime = %v, %v; want a positive time", cpu, err)
	}
	if tree, err := TreeCPUTime(pid); err != nil || tree < cpu {
		t.Errorf("TreeCPUTime = %v, %v; want at least the process's own %v", tree, err, cpu)
	}
	if _, err := TreeCPUTime(-1); err == nil {
		t.Error("TreeCPUTime(-1) succeeded")
	}
	if err := ResetPeak(pid); err != nil {
		t.Logf("ResetPeak: %v (not allowed here; Memory still works)", err)
	}
	rss, peak, err := Memory(pid)
	if err != nil || rss <= 0 || peak < rss {
		t.Errorf("Memory = %d, %d, %v; want 0 < rss <= peak", rss, peak, err)
	}
	if _, err := CPUTime(-1); err == nil {
		t.Error("CPUTime(-1) succeeded")
	}
	if _, _, err := Memory(-1); err == nil {
		t.Error("Memory(-1) succeeded")
	}
}

func TestParseMachineCPU(t *testing.T) {
	stat := "cpu  100 5 50 800 20 3 2 10 7 0\ncpu0 50 2 25 400 10 1 1 5 3 0\n"
	busy, total, err := parseMachineCPU([]byte(stat))
	if err != nil || busy != 170 || total != 990 {
		t.Errorf("parseMachineCPU = %d, %d, %v; want 170, 990", busy, total, err)
	}
	for _, bad := range []string{"", "intr 1 2 3\n", "cpu 1 2 x 4 5\n"} {
		if _, _, err := parseMachineCPU([]byte(bad)); err == nil {
			t.Errorf("parseMachineCPU(%q) succeeded", bad)
		}
	}
	if busy, total, err := MachineCPU(); err != nil || total == 0 || busy > total {
		t.Errorf("MachineCPU = %d, %d, %v", busy, total, err)
	}
}
