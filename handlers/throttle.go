package handlers

import (
	"errors"
	"math"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"

	"authstarter/auth"
)

const codeTooManyRequests = "too_many_requests"

// ipLimiter is a token bucket per client address, guarding the credential
// endpoints against bursts. Its state lives in this process: with N replicas
// behind a load balancer a client gets up to N times the rate. The per-account
// lock (auth.ThrottledError) is the limit that holds across replicas.
type ipLimiter struct {
	limit rate.Limit
	burst int
	// idle is how long a bucket takes to refill: a client unseen that long
	// is as good as new and may be forgotten.
	idle time.Duration
	now  func() time.Time

	mu      sync.Mutex
	clients map[string]*ipClient
	swept   time.Time
}

type ipClient struct {
	bucket *rate.Limiter
	seen   time.Time
}

// sweepEvery is how often, at most, idle clients are forgotten; more often
// when maxTracked clients are tracked.
const (
	sweepEvery = time.Minute
	maxTracked = 100_000
)

// newIPLimiter allows each client address perSecond requests on average and
// burst at once; it returns nil, which limits nothing, when perSecond is 0.
func newIPLimiter(perSecond float64, burst int) *ipLimiter {
	if perSecond <= 0 {
		return nil
	}
	return &ipLimiter{
		limit:   rate.Limit(perSecond),
		burst:   max(burst, 1),
		idle:    time.Duration(float64(max(burst, 1)) / perSecond * float64(time.Second)),
		now:     time.Now,
		clients: map[string]*ipClient{},
	}
}

// wait takes a token from ip's bucket and returns zero, or leaves the bucket
// as it was and returns how long until a token is free.
func (l *ipLimiter) wait(ip string) time.Duration {
	key := clientKey(ip)
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	c := l.clients[key]
	if c == nil {
		c = &ipClient{bucket: rate.NewLimiter(l.limit, l.burst)}
		l.clients[key] = c
	}
	c.seen = now
	r := c.bucket.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return d
	}
	return 0
}

// sweep forgets the clients whose buckets are full again.
func (l *ipLimiter) sweep(now time.Time) {
	if now.Sub(l.swept) < sweepEvery && len(l.clients) < maxTracked {
		return
	}
	l.swept = now
	for k, c := range l.clients {
		if now.Sub(c.seen) > l.idle {
			delete(l.clients, k)
		}
	}
}

// clientKey is the bucket of an address: an IPv4 address alone, an IPv6
// address by its /64, since one host commonly holds a whole /64.
func clientKey(ip string) string {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	addr = addr.Unmap()
	if addr.Is6() {
		return netip.PrefixFrom(addr, 64).Masked().String()
	}
	return addr.String()
}

// limitByIP refuses a request with 429 when its client address (see
// ipExtractor: the connection's peer unless TRUSTED_PROXIES says otherwise)
// has used up its bucket.
func (h *Handler) limitByIP(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if h.ipLimit == nil {
			return next(c)
		}
		if d := h.ipLimit.wait(c.RealIP()); d > 0 {
			return tooManyRequests("too many requests from this address; retry later", d)
		}
		return next(c)
	}
}

// throttleErrorFor maps auth's lock of an account; nil for any other error.
func throttleErrorFor(err error) *Error {
	var throttled *auth.ThrottledError
	if errors.As(err, &throttled) {
		return tooManyRequests("too many failed logins for this username; retry later", throttled.RetryAfter)
	}
	return nil
}

// tooManyRequests is a 429 that tells the client, in whole seconds, when to
// retry.
func tooManyRequests(description string, retryAfter time.Duration) *Error {
	e := newError(http.StatusTooManyRequests, codeTooManyRequests, description)
	e.RetryAfter = max(1, int(math.Ceil(retryAfter.Seconds())))
	return e
}
