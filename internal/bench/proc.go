package bench

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of the CPU times in /proc/<pid>/stat. It is
// 100 on every Linux architecture Go supports; reading it needs cgo (sysconf).
const clockTicks = 100

// CPUTime returns the user plus system CPU time the process pid has used.
func CPUTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	_, ticks, err := parseStat(b)
	if err != nil {
		return 0, fmt.Errorf("/proc/%d/stat: %w", pid, err)
	}
	return ticksToDuration(ticks), nil
}

// TreeCPUTime returns the CPU time used by the process pid and its children
// now alive, such as a PostgreSQL server and its backends. Children that
// ended are not counted.
func TreeCPUTime(pid int) (time.Duration, error) {
	own, err := CPUTime(pid)
	if err != nil {
		return 0, err
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, err
	}
	var ticks uint64
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue // ended while we looked
		}
		if ppid, t, err := parseStat(b); err == nil && ppid == pid {
			ticks += t
		}
	}
	return own + ticksToDuration(ticks), nil
}

func ticksToDuration(ticks uint64) time.Duration {
	return time.Duration(ticks) * time.Second / clockTicks
}

// parseStat returns the parent pid (field 4) and utime+stime (fields 14 and
// 15) of a /proc/<pid>/stat file. The command name (field 2) is in
// parentheses and may hold spaces and parentheses itself, so fields are
// counted from the last ')'.
func parseStat(stat []byte) (ppid int, ticks uint64, err error) {
	end := bytes.LastIndexByte(stat, ')')
	if end < 0 {
		return 0, 0, errors.New("no command name")
	}
	fields := strings.Fields(string(stat[end+1:]))
	// fields[0] is field 3 (state), so field n is fields[n-3].
	if len(fields) < 13 {
		return 0, 0, fmt.Errorf("%d fields after the command name, want at least 13", len(fields))
	}
	if ppid, err = strconv.Atoi(fields[1]); err != nil {
		return 0, 0, fmt.Errorf("ppid: %w", err)
	}
	utime, err := strconv.ParseUint(fields[11], 10, 64)
	if err != nil {
		return 0, 0, fmt.Errorf("utime: %w", err)
	}
	stime, err := strconv.ParseUint(fields[12], 10, 64)
	if err != nil {
		return 0, 0, fmt.Errorf("stime: %w", err)
	}
	return ppid, utime + stime, nil
}

// PostmasterPID returns the pid of the PostgreSQL server whose data folder
// holds pidFile (postmaster.pid) when it listens on port, and an error
// otherwise: the database is then some other server, whose CPU time the
// harness cannot read.
func PostmasterPID(pidFile, port string) (int, error) {
	b, err := os.ReadFile(pidFile)
	if err != nil {
		return 0, err
	}
	return parsePostmasterPID(b, port)
}

// parsePostmasterPID reads a postmaster.pid file: the pid on line 1, the
// port on line 4.
func parsePostmasterPID(b []byte, port string) (int, error) {
	lines := strings.Split(string(b), "\n")
	if len(lines) < 4 {
		return 0, errors.New("postmaster.pid: too short")
	}
	pid, err := strconv.Atoi(strings.TrimSpace(lines[0]))
	if err != nil {
		return 0, fmt.Errorf("postmaster.pid: %w", err)
	}
	if got := strings.TrimSpace(lines[3]); got != port {
		return 0, fmt.Errorf("postmaster.pid: port %s, not the database's %s", got, port)
	}
	return pid, nil
}

// Memory returns the resident set size of the process pid and its peak since
// it started or since the last ResetPeak, in bytes (VmRSS and VmHWM).
func Memory(pid int) (rss, peak int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	if rss, err = parseStatusKB(b, "VmRSS"); err != nil {
		return 0, 0, err
	}
	if peak, err = parseStatusKB(b, "VmHWM"); err != nil {
		return 0, 0, err
	}
	return rss << 10, peak << 10, nil
}

// ResetPeak sets the process's peak RSS (VmHWM) back to its current RSS, so
// that the next Memory reports the peak of what followed. It needs Linux 4.0
// and the right to write /proc/<pid>/clear_refs (the same user, or root).
func ResetPeak(pid int) error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
}

// parseStatusKB returns the value, in KiB, of the line "key:   123 kB" of a
// /proc/<pid>/status file.
func parseStatusKB(status []byte, key string) (int64, error) {
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok || name != key {
			continue
		}
		num, unit, _ := strings.Cut(strings.TrimSpace(value), " ")
		if unit != "kB" {
			return 0, fmt.Errorf("%s: unit %q, want kB", key, unit)
		}
		n, err := strconv.ParseInt(num, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", key, err)
		}
		return n, nil
	}
	return 0, fmt.Errorf("no %s line", key)
}

// MachineCPU returns the CPU time all processors of the machine have spent
// busy and in total, summed from the first line of /proc/stat. Busy is every
// state but idle and iowait.
func MachineCPU() (busy, total uint64, err error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, err
	}
	return parseMachineCPU(b)
}

func parseMachineCPU(stat []byte) (busy, total uint64, err error) {
	line, _, _ := bytes.Cut(stat, []byte("\n"))
	fields := strings.Fields(string(line))
	if len(fields) < 5 || fields[0] != "cpu" {
		return 0, 0, errors.New("/proc/stat: no cpu line")
	}
	// user nice system idle iowait irq softirq steal (guest times are
	// already inside user and nice).
	for i, f := range fields[1:min(len(fields), 9)] {
		v, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("/proc/stat: %w", err)
		}
		total += v
		if i != 3 && i != 4 {
			busy += v
		}
	}
	return busy, total, nil
}
