package harness

import (
	"fmt"
	"time"

	"etcdsim/sim"
	"etcdsim/sim/cluster"
)

// stormWindow is the span of simulated time over which a run's events are
// counted to tell a message storm from a busy run.
const stormWindow = time.Second

// stormFactor is how many times its expected event rate a run may reach in
// one window before it is a storm. Measured peaks under every fault kind,
// 1 to 7 members and up to 50 clients, stay below the expected rate
// itself (TestPeakEventRateStaysBelowTheEstimate); the planted storm of
// truncate-on-stale-append passes twenty times it within 5 s.
const stormFactor = 20

// stormDetector counts the events of each window of simulated time. A
// planted bug can make members exchange messages in a loop with no client
// work behind them; their rate then passes any rate the configuration
// explains, where a long or large run only adds windows. So the bound is a
// rate, scaled to the configuration, and a run of any length never reaches
// it by being long.
type stormDetector struct {
	// rateMax is the most events a window may hold.
	rateMax uint64
	// start and end bound the current window; count is its events so far.
	start, end sim.Time
	count      uint64
	// peak is the most events any window held.
	peak uint64
}

func newStormDetector(cfg cluster.Config) stormDetector {
	return stormDetector{rateMax: stormFactor * expectedEventRate(cfg)}
}

// expectedEventRate is an upper estimate of a healthy cluster's events per
// stormWindow: each member ticks, the leader's heartbeats and appends go
// to every other member and come back, and each client op is a request, a
// proposal replicated to every member and back, and a reply, at most one
// op per client per expected op time.
func expectedEventRate(cfg cluster.Config) uint64 {
	members, clients := uint64(cfg.Members), uint64(cfg.Clients)
	ticks := uint64(stormWindow / cfg.TickInterval)
	raft := ticks * members * (1 + 2*members)
	// Clients start Rate requests a second, fewer when answers are slow;
	// at most one per 5ms each, a bound on a request's round trip.
	ops := min(uint64(cfg.Workload.Rate)*uint64(stormWindow/time.Second),
		clients*uint64(stormWindow/(5*time.Millisecond)))
	// A request is sent, maybe forwarded, answered, and costs a round of
	// appends (a write) or heartbeats (a read index) to every member, and
	// their disk writes; retries after refusals add a few more.
	return raft + ops*(6+6*members) + 1000
}

// note counts one event at time now and returns a storm error once the
// window holds more than rateMax events.
func (d *stormDetector) note(now sim.Time) error {
	if now >= d.end { // a new window; dividing only then keeps the event path cheap
		d.start = sim.Time(int64(now) / int64(stormWindow) * int64(stormWindow))
		d.end, d.count = d.start.Add(stormWindow), 0
	}
	d.count++
	d.peak = max(d.peak, d.count)
	if d.count > d.rateMax {
		return fmt.Errorf("%w: %d events in the simulated second from %v, more than %d "+
			"(%d times the %d this configuration explains)", ErrMessageStorm, d.count,
			d.start, d.rateMax, stormFactor, d.rateMax/stormFactor)
	}
	return nil
}
