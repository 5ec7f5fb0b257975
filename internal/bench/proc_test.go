package bench

import (
	"os"
	"strings"
	"testing"
)

func TestParseStatTicks(t *testing.T) {
	// Fields 14 and 15 (utime, stime) are 1500 and 250.
	rest := " S 1 2 3 4 5 6 7 8 9 10 1500 250 0 0 20 0 8 0 100 1000000 500"
	tests := []struct {
		name, stat string
		want       uint64
		wantErr    bool
	}{
		{"a plain command name", "1234 (authstarter)" + rest, 1750, false},
		{"a name with spaces and parentheses", "1234 (a (b) c)" + rest, 1750, false},
		{"no command name", "1234 authstarter" + rest, 0, true},
		{"too few fields", "1234 (x) S 1 2 3", 0, true},
		{"a field that is not a number", strings.Replace("1234 (x)"+rest, "1500", "abc", 1), 0, true},
		{"a stime that is not a number", strings.Replace("1234 (x)"+rest, "250", "-", 1), 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseStatTicks([]byte(tt.stat))
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("parseStatTicks(%q) = %d, %v; want %d, error %v", tt.stat, got, err, tt.want, tt.wantErr)
			}
		})
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
	if cpu, err := CPUTime(pid); err != nil || cpu <= 0 {
		t.Errorf("CPUTime = %v, %v; want a positive time", cpu, err)
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
