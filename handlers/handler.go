// Package handlers is the HTTP layer: Echo routes, middleware and the one error
// handler. Handlers bind and validate input, call the auth service and write
// its result; they hold no SQL and no token or password logic.
package handlers

import (
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"authstarter/auth"
)

// Options are what New needs to build the application.
type Options struct {
	Service *auth.Service
	Pool    *pgxpool.Pool
	Logger  *slog.Logger
	// TrustedProxies are the networks whose X-Forwarded-For is believed.
	TrustedProxies []*net.IPNet
	// IPRate is how many requests a second one client address may make to
	// the credential endpoints, on average; 0 sets no limit. IPBurst is how
	// many it may make at once.
	IPRate  float64
	IPBurst int
}

// Handler holds the dependencies of every route.
type Handler struct {
	svc     *auth.Service
	pool    *pgxpool.Pool
	log     *slog.Logger
	ipLimit *ipLimiter // nil: no per-address limit
}

// bodyLimit bounds every request body; no route needs more.
const bodyLimit = "64K"

// New returns the Echo application with every route and middleware in place,
// and the API documentation at /docs. It panics if the embedded API document
// is invalid, which the handler tests would have caught.
func New(opts Options) *echo.Echo {
	h := &Handler{svc: opts.Service, pool: opts.Pool, log: opts.Logger,
		ipLimit: newIPLimiter(opts.IPRate, opts.IPBurst)}

	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = h.errorHandler
	e.IPExtractor = ipExtractor(opts.TrustedProxies)

	e.Pre(tokenNoStore, dropClientRequestID)
	e.Use(middleware.RequestID())
	e.Use(h.requestLogger())
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisableStackAll: true, DisablePrintStack: true}))
	// Before the body limit, so that its 413 carries these headers too.
	e.Use(middleware.SecureWithConfig(middleware.SecureConfig{
		XSSProtection:      "0",
		ContentTypeNosniff: "nosniff",
		XFrameOptions:      "DENY",
		ReferrerPolicy:     "no-referrer",
	}))
	e.Use(middleware.BodyLimit(bodyLimit))

	e.GET("/healthz", h.health)
	e.GET("/readyz", h.ready)

	bearer := h.requireBearer()
	a := e.Group("/auth")
	a.POST("/register", h.register, h.limitByIP)
	a.POST("/token", h.token, h.limitByIP)
	a.GET("/self", h.self, bearer)

	// Session and token lifecycle, and the user's own account.
	a.POST("/token/refresh", h.refreshBearer)
	a.GET("/token/validate", h.validate, bearer)
	a.POST("/token/logout", h.logout)
	a.POST("/token/logout/all", h.logoutAll, bearer)
	a.PATCH("/self", h.updateSelf, bearer)
	a.POST("/self/password", h.changePassword, noStore, bearer)
	a.GET("/self/sessions", h.listSessions, bearer)
	a.DELETE("/self/sessions/:id", h.deleteSession, bearer)

	serveDocs(e)

	// Administration: see admin.go.
	h.adminRoutes(e, bearer)
	return e
}

// ipExtractor takes the client address from the connection, or from
// X-Forwarded-For when the request came through one of the trusted proxies.
func ipExtractor(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{
		echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false),
	}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// requestLogger writes one slog line a request: request id, method, path,
// status and latency. It never logs bodies, query strings or headers, so no
// password or token can reach the log.
func (h *Handler) requestLogger() echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogRequestID: true,
		LogMethod:    true,
		LogURIPath:   true,
		LogStatus:    true,
		LogLatency:   true,
		LogRemoteIP:  true,
		HandleError:  true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			h.log.LogAttrs(c.Request().Context(), slog.LevelInfo, "request",
				slog.String("request_id", v.RequestID),
				slog.String("method", v.Method),
				slog.String("path", v.URIPath),
				slog.Int("status", v.Status),
				slog.Duration("latency", v.Latency.Round(time.Microsecond)),
				slog.String("client_ip", v.RemoteIP),
			)
			return nil
		},
	})
}

// dropClientRequestID removes an X-Request-Id sent by the client, so that the
// id in responses and log lines is always one the server made: a client could
// otherwise forge the correlation between them.
func dropClientRequestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Request().Header.Del(echo.HeaderXRequestID)
		return next(c)
	}
}

// noStore marks a response as never to be cached (RFC 6749 §5.1), errors too.
func noStore(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		setNoStore(c)
		return next(c)
	}
}

func setNoStore(c echo.Context) {
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	c.Response().Header().Set("Pragma", "no-cache")
}

// tokenNoStore marks every response under /auth/token as never to be cached
// (RFC 6749 §5.1), errors included, even those written before routing, such as
// 405 and 413.
func tokenNoStore(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if p := c.Request().URL.Path; p == "/auth/token" || strings.HasPrefix(p, "/auth/token/") {
			setNoStore(c)
		}
		return next(c)
	}
}

// WithHead answers HEAD wherever GET is routed (RFC 9110 §9.3.2), for load
// balancers' health checks: the handler sees a GET, and net/http drops the body
// because the connection's own request is still a HEAD.
func WithHead(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			r = r.Clone(r.Context())
			r.Method = http.MethodGet
		}
		next.ServeHTTP(w, r)
	})
}
