package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"authstarter/db/sqlc"
	"authstarter/internal/bench"
	"authstarter/password"
)

// allScenarios are the scenarios in the order they run.
var allScenarios = []string{"login", "register", "refresh", "self", "validate", "flood"}

func isScenario(s string) bool { return slices.Contains(allScenarios, s) }

// Targets are the ratios to their limits the scenarios should reach.
var targets = map[string]float64{
	"login": 0.90, "register": 0.90, "refresh": 0.70, "self": 0.70, "validate": 0.80,
}

const (
	formType      = "application/x-www-form-urlencoded"
	benchPassword = "correct horse battery staple, bench"
	seededUsers   = 64
)

// scenarios seeds the database, then runs each chosen scenario beside its
// limit, and returns the report's rows.
func (h *harness) scenarios(ctx context.Context) ([]bench.Row, error) {
	users, err := h.seedUsers(ctx, seededUsers)
	if err != nil {
		return nil, err
	}
	c := h.o.concurrency
	load := bench.Load{Concurrency: c, Warmup: h.o.warmup, Duration: h.o.duration}
	var rows []bench.Row
	var hashLimit *bench.Limit
	hashes := func() *bench.Limit {
		// Measured afresh beside each scenario it serves, as the machine's load varies.
		hashLimit = &bench.Limit{
			Name: "argon2id hashes",
			What: "password.Hasher.Hash with the server's parameters and concurrency bound; no HTTP, no SQL",
			Result: h.measure(ctx, "hash limit", 0, load, func(ctx context.Context, _ int) error {
				_, err := h.hasher.Hash(ctx, benchPassword)
				return err
			}).Result,
		}
		return hashLimit
	}

	if h.o.scenarios["login"] {
		row := h.measure(ctx, "login", h.srv.pid(), load, h.loginOp(c, c))
		row.Limit, row.Target = hashes(), targets["login"]
		rows = append(rows, row)
	}
	if h.o.scenarios["register"] {
		row := h.measure(ctx, "register", h.srv.pid(), load, h.registerOp(c))
		row.Limit, row.Target = hashes(), targets["register"]
		rows = append(rows, row)
	}
	if h.o.scenarios["refresh"] {
		row, err := h.refreshScenario(ctx, load, users)
		if err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	if h.o.scenarios["self"] || h.o.scenarios["validate"] {
		tokens, err := h.loginAll(ctx, c)
		if err != nil {
			return nil, err
		}
		if h.o.scenarios["self"] {
			row, err := h.selfScenario(ctx, load, users, tokens)
			if err != nil {
				return nil, err
			}
			rows = append(rows, row)
		}
		if h.o.scenarios["validate"] {
			row, err := h.validateScenario(ctx, load, tokens)
			if err != nil {
				return nil, err
			}
			rows = append(rows, row)
		}
	}
	if h.o.scenarios["flood"] {
		fl := bench.Load{Concurrency: h.o.floodConc, Warmup: h.o.warmup, Duration: h.o.floodDuration}
		rows = append(rows, h.measure(ctx, "flood (login)", h.srv.pid(), fl, h.loginOp(h.o.floodConc, seededUsers)))
	}
	return rows, nil
}

// seedUsers inserts n active users with benchPassword straight into the
// database, hashing once: registering them through the API would cost n
// hashes before the clock starts.
func (h *harness) seedUsers(ctx context.Context, n int) ([]uuid.UUID, error) {
	normalized, err := password.Normalize(benchPassword)
	if err != nil {
		return nil, err
	}
	hash, err := h.hasher.Hash(ctx, normalized)
	if err != nil {
		return nil, err
	}
	ids := make([]uuid.UUID, n)
	for i := range n {
		u, err := h.q.CreateUser(ctx, sqlc.CreateUserParams{
			Username: userName(i), PasswordHash: hash, IsActive: true,
		})
		if err != nil {
			return nil, fmt.Errorf("seed users: %w", err)
		}
		ids[i] = u.ID
	}
	return ids, nil
}

func userName(i int) string { return fmt.Sprintf("bench-%03d", i) }

// loginOp is the password grant, worker w logging in as one of users seeded users.
func (h *harness) loginOp(concurrency, users int) bench.Op {
	client := newClient(concurrency)
	bodies := make([][]byte, concurrency)
	for w := range bodies {
		bodies[w] = []byte(url.Values{
			"grant_type": {"password"}, "username": {userName(w % users)}, "password": {benchPassword},
		}.Encode())
	}
	return func(ctx context.Context, w int) error {
		return h.post(ctx, client, "/auth/token", formType, bodies[w], http.StatusOK, nil)
	}
}

// registerOp creates a new user each time.
func (h *harness) registerOp(concurrency int) bench.Op {
	client := newClient(concurrency)
	var n atomic.Int64
	return func(ctx context.Context, w int) error {
		body := fmt.Sprintf(`{"username":"reg-%d-%d","password":%q}`, w, n.Add(1), benchPassword)
		return h.post(ctx, client, "/auth/register", "application/json", []byte(body), http.StatusCreated, nil)
	}
}

// tokenPair is the part of a token response the scenarios use.
type tokenPair struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
}

// loginAll logs n users in at once, worker w as seeded user w, and returns
// their tokens. It is the only preparation that costs hashes.
func (h *harness) loginAll(ctx context.Context, n int) ([]tokenPair, error) {
	client := newClient(n)
	defer client.CloseIdleConnections()
	pairs := make([]tokenPair, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for w := range n {
		wg.Go(func() {
			body := []byte(url.Values{
				"grant_type": {"password"}, "username": {userName(w % seededUsers)}, "password": {benchPassword},
			}.Encode())
			errs[w] = h.post(ctx, client, "/auth/token", formType, body, http.StatusOK, &pairs[w])
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("log in before the clock starts: %w", err)
		}
	}
	return pairs, nil
}

// refreshScenario runs one chain of refreshes a worker: each refresh presents
// the token the previous one returned, so every token is used once. Its limit
// is the statement a refresh runs, RotateRefreshToken, through pgx.
func (h *harness) refreshScenario(
	ctx context.Context, load bench.Load, users []uuid.UUID,
) (bench.Row, error) {
	c := load.Concurrency
	pairs, err := h.loginAll(ctx, c)
	if err != nil {
		return bench.Row{}, err
	}
	chain := make([]string, c)
	for w, p := range pairs {
		chain[w] = p.RefreshToken
	}
	client := newClient(c)
	defer client.CloseIdleConnections()
	row := h.measure(ctx, "refresh", h.srv.pid(), load, func(ctx context.Context, w int) error {
		body := []byte("grant_type=refresh_token&refresh_token=" + url.QueryEscape(chain[w]))
		var next tokenPair
		err := h.post(ctx, client, "/auth/token", formType, body, http.StatusOK, &next)
		if err == nil {
			chain[w] = next.RefreshToken
		}
		return err
	})

	sessions, hashes, err := h.seedSessions(ctx, users, c)
	if err != nil {
		return bench.Row{}, err
	}
	row.Limit = &bench.Limit{
		Name: "RotateRefreshToken via pgx",
		What: "the refresh's one statement, on a pool with the server's settings, one session a worker",
		Result: h.measure(ctx, "refresh limit", 0, load, func(ctx context.Context, w int) error {
			next := randomBytes(32)
			_, err := h.q.RotateRefreshToken(ctx, sqlc.RotateRefreshTokenParams{
				ID: sessions[w], OldHash: hashes[w], NewHash: next,
			})
			if err == nil {
				hashes[w] = next
			}
			return err
		}).Result,
	}
	row.Target = targets["refresh"]
	return row, nil
}

// selfScenario reads the current user with an access token a worker. Its
// limit is the one query GET /auth/self runs, GetSessionUser, through pgx.
func (h *harness) selfScenario(
	ctx context.Context, load bench.Load, users []uuid.UUID, tokens []tokenPair,
) (bench.Row, error) {
	client := newClient(load.Concurrency)
	defer client.CloseIdleConnections()
	row := h.measure(ctx, "self", h.srv.pid(), load, h.getOp(client, "/auth/self", tokens))

	sessions, _, err := h.seedSessions(ctx, users, load.Concurrency)
	if err != nil {
		return bench.Row{}, err
	}
	row.Limit = &bench.Limit{
		Name: "GetSessionUser via pgx",
		What: "the route's one query, on a pool with the server's settings, one session a worker",
		Result: h.measure(ctx, "self limit", 0, load, func(ctx context.Context, w int) error {
			_, err := h.q.GetSessionUser(ctx, sqlc.GetSessionUserParams{
				UserID: users[w%len(users)], SessionID: sessions[w],
			})
			return err
		}).Result,
	}
	row.Target = targets["self"]
	return row, nil
}

// validatePath is the route another branch adds; until it is merged the
// scenario reports it missing.
const validatePath = "/auth/token/validate"

// validateScenario checks an access token a worker. Its limit is a bare Echo
// route returning a constant body, served by a child process with the
// server's http.Server settings, reached through the same client.
func (h *harness) validateScenario(
	ctx context.Context, load bench.Load, tokens []tokenPair,
) (bench.Row, error) {
	client := newClient(load.Concurrency)
	defer client.CloseIdleConnections()
	missing, err := h.routeMissing(ctx, client, validatePath, tokens[0].AccessToken)
	if err != nil {
		return bench.Row{}, err
	}
	var row bench.Row
	if missing == "" {
		row = h.measure(ctx, "validate", h.srv.pid(), load, h.getOp(client, validatePath, tokens))
	} else {
		// The limit is still measured: it is the floor of any HTTP route.
		h.logf("validate: %s; measuring its limit only", missing)
		row = bench.Row{Scenario: "validate", Concurrency: load.Concurrency, Skipped: missing}
	}
	row.Target = targets["validate"]

	bare, err := startBareEcho(ctx)
	if err != nil {
		return row, err
	}
	defer bare.stop()
	bareClient := newClient(load.Concurrency)
	defer bareClient.CloseIdleConnections()
	op := getOpAt(bareClient, bare.addr+"/bare", tokens)
	limit := h.measure(ctx, "validate limit", bare.pid(), load, op)
	row.Limit = &bench.Limit{
		Name: "bare Echo route",
		What: "Echo, no middleware, one route returning a constant body, in a child process " +
			"with the server's http.Server settings",
		Result: limit.Result, CPU: limit.CPU, CPUKnown: limit.CPUKnown,
	}
	return row, nil
}

// routeMissing sends one authorised GET to path and returns "route missing
// (404)" (or 405) when the server has no such route, "" when it does.
func (h *harness) routeMissing(
	ctx context.Context, client *http.Client, path, accessToken string,
) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.srv.addr+path, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("probe %s: %w", path, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusMethodNotAllowed {
		return fmt.Sprintf("route missing (%d)", resp.StatusCode), nil
	}
	return "", nil
}

// seedSessions creates one live session a worker straight in the database,
// with a random refresh token hash, for the SQL limits.
func (h *harness) seedSessions(ctx context.Context, users []uuid.UUID, n int) ([]uuid.UUID, [][]byte, error) {
	ids := make([]uuid.UUID, n)
	hashes := make([][]byte, n)
	for w := range n {
		ids[w], hashes[w] = uuid.New(), randomBytes(32)
		user, err := h.q.GetUser(ctx, users[w%len(users)])
		if err == nil {
			_, err = h.q.CreateSession(ctx, sqlc.CreateSessionParams{
				ID: ids[w], UserID: user.ID, PasswordHash: user.PasswordHash, RefreshTokenHash: hashes[w],
				UserAgent: "bench", ClientIp: "127.0.0.1", ExpiresAt: time.Now().Add(time.Hour),
			})
		}
		if err != nil {
			return nil, nil, fmt.Errorf("seed sessions: %w", err)
		}
	}
	return ids, hashes, nil
}

func (h *harness) getOp(client *http.Client, path string, tokens []tokenPair) bench.Op {
	return getOpAt(client, h.srv.addr+path, tokens)
}

// getOpAt is an authorised GET of target, worker w presenting tokens[w].
func getOpAt(client *http.Client, target string, tokens []tokenPair) bench.Op {
	return func(ctx context.Context, w int) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+tokens[w].AccessToken)
		return send(client, req, http.StatusOK, nil)
	}
}

// post sends body to path and wants status; with into set it decodes the
// JSON answer into it.
func (h *harness) post(
	ctx context.Context, client *http.Client, path, contentType string, body []byte, want int, into any,
) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.srv.addr+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", contentType)
	return send(client, req, want, into)
}

func send(client *http.Client, req *http.Request, want int, into any) error {
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		return &bench.StatusError{Code: resp.StatusCode, Body: strings.TrimSpace(string(b[:min(len(b), 200)]))}
	}
	if into != nil {
		return json.Unmarshal(b, into)
	}
	return nil
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}
