package cluster

import (
	"errors"
	"fmt"

	"etcdsim/mvcc"
	"etcdsim/mvcc/etcdapi"
	"etcdsim/sim"
)

// etcd's concurrency recipes, as client/v3/concurrency has them (etcd
// v3.7.1, unchanged at main c34dc7e: session.go, mutex.go, election.go,
// key.go) and as the v3lock and v3election services serve them
// (server/etcdserver/api/v3lock/lock.go, api/v3election/election.go, which
// run the same client code inside the server). They are recipes, not
// server features: a session is a lease kept alive; a mutex or an election
// is a prefix under which each contender puts one key attached to its
// lease, the oldest key (lowest create revision) owns it, and each waiter
// watches the deletion of the key just older than its own. Everything goes
// through the KV, lease and watch APIs, so the recipes inherit their
// guarantees, and their limits: a holder whose keep-alives stop still
// believes it holds until it learns its session ended, while the lease may
// already be revoked and the lock given to the next waiter. The key's
// create revision, a fencing token, is the cure (Mutex.Rev).
//
// Nothing in a world blocks, so each call takes a callback where clientv3
// returns; a context's cancellation is a Cancel method.
//
// This file holds what the recipes share: the node's Client, which carries
// one call at a time (Concurrency), and waitDeletes (key.go).

// Errors of the recipes beside etcdapi's (etcdapi.ErrSessionExpired,
// ErrElectionNotLeader, ErrElectionNoLeader).
var (
	// ErrLockReleased is returned by Unlock on a mutex not held (etcd's
	// concurrency.ErrLockReleased).
	ErrLockReleased = errors.New("mutex: lock has already been released")
	// ErrCanceled ends a Lock or Campaign that its caller canceled (the
	// context.Canceled a clientv3 call returns).
	ErrCanceled = errors.New("cluster: context canceled")
	// ErrLostWatcher ends a wait whose watch ended without an error
	// (etcd's waitDelete: "lost watcher waiting for delete").
	ErrLostWatcher = errors.New("lost watcher waiting for delete")
)

// Concurrency is one node's client for etcd's concurrency recipes: the
// node's Client and WatchClient, shared by its sessions, mutexes and
// elections as goroutines share one clientv3.Client. The Client carries
// one call at a time, so calls wait their turn in a queue, oldest first:
// a session's keep-alive waits behind a mutex's txn, as both would share
// one connection.
//
// Like Client, it lives inside a node, which passes it its messages and
// timers (Receive, Fire). While it lives, every call of the node's Client
// MUST go through it (Do).
type Concurrency struct {
	p  *sim.Proc
	cl *Client
	wc *WatchClient
	// queue holds the calls waiting for the Client, oldest first; busy says
	// one is in flight.
	// Invariant: len(queue) <= callQueueMax.
	queue []func()
	busy  bool
	// sessions are the sessions whose keep-alives run, by number (for
	// their timers); made counts the sessions started.
	sessions map[uint64]*Session
	made     uint64
	// record, when set, sees each call that goes through the log (a KV
	// request, a grant, a revoke) as it is sent; the function it returns
	// sees how the call ended. The lockers record their history with it.
	record func(req *mvcc.Request) func(*mvcc.Response, error)
}

// Bounds of the recipes: callQueueMax bounds the calls waiting for the
// Client (a node's sessions and recipes have a few in flight at most);
// waitDeletesRoundsMax bounds the keys one wait outlives.
const (
	callQueueMax         = 64
	waitDeletesRoundsMax = 10_000
)

// Timer tags of a Concurrency's sessions: tagSession + 2·number + kind,
// above the Client's and WatchClient's tags.
const (
	tagSession     = 3 << 32
	tagSessionSpan = 1 << 32
)

// NewConcurrency returns the recipes' client for the node p, over its
// Client and WatchClient.
func NewConcurrency(p *sim.Proc, cl *Client, wc *WatchClient) *Concurrency {
	return &Concurrency{p: p, cl: cl, wc: wc, sessions: map[uint64]*Session{}}
}

// Receive takes a member's message for the Client or the WatchClient; it
// returns false for a message that is neither's.
func (cc *Concurrency) Receive(from sim.NodeID, msg any) bool {
	return cc.cl.Receive(from, msg) || cc.wc.Receive(from, msg)
}

// Fire runs the timers of the Client, the WatchClient and the sessions; it
// returns false for a tag not theirs.
func (cc *Concurrency) Fire(tag uint64) bool {
	if cc.cl.Fire(tag) || cc.wc.Fire(tag) {
		return true
	}
	if tag < tagSession || tag >= tagSession+tagSessionSpan {
		return false
	}
	n := tag - tagSession
	if s := cc.sessions[n/2]; s != nil {
		s.fire(n%2 == sessionTimerDeadline)
	}
	return true // a session ended since: its timer is stale
}

// Do queues a KV request, or a lease grant or revoke, on the Client; done
// gets what Client.Do gives it.
func (cc *Concurrency) Do(req *mvcc.Request, done func(*mvcc.Response, error)) {
	cc.enqueue(func() {
		var end func(*mvcc.Response, error)
		if cc.record != nil {
			end = cc.record(req)
		}
		cc.cl.Do(req, func(resp *mvcc.Response, err error) {
			if end != nil {
				end(resp, err)
			}
			cc.release()
			done(resp, err)
			cc.next()
		})
	})
}

// keepAliveOnce queues a keep-alive of lease id on the Client.
func (cc *Concurrency) keepAliveOnce(id int64, done func(*etcdapi.LeaseKeepAliveResponse, error)) {
	cc.enqueue(func() {
		cc.cl.KeepAliveOnce(id, func(resp *etcdapi.LeaseKeepAliveResponse, err error) {
			cc.release()
			done(resp, err)
			cc.next()
		})
	})
}

// enqueue adds a call that start sends, and sends it if the Client is
// free. A call's callback releases the Client BEFORE it runs, so that the
// calls it makes queue behind those already waiting.
func (cc *Concurrency) enqueue(start func()) {
	if len(cc.queue) == callQueueMax {
		failf("concurrency %s: %d calls wait for the client", cc.p.ID(), len(cc.queue))
	}
	cc.queue = append(cc.queue, start)
	cc.next()
}

// next sends the oldest waiting call if the Client is free.
func (cc *Concurrency) next() {
	if cc.busy || len(cc.queue) == 0 {
		return
	}
	start := cc.queue[0]
	cc.queue[0] = nil
	cc.queue = cc.queue[1:]
	cc.busy = true
	start()
	assertf(cc.cl.Busy(), "concurrency %s: a queued call sent nothing", cc.p.ID())
}

func (cc *Concurrency) release() {
	assertf(cc.busy, "concurrency %s: released an idle client", cc.p.ID())
	cc.busy = false
}

// txn runs a txn; a failed one (its response's Err) ends with that error.
func (cc *Concurrency) txn(t *etcdapi.TxnRequest, done func(*etcdapi.TxnResponse, error)) {
	cc.Do(&mvcc.Request{Txn: t}, func(resp *mvcc.Response, err error) {
		if err == nil && resp.Err != nil {
			err = resp.Err
		}
		if err != nil {
			done(nil, err)
			return
		}
		done(resp.Txn, nil)
	})
}

// get runs a linearizable range.
func (cc *Concurrency) get(r *etcdapi.RangeRequest, done func(*etcdapi.RangeResponse, error)) {
	cc.Do(&mvcc.Request{Range: r}, func(resp *mvcc.Response, err error) {
		if err == nil && resp.Err != nil {
			err = resp.Err
		}
		if err != nil {
			done(nil, err)
			return
		}
		done(resp.Range, nil)
	})
}

// The requests of the recipes, as clientv3's options build them.

// keyHex is a contender's key under pfx: pfx and its lease in hex, as
// fmt.Sprintf("%s%x", pfx, lease) in mutex.go and election.go.
func keyHex(pfx string, lease int64) string { return fmt.Sprintf("%s%x", pfx, lease) }

// firstCreate is Get(pfx, WithFirstCreate()...): the oldest key under pfx.
func firstCreate(pfx string) *etcdapi.RangeRequest {
	return &etcdapi.RangeRequest{Key: []byte(pfx), RangeEnd: etcdapi.PrefixEnd([]byte(pfx)),
		SortOrder: etcdapi.RangeRequest_ASCEND, SortTarget: etcdapi.RangeRequest_CREATE, Limit: 1}
}

// createRevisionIs compares key's create revision with rev (0: absent).
func createRevisionIs(key string, rev int64) *etcdapi.Compare {
	return &etcdapi.Compare{Key: []byte(key), Target: etcdapi.Compare_CREATE,
		Result: etcdapi.Compare_EQUAL, CreateRevision: rev}
}

// deleteWait is waitDeletes of key.go in flight: it waits until no key
// under pfx has a create revision at most maxRev. Each round reads the
// newest such key (WithLastCreate, WithMaxCreateRev) and watches it from
// the read's revision until a DELETE event; none left ends the wait.
type deleteWait struct {
	cc     *Concurrency
	pfx    string
	maxRev int64
	done   func(*etcdapi.ResponseHeader, error)
	// watch is the watch of the current round's key, nil while its read is
	// in flight.
	watch  *Watch
	rounds int
	// over is set once done has run: later answers are dropped.
	over bool
}

// waitDeletes starts a deleteWait; done runs once, with the header of the
// last read (none left) or the error that ended the wait.
func (cc *Concurrency) waitDeletes(pfx string, maxCreateRev int64,
	done func(*etcdapi.ResponseHeader, error)) *deleteWait {
	dw := &deleteWait{cc: cc, pfx: pfx, maxRev: maxCreateRev, done: done}
	dw.look()
	return dw
}

// look reads the newest key still to wait for.
func (dw *deleteWait) look() {
	if dw.rounds == waitDeletesRoundsMax {
		dw.finish(nil, fmt.Errorf("cluster: waited for %d deletions under %q", dw.rounds, dw.pfx))
		return
	}
	dw.rounds++
	r := &etcdapi.RangeRequest{Key: []byte(dw.pfx), RangeEnd: etcdapi.PrefixEnd([]byte(dw.pfx)),
		SortOrder: etcdapi.RangeRequest_DESCEND, SortTarget: etcdapi.RangeRequest_CREATE, Limit: 1,
		MaxCreateRevision: dw.maxRev}
	dw.cc.get(r, func(resp *etcdapi.RangeResponse, err error) {
		switch {
		case dw.over:
		case err != nil:
			dw.finish(nil, err)
		case len(resp.Kvs) == 0:
			dw.finish(resp.Header, nil)
		default:
			dw.waitDelete(string(resp.Kvs[0].Key), resp.Header.Revision)
		}
	})
}

// waitDelete watches key from rev until it is deleted (key.go's
// waitDelete); a watch that ends first ends the wait with its error.
func (dw *deleteWait) waitDelete(key string, rev int64) {
	req := &etcdapi.WatchCreateRequest{Key: []byte(key), StartRevision: rev}
	dw.watch = dw.cc.wc.Watch(req, func(resp *etcdapi.WatchResponse) {
		if dw.over {
			return
		}
		for _, ev := range resp.Events {
			if ev.Type == etcdapi.DELETE {
				dw.watch.Cancel()
				dw.watch = nil
				dw.look()
				return
			}
		}
		if resp.Canceled {
			dw.watch = nil
			dw.finish(nil, watchEndError(resp))
		}
	})
}

// watchEndError is the error of a watch that ended: clientv3's
// WatchResponse.Err, or the lost watcher of waitDelete.
func watchEndError(resp *etcdapi.WatchResponse) error {
	switch {
	case resp.CompactRevision != 0:
		return etcdapi.ErrCompacted
	case resp.CancelReason != "":
		return fmt.Errorf("cluster: watch canceled: %s", resp.CancelReason)
	}
	return ErrLostWatcher
}

// cancel ends the wait with ErrCanceled at once, as a canceled context
// ends clientv3's Get or watch; a read in flight is answered unheard.
func (dw *deleteWait) cancel() {
	if dw.over {
		return
	}
	if dw.watch != nil {
		dw.watch.Cancel()
		dw.watch = nil
	}
	dw.finish(nil, ErrCanceled)
}

func (dw *deleteWait) finish(h *etcdapi.ResponseHeader, err error) {
	assertf(!dw.over, "waitDeletes under %q finished twice", dw.pfx)
	dw.over = true
	dw.done(h, err)
}
