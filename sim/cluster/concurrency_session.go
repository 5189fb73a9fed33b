package cluster

import (
	"errors"
	"time"

	"etcdsim/mvcc"
	"etcdsim/mvcc/etcdapi"
	"etcdsim/sim"
)

// Session is concurrency.Session (client/v3/concurrency/session.go, etcd
// v3.7.1): a lease kept alive for as long as its client lives. Mutexes and
// elections attach their keys to it, so that the keys of a client that
// stops go when its lease runs out.
//
// Keep-alives follow clientv3's lessor (client/v3/lease.go): the first is
// sent at once, each answer schedules the next a third of the TTL later
// and moves the deadline a TTL ahead, a loop every retryConnWait (500 ms)
// sends those due, and a loop every second ends the session once its
// deadline has passed (deadlineLoop), so a client learns it lost its lease
// up to a second after its last answer's TTL ran out: the window in which
// a holder that was cut off still believes it holds. An answer with TTL 0
// (the lease is gone) ends it at once. Times are on the node's own clock.
type Session struct {
	cc  *Concurrency
	num uint64
	id  int64
	ttl int64
	// deadline is when the session ends unless a keep-alive is answered
	// first; nextKeepAlive is when the next one is due.
	deadline, nextKeepAlive sim.Time
	// inflight says a keep-alive waits for its answer.
	inflight bool
	// over is set when the session ends (expired, orphaned or closed), err
	// to etcdapi.ErrSessionExpired if its lease was lost.
	over   bool
	err    error
	onDone []func(error)
	timers [2]sim.TimerID
}

// SessionOptions are concurrency's SessionOptions.
type SessionOptions struct {
	// TTL is the lease's TTL in seconds (WithTTL; 0: etcd's 60).
	TTL int64
	// Lease is an existing lease to keep alive instead of granting one
	// (WithLease).
	Lease int64
	// GrantID is the ID the grant asks for (0: the cluster chooses, as
	// clientv3 always lets it). The workload names its leases, as workers
	// do, so that each locker's are its own.
	GrantID int64
}

// Session timing (client/v3/concurrency/session.go defaultSessionTTL;
// client/v3/lease.go defaultTTL, retryConnWait and deadlineLoop's period).
const (
	sessionTTLDefault       = 60
	sessionFirstDeadline    = 5 * time.Second
	sessionKeepAliveLoop    = 500 * time.Millisecond
	sessionDeadlineLoop     = time.Second
	sessionTimerKeepAlive   = 0
	sessionTimerDeadline    = 1
	sessionKeepAliveDivisor = 3
)

// NewSession grants a lease (or takes opts.Lease) and keeps it alive; done
// gets the session, or the grant's error.
func (cc *Concurrency) NewSession(opts SessionOptions, done func(*Session, error)) {
	ttl := opts.TTL
	if ttl <= 0 {
		ttl = sessionTTLDefault
	}
	if opts.Lease != 0 {
		done(cc.startSession(opts.Lease, ttl), nil)
		return
	}
	req := &mvcc.Request{LeaseGrant: &etcdapi.LeaseGrantRequest{TTL: ttl, ID: opts.GrantID}}
	cc.Do(req, func(resp *mvcc.Response, err error) {
		if err == nil && resp.Err != nil {
			err = resp.Err
		}
		if err != nil {
			done(nil, err)
			return
		}
		done(cc.startSession(resp.LeaseGrant.ID, ttl), nil)
	})
}

// startSession starts keeping lease id alive, as client.KeepAlive does.
func (cc *Concurrency) startSession(id, ttl int64) *Session {
	assertf(id != 0, "session of lease 0")
	now := cc.p.Now()
	s := &Session{cc: cc, num: cc.made, id: id, ttl: ttl,
		deadline: now.Add(sessionFirstDeadline), nextKeepAlive: now}
	cc.made++
	cc.sessions[s.num] = s
	s.timers[sessionTimerKeepAlive] = s.setTimer(sessionKeepAliveLoop, sessionTimerKeepAlive)
	s.timers[sessionTimerDeadline] = s.setTimer(sessionDeadlineLoop, sessionTimerDeadline)
	s.keepAlive()
	return s
}

// Lease is the lease the session's keys are attached to.
func (s *Session) Lease() int64 { return s.id }

// TTL is the lease's TTL in seconds.
func (s *Session) TTL() int64 { return s.ttl }

// Done reports whether the session ended: its lease expired or was lost,
// or its user orphaned or closed it.
func (s *Session) Done() bool { return s.over }

// Err is etcdapi.ErrSessionExpired once the session ended by losing its
// lease, nil otherwise.
func (s *Session) Err() error { return s.err }

// OnDone runs fn once the session ends (at once if it has), with Err: the
// close of concurrency's Session.Done channel.
func (s *Session) OnDone(fn func(error)) {
	if s.over {
		fn(s.err)
		return
	}
	s.onDone = append(s.onDone, fn)
}

// Orphan stops the keep-alives: the lease runs out unless someone else
// keeps it alive.
func (s *Session) Orphan() { s.end(nil) }

// Close orphans the session and revokes its lease; done gets the revoke's
// error.
func (s *Session) Close(done func(error)) {
	s.Orphan()
	req := &mvcc.Request{LeaseRevoke: &etcdapi.LeaseRevokeRequest{ID: s.id}}
	s.cc.Do(req, func(resp *mvcc.Response, err error) {
		if err == nil {
			err = resp.Err
		}
		done(err)
	})
}

func (s *Session) setTimer(d time.Duration, kind uint64) sim.TimerID {
	t, err := s.cc.p.SetTimer(d, tagSession+2*s.num+kind)
	if err != nil {
		failf("session timer: %v", err)
	}
	return t
}

// fire runs one of the session's loops: the deadline check or the
// keep-alive send.
func (s *Session) fire(deadline bool) {
	if s.over {
		return
	}
	now := s.cc.p.Now()
	if deadline {
		s.timers[sessionTimerDeadline] = s.setTimer(sessionDeadlineLoop, sessionTimerDeadline)
		if s.deadline < now {
			s.cc.p.Logf("session of lease %x: no keep-alive answered in time", s.id)
			s.end(etcdapi.ErrSessionExpired)
		}
		return
	}
	s.timers[sessionTimerKeepAlive] = s.setTimer(sessionKeepAliveLoop, sessionTimerKeepAlive)
	if now >= s.nextKeepAlive {
		s.keepAlive()
	}
}

// keepAlive sends one keep-alive unless one is in flight.
func (s *Session) keepAlive() {
	if s.inflight {
		return
	}
	s.inflight = true
	s.cc.keepAliveOnce(s.id, s.keptAlive)
}

// keptAlive takes a keep-alive's answer (lease.go recvKeepAlive): a lease
// gone ends the session; any other failure leaves it to the deadline.
func (s *Session) keptAlive(resp *etcdapi.LeaseKeepAliveResponse, err error) {
	s.inflight = false
	switch {
	case s.over:
	case errors.Is(err, etcdapi.ErrLeaseNotFound):
		s.cc.p.Logf("session of lease %x: the lease is gone", s.id)
		s.end(etcdapi.ErrSessionExpired)
	case err != nil:
	default:
		now := s.cc.p.Now()
		ttl := time.Duration(resp.TTL) * time.Second
		s.nextKeepAlive = now.Add(ttl / sessionKeepAliveDivisor)
		s.deadline = now.Add(ttl)
	}
}

// end stops the keep-alives and tells those waiting on OnDone.
func (s *Session) end(err error) {
	if s.over {
		return
	}
	s.over, s.err = true, err
	for _, t := range s.timers {
		s.cc.p.CancelTimer(t)
	}
	delete(s.cc.sessions, s.num)
	fns := s.onDone
	s.onDone = nil
	for _, fn := range fns {
		fn(err)
	}
}
