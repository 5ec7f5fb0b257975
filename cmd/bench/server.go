package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// prepareDatabase drops and creates the database name on the server of
// adminURL, and returns the URL of the new database and the server's version.
func prepareDatabase(ctx context.Context, adminURL, name string) (dbURL, version string, err error) {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", "", fmt.Errorf("connect to %s: %w", redact(adminURL), err)
	}
	defer conn.Close(ctx)
	ident := pgx.Identifier{name}.Sanitize()
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)"); err != nil {
		return "", "", fmt.Errorf("drop database %s: %w", name, err)
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+ident); err != nil {
		return "", "", fmt.Errorf("create database %s: %w", name, err)
	}
	if err := conn.QueryRow(ctx, "SHOW server_version").Scan(&version); err != nil {
		return "", "", fmt.Errorf("read the PostgreSQL version: %w", err)
	}
	u, err := url.Parse(adminURL)
	if err != nil {
		return "", "", err
	}
	u.Path = "/" + name
	return u.String(), version, nil
}

// redact hides the password of a connection URL.
func redact(dbURL string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		return "the database"
	}
	return u.Redacted()
}

// process is a child process the harness started and measures.
type process struct {
	cmd  *exec.Cmd
	addr string // base URL, such as http://127.0.0.1:41234
	done chan error
}

// pid returns the process id, for /proc.
func (p *process) pid() int { return p.cmd.Process.Pid }

// stop sends SIGTERM and waits for the process to end, killing it after a
// while.
func (p *process) stop() error {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		return err
	case <-time.After(25 * time.Second):
		_ = p.cmd.Process.Kill()
		return errors.New("did not stop within 25s; killed")
	}
}

// startServer runs the server binary with env in dir, its log going to
// dir/server.log, and returns once it accepts connections.
func startServer(ctx context.Context, bin, dir string, env []string) (*process, error) {
	abs, err := filepath.Abs(bin)
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(dir, "server.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	cmd := exec.Command(abs, "serve")
	cmd.Dir = dir // no .env here: the environment alone configures the server
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s (run make bench to build it): %w", bin, err)
	}
	p := &process{cmd: cmd, done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait() }()

	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if addr := servingAddr(logPath); addr != "" {
			p.addr = addr
			return p, nil
		}
		select {
		case err := <-p.done:
			return nil, fmt.Errorf("the server exited (%v); its log:\n%s", err, tail(logPath))
		case <-ctx.Done():
			_ = p.stop()
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	_ = p.stop()
	return nil, fmt.Errorf("the server did not start within 60s; its log:\n%s", tail(logPath))
}

// servingAddr returns the address of the server's "serving" log line, or ""
// before it is written.
func servingAddr(logPath string) string {
	f, err := os.Open(logPath)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var line struct {
			Msg  string `json:"msg"`
			Addr string `json:"addr"`
		}
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "serving" && line.Addr != "" {
			return line.Addr
		}
	}
	return ""
}

func tail(path string) string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-20):], "\n")
}

// startBareEcho runs this binary's bare-echo command and returns once it
// accepts connections.
func startBareEcho(ctx context.Context) (*process, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, bareEchoCommand)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &process{cmd: cmd, done: make(chan error, 1)}
	first := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		first <- strings.TrimSpace(line)
	}()
	select {
	case p.addr = <-first:
	case <-time.After(10 * time.Second):
	case <-ctx.Done():
	}
	go func() { p.done <- cmd.Wait() }()
	if !strings.HasPrefix(p.addr, "http://") {
		_ = p.stop()
		return nil, fmt.Errorf("bare-echo did not report its address (got %q)", p.addr)
	}
	return p, nil
}
