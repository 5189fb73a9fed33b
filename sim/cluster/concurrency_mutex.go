package cluster

import (
	"strings"

	"etcdsim/mvcc"
	"etcdsim/mvcc/etcdapi"
)

// Mutex is concurrency.Mutex (client/v3/concurrency/mutex.go, etcd v3.7.1),
// which the v3lock service's Lock and Unlock run (v3lock/lock.go): a lock
// named by a prefix, held by the session whose key under it is the oldest.
//
// Lock puts pfx/<lease in hex>, attached to the session's lease, with the
// txn "if create_revision(key) = 0 then put, get owner else get key, get
// owner" (tryAcquire): a session that holds its key already reuses it.
// Unless the oldest key is its own, it waits until every key under the
// prefix with a lower create revision is deleted (waitDeletes, watching
// the newest of them each round), then reads its own key: gone means its
// session expired meanwhile (ErrSessionExpired). Unlock deletes the key.
//
// The key's create revision (Rev) orders the holders and is their fencing
// token: a holder that lost its lease while it believed it held may
// overlap the next, whose token is higher.
type Mutex struct {
	s     *Session
	pfx   string
	myKey string
	// myRev is myKey's create revision, -1 when the mutex holds no key.
	myRev int64
	hdr   *etcdapi.ResponseHeader
	// op is the Lock in progress, nil when none.
	op *lockOp
	// skipWaitDeletes plants a bug for tests only: Lock takes the lock
	// without waiting for the keys older than its own.
	skipWaitDeletes bool
}

// lockOp is a Lock in progress, at one of its stages.
type lockOp struct {
	done  func(*etcdapi.LockResponse, error)
	stage lockStage
	wait  *deleteWait
}

type lockStage int

const (
	lockAcquiring lockStage = iota // the txn is in flight
	lockWaiting                    // waiting for the older keys' deletion
	lockChecking                   // reading its own key
	lockReleasing                  // deleting its key after a failure
)

// NewMutex returns the mutex named pfx of session s.
func NewMutex(s *Session, pfx string) *Mutex {
	return &Mutex{s: s, pfx: pfx + "/", myRev: -1}
}

// Lock acquires the mutex; done gets the v3lock service's answer (the key,
// and the header of the read that found the lock free), or the error that
// ended the attempt: a failed txn (its key may remain, and the next Lock
// reuses it), a failed wait or read (the key is deleted first), or
// etcdapi.ErrSessionExpired when the key was gone once the wait ended.
// BEFORE: no Lock in progress.
func (m *Mutex) Lock(done func(*etcdapi.LockResponse, error)) {
	assertf(m.op == nil, "mutex %q: Lock while one is in progress", m.pfx)
	op := &lockOp{done: done}
	m.op = op
	m.myKey = keyHex(m.pfx, m.s.Lease())
	put := &etcdapi.PutRequest{Key: []byte(m.myKey), Lease: m.s.Lease()}
	get := &etcdapi.RangeRequest{Key: []byte(m.myKey)}
	getOwner := firstCreate(m.pfx)
	txn := &etcdapi.TxnRequest{Compare: []*etcdapi.Compare{createRevisionIs(m.myKey, 0)},
		Success: []*etcdapi.RequestOp{{RequestPut: put}, {RequestRange: getOwner}},
		Failure: []*etcdapi.RequestOp{{RequestRange: get}, {RequestRange: getOwner}}}
	m.s.cc.txn(txn, func(resp *etcdapi.TxnResponse, err error) {
		if m.op == op && op.stage == lockAcquiring {
			m.acquired(op, resp, err)
		}
	})
}

// acquired takes tryAcquire's answer: the lock is taken at once when the
// oldest key is the mutex's own, else the wait starts.
func (m *Mutex) acquired(op *lockOp, resp *etcdapi.TxnResponse, err error) {
	if err != nil {
		m.endLock(op, nil, err)
		return
	}
	m.myRev = resp.Header.Revision
	if !resp.Succeeded {
		kvs := resp.Responses[0].ResponseRange.Kvs
		assertf(len(kvs) == 1, "mutex %q: txn failed but %s is absent", m.pfx, m.myKey)
		m.myRev = kvs[0].CreateRevision
	}
	owner := resp.Responses[1].ResponseRange.Kvs
	if len(owner) == 0 || owner[0].CreateRevision == m.myRev || m.skipWaitDeletes {
		m.hdr = resp.Header
		m.endLock(op, m.lockResponse(), nil)
		return
	}
	op.stage = lockWaiting
	op.wait = m.s.cc.waitDeletes(m.pfx, m.myRev-1, func(_ *etcdapi.ResponseHeader, err error) {
		m.waited(op, err)
	})
}

// waited ends the wait: the mutex reads its own key to make sure its
// session did not expire meanwhile.
func (m *Mutex) waited(op *lockOp, err error) {
	op.wait = nil
	if err != nil {
		m.abandon(op, err)
		return
	}
	op.stage = lockChecking
	m.s.cc.get(&etcdapi.RangeRequest{Key: []byte(m.myKey)},
		func(resp *etcdapi.RangeResponse, err error) {
			switch {
			case m.op != op || op.stage != lockChecking:
			case err != nil:
				m.abandon(op, err)
			case len(resp.Kvs) == 0: // is the session key lost?
				m.endLock(op, nil, etcdapi.ErrSessionExpired)
			default:
				m.hdr = resp.Header
				m.endLock(op, m.lockResponse(), nil)
			}
		})
}

// abandon deletes the key, then ends the Lock with err (Lock's
// m.Unlock(client.Ctx()) before it returns an error).
func (m *Mutex) abandon(op *lockOp, err error) {
	op.stage = lockReleasing
	m.Unlock(func(*etcdapi.UnlockResponse, error) { m.endLock(op, nil, err) })
}

func (m *Mutex) lockResponse() *etcdapi.LockResponse {
	return &etcdapi.LockResponse{Header: m.hdr, Key: []byte(m.myKey)}
}

func (m *Mutex) endLock(op *lockOp, resp *etcdapi.LockResponse, err error) {
	assertf(m.op == op, "mutex %q: ending a Lock not in progress", m.pfx)
	m.op = nil
	op.done(resp, err)
}

// Cancel cancels the Lock in progress, as canceling its context does: a
// txn in flight is left to land (its key may remain); a wait or a read in
// flight ends, the key is deleted, and then done gets ErrCanceled. done
// may run before Cancel returns.
func (m *Mutex) Cancel() {
	op := m.op
	if op == nil {
		return
	}
	switch op.stage {
	case lockAcquiring:
		m.endLock(op, nil, ErrCanceled)
	case lockWaiting:
		op.wait.cancel()
	case lockChecking:
		m.abandon(op, ErrCanceled)
	}
}

// Unlock deletes the mutex's key; done gets the delete's header, or
// ErrLockReleased when the mutex holds no key.
func (m *Mutex) Unlock(done func(*etcdapi.UnlockResponse, error)) {
	if m.myKey == "" || m.myRev <= 0 || m.myKey == "\x00" {
		done(nil, ErrLockReleased)
		return
	}
	assertf(strings.HasPrefix(m.myKey, m.pfx), "mutex key %q outside %q", m.myKey, m.pfx)
	del := &etcdapi.DeleteRangeRequest{Key: []byte(m.myKey)}
	m.s.cc.Do(&mvcc.Request{DeleteRange: del}, func(resp *mvcc.Response, err error) {
		if err == nil && resp.Err != nil {
			err = resp.Err
		}
		if err != nil {
			done(nil, err)
			return
		}
		m.myKey, m.myRev = "\x00", -1
		done(&etcdapi.UnlockResponse{Header: resp.DeleteRange.Header}, nil)
	})
}

// Key is the mutex's key under its prefix (the v3lock LockResponse's Key).
func (m *Mutex) Key() string { return m.myKey }

// Rev is the key's create revision, the holder's fencing token (-1 when
// the mutex holds no key).
func (m *Mutex) Rev() int64 { return m.myRev }

// Header is the header of the answer that gave the mutex the lock.
func (m *Mutex) Header() *etcdapi.ResponseHeader { return m.hdr }

// IsOwner is the compare a txn adds to act only while the mutex still
// holds the lock.
func (m *Mutex) IsOwner() *etcdapi.Compare { return createRevisionIs(m.myKey, m.myRev) }
