package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// Machine describes the computer a run happened on.
type Machine struct {
	CPU      string // model name, as /proc/cpuinfo gives it
	Cores    int    // logical CPUs this process may use
	MemBytes int64  // total memory
}

// String returns the machine in one line, as the report's header shows it.
func (m Machine) String() string {
	return fmt.Sprintf("%s, %d logical CPUs, %.1f GiB memory",
		m.CPU, m.Cores, float64(m.MemBytes)/(1<<30))
}

// ThisMachine describes the machine the harness runs on; a fact it cannot
// read is left as "unknown" or zero.
func ThisMachine() Machine {
	m := Machine{CPU: "unknown", Cores: runtime.NumCPU()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		m.CPU = cpuModel(b)
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		if kb, err := parseStatusKB(b, "MemTotal"); err == nil {
			m.MemBytes = kb << 10
		}
	}
	return m
}

// cpuModel returns the first "model name" of a /proc/cpuinfo file.
func cpuModel(cpuinfo []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(cpuinfo))
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(name) == "model name" {
			return strings.TrimSpace(value)
		}
	}
	return "unknown"
}

// FormatBytes returns n in MiB, the unit the report uses for memory.
func FormatBytes(n int64) string {
	if n <= 0 {
		return "n/a"
	}
	return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
}
