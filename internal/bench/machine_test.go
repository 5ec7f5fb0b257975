package bench

import (
	"strings"
	"testing"
)

func TestCPUModel(t *testing.T) {
	cpuinfo := "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13\nprocessor\t: 1\nmodel name\t: AMD EPYC 7B13\n"
	if got := cpuModel([]byte(cpuinfo)); got != "AMD EPYC 7B13" {
		t.Errorf("cpuModel = %q, want AMD EPYC 7B13", got)
	}
	if got := cpuModel([]byte("processor\t: 0\n")); got != "unknown" {
		t.Errorf("cpuModel without a model name = %q, want unknown", got)
	}
}

func TestThisMachine(t *testing.T) {
	m := ThisMachine()
	if m.Cores < 1 || m.CPU == "" {
		t.Errorf("ThisMachine = %+v, want a CPU and at least one core", m)
	}
	if s := m.String(); !strings.Contains(s, "logical CPUs") {
		t.Errorf("Machine.String = %q", s)
	}
}

func TestFormatBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "n/a", -1: "n/a", 1 << 20: "1.0 MiB", 3 << 19: "1.5 MiB"} {
		if got := FormatBytes(n); got != want {
			t.Errorf("FormatBytes(%d) = %q, want %q", n, got, want)
		}
	}
}
