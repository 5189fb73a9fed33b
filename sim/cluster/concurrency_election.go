package cluster

import (
	"bytes"
	"errors"

	"etcdsim/mvcc/etcdapi"
)

// Election is concurrency.Election (client/v3/concurrency/election.go,
// etcd v3.7.1), which the v3election service runs
// (v3election/election.go): candidates campaign under a prefix as
// contenders for a mutex do, the oldest key is the leader, and its value
// is what the leader proclaims.
//
// Campaign puts pfx/<lease in hex> with the candidate's value (or takes
// the key its session holds, proclaiming the new value if it differs) and
// waits for every older key's deletion. Proclaim and Resign act only if
// the leader key still has the create revision it won with (a txn on
// create_revision), so a deposed leader gets ErrElectionNotLeader. Leader
// reads the oldest key; Observe follows the leader key, and the next one
// after its deletion.
type Election struct {
	s *Session
	// name is the election's name, keyPrefix name plus "/".
	name, keyPrefix string
	// leaderKey and leaderRev are the key this election campaigned with
	// and its create revision; leaderSession is set while it may lead.
	leaderKey     string
	leaderRev     int64
	leaderSession *Session
	hdr           *etcdapi.ResponseHeader
	// op is the Campaign in progress, nil when none.
	op *campaignOp
}

// campaignOp is a Campaign in progress, at one of its stages.
type campaignOp struct {
	val  []byte
	done func(*etcdapi.CampaignResponse, error)
	// hdr is the header of the campaign's txn, the answer's once it wins.
	hdr   *etcdapi.ResponseHeader
	stage campaignStage
	wait  *deleteWait
}

type campaignStage int

const (
	campaignAcquiring   campaignStage = iota // the txn is in flight
	campaignProclaiming                      // proclaiming a new value on a key held
	campaignWaiting                          // waiting for the older keys' deletion
	campaignResigning                        // resigning after a failure
)

// NewElection returns the election named pfx of session s.
func NewElection(s *Session, pfx string) *Election {
	return &Election{s: s, name: pfx, keyPrefix: pfx + "/"}
}

// ResumeElection returns an election that leads with leaderKey, created at
// leaderRev (what the v3election service does with a request's LeaderKey).
// As etcd's, its prefix is pfx itself, without the "/".
func ResumeElection(s *Session, pfx string, leaderKey string, leaderRev int64) *Election {
	return &Election{s: s, name: pfx, keyPrefix: pfx, leaderKey: leaderKey,
		leaderRev: leaderRev, leaderSession: s}
}

// Campaign puts val as eligible for the election and waits until it
// leads; done gets the v3election service's answer (the leader key), or
// the error that ended the campaign.
// BEFORE: no Campaign in progress.
func (e *Election) Campaign(val []byte, done func(*etcdapi.CampaignResponse, error)) {
	assertf(e.op == nil, "election %q: Campaign while one is in progress", e.name)
	op := &campaignOp{val: val, done: done}
	e.op = op
	k := keyHex(e.keyPrefix, e.s.Lease())
	put := &etcdapi.PutRequest{Key: []byte(k), Value: val, Lease: e.s.Lease()}
	txn := &etcdapi.TxnRequest{Compare: []*etcdapi.Compare{createRevisionIs(k, 0)},
		Success: []*etcdapi.RequestOp{{RequestPut: put}},
		Failure: []*etcdapi.RequestOp{{RequestRange: &etcdapi.RangeRequest{Key: []byte(k)}}}}
	e.s.cc.txn(txn, func(resp *etcdapi.TxnResponse, err error) {
		if e.op == op && op.stage == campaignAcquiring {
			e.campaigned(op, k, resp, err)
		}
	})
}

// campaigned takes the campaign txn's answer: a key held already gets the
// new value proclaimed, then the wait starts.
func (e *Election) campaigned(op *campaignOp, k string, resp *etcdapi.TxnResponse, err error) {
	if err != nil {
		e.endCampaign(op, nil, err)
		return
	}
	e.leaderKey, e.leaderRev, e.leaderSession = k, resp.Header.Revision, e.s
	op.hdr = resp.Header
	if resp.Succeeded {
		e.waitCampaign(op)
		return
	}
	kvs := resp.Responses[0].ResponseRange.Kvs
	assertf(len(kvs) == 1, "election %q: txn failed but %s is absent", e.name, k)
	e.leaderRev = kvs[0].CreateRevision
	if bytes.Equal(kvs[0].Value, op.val) {
		e.waitCampaign(op)
		return
	}
	op.stage = campaignProclaiming
	e.Proclaim(op.val, func(_ *etcdapi.ProclaimResponse, err error) {
		switch {
		case e.op != op || op.stage != campaignProclaiming:
		case err != nil:
			op.stage = campaignResigning
			e.Resign(func(*etcdapi.ResignResponse, error) { e.endCampaign(op, nil, err) })
		default:
			e.waitCampaign(op)
		}
	})
}

// waitCampaign waits for the older candidates' keys to go. A wait that
// fails forgets the leadership; one canceled resigns first.
func (e *Election) waitCampaign(op *campaignOp) {
	op.stage = campaignWaiting
	op.wait = e.s.cc.waitDeletes(e.keyPrefix, e.leaderRev-1,
		func(_ *etcdapi.ResponseHeader, err error) {
			op.wait = nil
			switch {
			case err == nil:
				e.hdr = op.hdr
				e.endCampaign(op, e.campaignResponse(), nil)
			case errors.Is(err, ErrCanceled):
				op.stage = campaignResigning
				e.Resign(func(*etcdapi.ResignResponse, error) { e.endCampaign(op, nil, err) })
			default:
				e.leaderSession = nil
				e.endCampaign(op, nil, err)
			}
		})
}

func (e *Election) campaignResponse() *etcdapi.CampaignResponse {
	return &etcdapi.CampaignResponse{Header: e.hdr, Leader: e.LeaderKey()}
}

func (e *Election) endCampaign(op *campaignOp, resp *etcdapi.CampaignResponse, err error) {
	assertf(e.op == op, "election %q: ending a Campaign not in progress", e.name)
	e.op = nil
	op.done(resp, err)
}

// Cancel cancels the Campaign in progress, as canceling its context does:
// a txn in flight is left to land; a proclamation in flight ends the
// leadership unheard; a wait ends with a resignation. done gets
// ErrCanceled, and may run before Cancel returns.
func (e *Election) Cancel() {
	op := e.op
	if op == nil {
		return
	}
	switch op.stage {
	case campaignAcquiring:
		e.endCampaign(op, nil, ErrCanceled)
	case campaignProclaiming:
		// Proclaim fails, and so does the Resign after it: both contexts
		// are canceled. Resign forgets the leadership all the same.
		e.leaderKey, e.leaderSession = "", nil
		e.endCampaign(op, nil, ErrCanceled)
	case campaignWaiting:
		op.wait.cancel()
	}
}

// Proclaim sets the leader's value without another election; done gets
// etcdapi.ErrElectionNotLeader when this election does not lead (its key
// was deleted, or recreated by another campaign).
func (e *Election) Proclaim(val []byte, done func(*etcdapi.ProclaimResponse, error)) {
	if e.leaderSession == nil {
		done(nil, etcdapi.ErrElectionNotLeader)
		return
	}
	put := &etcdapi.PutRequest{Key: []byte(e.leaderKey), Value: val,
		Lease: e.leaderSession.Lease()}
	txn := &etcdapi.TxnRequest{Compare: e.isLeader(),
		Success: []*etcdapi.RequestOp{{RequestPut: put}}}
	e.s.cc.txn(txn, func(resp *etcdapi.TxnResponse, err error) {
		switch {
		case err != nil:
			done(nil, err)
		case !resp.Succeeded:
			e.leaderKey = ""
			done(nil, etcdapi.ErrElectionNotLeader)
		default:
			e.hdr = resp.Header
			done(&etcdapi.ProclaimResponse{Header: resp.Header}, nil)
		}
	})
}

// Resign deletes the leader key if it is still this election's, letting
// the next candidate lead; an election that does not lead resigns at once.
func (e *Election) Resign(done func(*etcdapi.ResignResponse, error)) {
	if e.leaderSession == nil {
		done(&etcdapi.ResignResponse{Header: e.hdr}, nil)
		return
	}
	del := &etcdapi.DeleteRangeRequest{Key: []byte(e.leaderKey)}
	txn := &etcdapi.TxnRequest{Compare: e.isLeader(),
		Success: []*etcdapi.RequestOp{{RequestDeleteRange: del}}}
	e.s.cc.txn(txn, func(resp *etcdapi.TxnResponse, err error) {
		if err == nil {
			e.hdr = resp.Header
		}
		e.leaderKey, e.leaderSession = "", nil
		if err != nil {
			done(nil, err)
			return
		}
		done(&etcdapi.ResignResponse{Header: e.hdr}, nil)
	})
}

// isLeader compares the leader key's create revision with the one this
// election won with.
func (e *Election) isLeader() []*etcdapi.Compare {
	return []*etcdapi.Compare{createRevisionIs(e.leaderKey, e.leaderRev)}
}

// Leader reads the leader's key and value; done gets
// etcdapi.ErrElectionNoLeader when nobody leads.
func (e *Election) Leader(done func(*etcdapi.LeaderResponse, error)) {
	e.s.cc.get(firstCreate(e.keyPrefix), func(resp *etcdapi.RangeResponse, err error) {
		switch {
		case err != nil:
			done(nil, err)
		case len(resp.Kvs) == 0:
			done(nil, etcdapi.ErrElectionNoLeader)
		default:
			done(&etcdapi.LeaderResponse{Header: resp.Header, Kv: resp.Kvs[0]}, nil)
		}
	})
}

// Key is the key this election campaigned with, "" when it does not lead.
func (e *Election) Key() string { return e.leaderKey }

// Rev is the leader key's create revision.
func (e *Election) Rev() int64 { return e.leaderRev }

// Header is the header of the last campaign, proclamation or resignation.
func (e *Election) Header() *etcdapi.ResponseHeader { return e.hdr }

// LeaderKey is the v3election LeaderKey of this election's campaign.
func (e *Election) LeaderKey() *etcdapi.LeaderKey {
	return &etcdapi.LeaderKey{Name: []byte(e.name), Key: []byte(e.leaderKey), Rev: e.leaderRev,
		Lease: e.s.Lease()}
}

// Observation is an Election.Observe in progress.
type Observation struct {
	e  *Election
	fn func(*etcdapi.LeaderResponse)
	// watch is the watch in progress, nil while a read is in flight.
	watch *Watch
	over  bool
}

// Observe follows the election's leaders (election.go's observe): fn gets
// the current leader's key and value, each value it proclaims, and each
// leader after it, in order; it does not necessarily see every
// proclamation of the past, but always the latest. fn(nil) closes the
// observation when a read fails or its watch ends (clientv3 closes the
// channel). fn MUST NOT modify a response.
func (e *Election) Observe(fn func(*etcdapi.LeaderResponse)) *Observation {
	o := &Observation{e: e, fn: fn}
	o.look()
	return o
}

// Cancel ends the observation: fn is not called again.
func (o *Observation) Cancel() {
	if o.over {
		return
	}
	o.over = true
	if o.watch != nil {
		o.watch.Cancel()
		o.watch = nil
	}
}

// look reads the current leader, or waits for the first one.
func (o *Observation) look() {
	o.e.s.cc.get(firstCreate(o.e.keyPrefix), func(resp *etcdapi.RangeResponse, err error) {
		switch {
		case o.over:
		case err != nil:
			o.close()
		case len(resp.Kvs) == 0:
			o.waitFirst(resp.Header.Revision)
		default:
			o.follow(resp.Header, resp.Kvs[0])
		}
	})
}

// waitFirst watches the prefix from rev for the first put: a leader.
func (o *Observation) waitFirst(rev int64) {
	pfx := []byte(o.e.keyPrefix)
	req := &etcdapi.WatchCreateRequest{Key: pfx, RangeEnd: etcdapi.PrefixEnd(pfx),
		StartRevision: rev}
	o.watch = o.e.s.cc.wc.Watch(req, func(wr *etcdapi.WatchResponse) {
		if o.over {
			return
		}
		if wr.Canceled {
			o.watch = nil
			o.close()
			return
		}
		for _, ev := range wr.Events {
			if ev.Type == etcdapi.PUT { // only puts: a delete would make observe spin
				h := *wr.Header
				h.Revision = ev.Kv.ModRevision
				o.watch.Cancel()
				o.watch = nil
				o.follow(&h, ev.Kv)
				return
			}
		}
	})
}

// follow reports a leader and watches its key: its puts are reported, its
// deletion sends the observation looking for the next leader.
func (o *Observation) follow(hdr *etcdapi.ResponseHeader, kv *etcdapi.KeyValue) {
	o.fn(&etcdapi.LeaderResponse{Header: hdr, Kv: kv})
	if o.over {
		return
	}
	req := &etcdapi.WatchCreateRequest{Key: kv.Key, StartRevision: hdr.Revision + 1}
	o.watch = o.e.s.cc.wc.Watch(req, func(wr *etcdapi.WatchResponse) {
		if o.over {
			return
		}
		for _, ev := range wr.Events {
			if ev.Type == etcdapi.DELETE {
				o.watch.Cancel()
				o.watch = nil
				o.look()
				return
			}
			o.fn(&etcdapi.LeaderResponse{Header: wr.Header, Kv: ev.Kv})
			if o.over {
				return
			}
		}
		if wr.Canceled {
			o.watch = nil
			o.close()
		}
	})
}

// close ends the observation on its own, telling fn.
func (o *Observation) close() {
	o.over = true
	o.fn(nil)
}
