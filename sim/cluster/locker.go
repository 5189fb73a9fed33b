package cluster

import (
	"strings"
	"time"

	"etcdsim/linearizability"
	"etcdsim/mvcc"
	"etcdsim/mvcc/etcdapi"
	"etcdsim/sim"
)

// Locker nodes take the ids after the watchers' range: lockerIDBase+1 ..
// lockerIDBase+lockersMax.
const (
	lockerIDBase = watcherIDBase + watchersMax
	lockersMax   = 100
)

// A locker's rhythm, in time on its own clock: it holds the lock for
// lockerHoldMin..Max, waits up to lockerThinkMax before it asks again, and
// retries a failed step after lockerRetry. Its sessions' leases live
// lockerSessionTTL seconds without keep-alives, as the workers' do (a
// session's default is a minute, longer than a run).
const (
	lockerHoldMin    = 50 * time.Millisecond
	lockerHoldMax    = 250 * time.Millisecond
	lockerThinkMax   = 100 * time.Millisecond
	lockerRetry      = 100 * time.Millisecond
	lockerSessionTTL = 3
)

// lockerName is the mutex every locker contends for, apart from the
// workload's keys ("k" prefix) and its watchers.
const lockerName = "locks/mutex"

// Timer tags of a locker, below its Concurrency's.
const (
	tagLockerStart = 1 + iota
	tagLockerSession
	tagLockerLock
	tagLockerRelease
)

// LockHold is one holding of the lockers' mutex, as its locker lived it:
// from when Lock returned to when it called Unlock, or learned that its
// session had ended (Lost), or the run ended (Open).
type LockHold struct {
	Locker sim.NodeID
	// Key is the holder's key, attached to Lease; Revision is the key's
	// create revision, the holder's fencing token.
	Key      string
	Lease    int64
	Revision int64
	// CreateCall is when the request that created the key was sent: the
	// Lock's txn, or, when the Lock found the key in place, the session's
	// grant, before which the key cannot have existed.
	CreateCall linearizability.Time
	// Acquired and Released bound the holding.
	// Invariant: CreateCall <= Acquired <= Released.
	Acquired, Released linearizability.Time
	Lost, Open         bool
}

// locker is a node of the workload that takes a mutex over and over
// through the recipes (Concurrency, Session, Mutex) and records each
// holding; its requests enter the history as a worker's do, under
// processes of its own. A session that ends (its keep-alives failed for a
// TTL, or its lease is gone) ends the holding it was in, cancels a Lock
// in progress, and a new session follows.
type locker struct {
	c  *Cluster
	p  *sim.Proc
	r  *sim.Rand
	cc *Concurrency
	// process is the history's client id (a new one after an
	// indeterminate request, as for workers).
	process linearizability.ClientID
	// sessions counts the sessions started, for their leases' IDs;
	// session and mutex are the current ones (nil between sessions), and
	// granted is when the session's grant was sent.
	sessions int64
	session  *Session
	mutex    *Mutex
	granted  linearizability.Time
	// created and createdRev are when the last txn that created the
	// mutex's key was sent, and the key's create revision.
	created    linearizability.Time
	createdRev int64
	// holds are the holdings over; holding says cur is in progress, and
	// release is its timer.
	holds   []LockHold
	cur     LockHold
	holding bool
	release sim.TimerID
}

// lockers is how many lockers run (Config.Lockers).
func (c *Cluster) lockers() int { return c.cfg.Lockers }

// addLockers adds the locker nodes to the world.
func (c *Cluster) addLockers() error {
	for i := 1; i <= c.lockers(); i++ {
		if err := c.w.AddNode(sim.NodeID(lockerIDBase+i), func(p *sim.Proc) sim.Node {
			lk := &locker{c: c, p: p, r: p.Rand("locker"),
				cc: NewConcurrency(p, NewClient(p, c.cfg.Client, c.memberIDs),
					NewWatchClient(p, DefaultWatchConfig(), c.memberIDs))}
			lk.cc.record = lk.recordCall
			return lk
		}); err != nil {
			return err
		}
	}
	return nil
}

// Start waits for the cluster's first leader, as workers do.
func (lk *locker) Start() {
	lk.process = lk.c.newProcess()
	lk.after(0, tagLockerStart)
}

func (lk *locker) Fire(tag uint64) {
	if lk.cc.Fire(tag) {
		return
	}
	switch tag {
	case tagLockerStart:
		if lk.c.leaderChanges == 0 {
			lk.after(startPollInterval, tagLockerStart)
			return
		}
		lk.newSession()
	case tagLockerSession:
		lk.newSession()
	case tagLockerLock:
		lk.lock()
	case tagLockerRelease:
		lk.unlock()
	}
}

func (lk *locker) Receive(from sim.NodeID, msg any) {
	if !lk.cc.Receive(from, msg) {
		lk.p.Logf("unexpected message %T from %s", msg, from)
	}
}

func (lk *locker) after(d time.Duration, tag uint64) sim.TimerID {
	t, err := lk.p.SetTimer(d, tag)
	if err != nil {
		failf("locker timer: %v", err)
	}
	return t
}

// newSession grants the next session's lease, under an ID of the locker's
// own.
func (lk *locker) newSession() {
	if lk.c.stopClients {
		return
	}
	lk.sessions++
	lk.granted = lt(lk.c.w.Now())
	opts := SessionOptions{TTL: lockerSessionTTL, GrantID: int64(lk.p.ID())<<32 | lk.sessions}
	lk.cc.NewSession(opts, func(s *Session, err error) {
		if err != nil {
			lk.after(lockerRetry, tagLockerSession)
			return
		}
		lk.session, lk.mutex = s, NewMutex(s, lockerName)
		lk.mutex.skipWaitDeletes = lk.c.cfg.skipWaitDeletes
		s.OnDone(func(err error) { lk.sessionEnded(s, err) })
		lk.lock()
	})
}

// lock asks for the mutex, unless the run is ending.
func (lk *locker) lock() {
	m := lk.mutex
	if lk.c.stopClients || m == nil || lk.session.Done() {
		return
	}
	m.Lock(func(resp *etcdapi.LockResponse, err error) {
		switch {
		case m != lk.mutex:
		case err != nil:
			lk.p.Logf("lock: %v", err)
			lk.after(lockerRetry, tagLockerLock)
		default:
			lk.acquired(m, string(resp.Key))
		}
	})
}

// acquired starts a holding and its timer.
func (lk *locker) acquired(m *Mutex, key string) {
	now := lt(lk.c.w.Now())
	create := lk.granted
	if lk.createdRev == m.Rev() {
		create = lk.created
	}
	lk.cur = LockHold{Locker: lk.p.ID(), Key: key, Lease: lk.session.Lease(), Revision: m.Rev(),
		CreateCall: create, Acquired: now}
	lk.holding = true
	hold := lockerHoldMin + time.Duration(lk.r.Int64N(int64(lockerHoldMax-lockerHoldMin)+1))
	lk.release = lk.after(hold, tagLockerRelease)
	lk.p.Logf("lock: holding %s at revision %d", key, m.Rev())
}

// unlock ends the holding and releases the mutex; the next Lock follows a
// while after.
func (lk *locker) unlock() {
	if !lk.holding {
		return
	}
	lk.endHold(false)
	m := lk.mutex
	m.Unlock(func(_ *etcdapi.UnlockResponse, err error) {
		if err != nil {
			lk.p.Logf("unlock: %v", err)
		}
		if m == lk.mutex {
			lk.after(time.Duration(lk.r.Int64N(int64(lockerThinkMax)+1)), tagLockerLock)
		}
	})
}

// sessionEnded ends the holding in progress (lost), cancels a Lock in
// progress, and starts the next session a while after.
func (lk *locker) sessionEnded(s *Session, err error) {
	if s != lk.session {
		return
	}
	lk.p.Logf("session of lease %x ended: %v", s.Lease(), err)
	if lk.holding {
		lk.p.CancelTimer(lk.release)
		lk.endHold(true)
	}
	m := lk.mutex
	lk.session, lk.mutex = nil, nil
	m.Cancel()
	lk.after(lockerRetry, tagLockerSession)
}

func (lk *locker) endHold(lost bool) {
	assertf(lk.holding, "locker %s: no holding to end", lk.p.ID())
	lk.holding = false
	lk.cur.Released, lk.cur.Lost = lt(lk.c.w.Now()), lost
	assertf(lk.cur.Acquired <= lk.cur.Released, "locker %s: released before acquired", lk.p.ID())
	lk.holds = append(lk.holds, lk.cur)
}

// recordCall records a request in the history as a worker does: answered
// ones with their answer, indeterminate ones as such (the locker then
// continues as a new process), failed reads and refusals not at all. It
// also notes the txns that create the mutex's key.
func (lk *locker) recordCall(req *mvcc.Request) func(*mvcc.Response, error) {
	call, in := lt(lk.c.w.Now()), historyRequest(req)
	return func(resp *mvcc.Response, err error) {
		op := linearizability.Operation{Client: lk.process, Call: call, Input: in}
		switch {
		case err == nil:
			op.Return, op.Output = lt(lk.c.w.Now()), historyResponse(resp)
			lk.c.record(op)
			if createsLockKey(req, resp) {
				lk.created, lk.createdRev = call, resp.Txn.Header.Revision
			}
		case in.Range != nil:
		case mayHaveApplied(err):
			op.Unknown = true
			lk.c.record(op)
			lk.process = lk.c.newProcess()
		}
	}
}

// createsLockKey reports whether a txn's answer says it put a key under
// the lockers' mutex, creating it.
func createsLockKey(req *mvcc.Request, resp *mvcc.Response) bool {
	if req.Txn == nil || resp.Txn == nil || !resp.Txn.Succeeded || len(req.Txn.Success) == 0 {
		return false
	}
	put := req.Txn.Success[0].RequestPut
	return put != nil && strings.HasPrefix(string(put.Key), lockerName+"/")
}

// LockHolds returns the lockers' holdings so far, in locker order; one in
// progress is included as Open, released now.
func (c *Cluster) LockHolds() []LockHold {
	var holds []LockHold
	for i := 1; i <= c.lockers(); i++ {
		n, err := c.w.Node(sim.NodeID(lockerIDBase + i))
		if err != nil {
			failf("locker %d: %v", lockerIDBase+i, err)
		}
		lk, ok := n.(*locker)
		if !ok {
			continue // not started, or crashed: lockers never are
		}
		holds = append(holds, lk.holds...)
		if lk.holding {
			h := lk.cur
			h.Released, h.Open = lt(c.w.Now()), true
			holds = append(holds, h)
		}
	}
	return holds
}
