// Package bench measures the service under load: a closed-loop load generator,
// latency percentiles, a process's CPU time and memory read from /proc, and the
// Markdown report that sets each scenario beside the limit measured for it.
package bench

import (
	"math"
	"slices"
	"time"
)

// Percentile returns the p-th percentile (0 < p <= 100) of sorted, by the
// nearest-rank method: the smallest value that at least p percent of the
// values do not exceed. It returns 0 for no values.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = max(1, min(rank, len(sorted)))
	return sorted[rank-1]
}

// Latencies summarises a set of latencies.
type Latencies struct {
	P50, P95, P99, Max time.Duration
}

// Summarize sorts d in place and returns its percentiles.
func Summarize(d []time.Duration) Latencies {
	slices.Sort(d)
	if len(d) == 0 {
		return Latencies{}
	}
	return Latencies{
		P50: Percentile(d, 50),
		P95: Percentile(d, 95),
		P99: Percentile(d, 99),
		Max: d[len(d)-1],
	}
}
