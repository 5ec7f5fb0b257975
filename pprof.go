//go:build pprof

package main

// This file is compiled only with -tags pprof, as `make bench` builds its
// server: the binary that `make build` makes never contains it. Even then it
// does nothing unless AUTHSTARTER_PPROF_ADDR names a loopback address, where
// it serves net/http/pprof on a listener of its own, apart from the API.

import (
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
)

func init() {
	addr := os.Getenv("AUTHSTARTER_PPROF_ADDR")
	if addr == "" {
		return
	}
	host, _, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		fmt.Fprintf(os.Stderr, "AUTHSTARTER_PPROF_ADDR %q is not a loopback address; pprof stays off\n", addr)
		return
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "AUTHSTARTER_PPROF_ADDR: %v; pprof stays off\n", err)
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	go func() { _ = http.Serve(ln, mux) }()
}
