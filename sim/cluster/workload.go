package cluster

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"etcdsim/linearizability"
	"etcdsim/mvcc"
	"etcdsim/mvcc/etcdapi"
	"etcdsim/sim"
)

// Workload shapes the requests clients draw, after etcd's robustness
// traffic: reads and writes over a few shared keys, where clients collide
// and anomalies show.
type Workload struct {
	// Profile names the traffic: ProfileEtcd (the mix below; also the
	// zero value) or ProfileKubernetes (Kubernetes' use of etcd, see
	// kubernetes.go).
	Profile string
	// Keys is how many distinct keys the clients share: the key prefix
	// (KeyPrefix) and a number.
	Keys int
	// Percentages of each request kind; the rest are single-key gets.
	//   RangePct: a range over every key (the prefix), sometimes limited;
	//   PutPct, DeletePct: single-key writes;
	//   CASPct: a txn that puts a key if its mod revision is the one the
	//     client last saw, and reads it otherwise (optimistic concurrency);
	//   MultiPct: a txn writing two keys in one revision;
	//   CompactPct: a compaction some revisions behind the newest seen.
	//   LeasePct: lease work, chosen by the worker's lease: without one it
	//     grants one (LeaseTTL seconds, an ID of its own choosing); with
	//     one it puts a key attached to it (half the time), keeps it alive
	//     (a third), or lets it go: revokes it, or forgets it, and the
	//     leader's lessor revokes it when it runs out.
	RangePct, PutPct, DeletePct, CASPct, MultiPct, CompactPct, LeasePct int
	// LeaseTTL is the TTL, in seconds, of the leases workers grant.
	LeaseTTL int64
	// SerializablePct of gets and ranges are served by the member from its
	// own store, possibly stale (etcd's --consistency=s). They are not
	// linearizable, and the check says so.
	SerializablePct int
	// Rate is the requests all clients start per simulated second, spread
	// evenly over them: each starts its next request a random interval
	// after its last one started (clients/Rate on average), or as soon as
	// the last one ends if that takes longer. Slow answers (a partition, a
	// deadline) lower the rate actually reached.
	Rate int
}

// DefaultWorkload is etcd's mix over five keys at 1,000 requests per
// simulated second.
func DefaultWorkload() Workload {
	return Workload{Profile: ProfileEtcd, Keys: 5, RangePct: 10, PutPct: 20, DeletePct: 5,
		CASPct: 10, MultiPct: 5, LeasePct: 10, LeaseTTL: 3, Rate: 1000}
}

func (wl Workload) valid() error {
	if wl.Profile != "" && wl.Profile != ProfileEtcd && wl.Profile != ProfileKubernetes {
		return fmt.Errorf("workload: profile %q: want %s or %s", wl.Profile, ProfileEtcd,
			ProfileKubernetes)
	}
	if wl.Keys <= 0 || wl.Keys > workloadKeysMax {
		return fmt.Errorf("workload: keys %d outside [1,%d]", wl.Keys, workloadKeysMax)
	}
	sum := 0
	for _, p := range []int{wl.RangePct, wl.PutPct, wl.DeletePct, wl.CASPct, wl.MultiPct,
		wl.CompactPct, wl.LeasePct} {
		if p < 0 || p > 100 {
			return fmt.Errorf("workload: percentage %d outside [0,100]", p)
		}
		sum += p
	}
	if sum > 100 {
		return fmt.Errorf("workload: percentages add up to %d > 100", sum)
	}
	if wl.SerializablePct < 0 || wl.SerializablePct > 100 {
		return fmt.Errorf("workload: serializable percentage %d outside [0,100]", wl.SerializablePct)
	}
	if wl.LeasePct > 0 && (wl.LeaseTTL <= 0 || wl.LeaseTTL > leaseTTLMax) {
		return fmt.Errorf("workload: lease TTL %ds outside [1,%d]", wl.LeaseTTL, leaseTTLMax)
	}
	if wl.Rate <= 0 || wl.Rate > workloadRateMax {
		return fmt.Errorf("workload: rate %d outside [1,%d]", wl.Rate, workloadRateMax)
	}
	return nil
}

// Bounds of a workload: the key space it names, and its requests per
// simulated second.
const (
	workloadKeysMax = 1 << 20
	workloadRateMax = 1_000_000
	// leaseTTLMax is etcd's largest lease TTL, in seconds (MaxLeaseTTL).
	leaseTTLMax = 9_000_000_000
)

// tagNextOp is the worker's timer for its next request.
const tagNextOp = 1

// worker is a client node running the workload: it draws requests, sends
// them through its Client and records each in the cluster's history.
type worker struct {
	c  *Cluster
	p  *sim.Proc
	r  *sim.Rand
	cl *Client
	// process is the history's client id. After an indeterminate request
	// the worker continues as a new process (Jepsen's rule), since the old
	// one may still have a request in flight.
	process linearizability.ClientID
	// call and input describe the request in flight.
	call  sim.Time
	input linearizability.EtcdRequest
	// modRev is the mod revision this worker last saw per key (0: absent),
	// which its CAS txns expect; maxRev is the newest revision it saw.
	modRev map[string]int64
	maxRev int64
	values uint64
	// lease is the lease this worker holds (0: none); leases counts the
	// leases it granted, for their IDs.
	lease, leases int64
	// listFrom and listRev are where the next page of a Kubernetes list
	// starts and the revision the list reads (nil: no list under way).
	listFrom []byte
	listRev  int64
	// nextAt is when the next request is due.
	nextAt sim.Time
}

func newWorker(c *Cluster, p *sim.Proc) *worker {
	return &worker{c: c, p: p, r: p.Rand("workload"), modRev: map[string]int64{},
		cl: NewClient(p, c.cfg.Client, c.memberIDs)}
}

func (wk *worker) Start() {
	wk.process = wk.c.newProcess()
	wk.scheduleNext()
}

// scheduleNext sets the timer for the next request: when it is due, or at
// once if it is overdue. Due times follow one another at intervals uniform
// in [0, 2·clients/Rate], so a worker whose answers were slow catches up,
// but by no more than backlogMax. Workers start once the cluster has
// elected its first leader, as a test waits for a healthy cluster.
func (wk *worker) scheduleNext() {
	if wk.c.stopClients {
		return
	}
	now := wk.c.w.Now()
	if wk.c.leaderChanges == 0 {
		if _, err := wk.p.SetTimer(startPollInterval, tagNextOp); err != nil {
			failf("worker timer: %v", err)
		}
		return
	}
	if wk.nextAt == 0 {
		wk.nextAt = now.Add(wk.interval()) // the first: spread the clients' starts
	}
	wait := time.Duration(0)
	if wk.nextAt > now {
		wait = wk.nextAt.Sub(now)
	}
	if _, err := wk.p.SetTimer(wait, tagNextOp); err != nil {
		failf("worker timer: %v", err)
	}
}

// backlogMax bounds how far behind its schedule a worker may run before it
// forgets the requests it missed; startPollInterval is how often a worker
// looks for the cluster's first leader.
const (
	backlogMax        = 100 * time.Millisecond
	startPollInterval = 100 * time.Millisecond
)

func (wk *worker) interval() time.Duration {
	mean := time.Second * time.Duration(wk.c.cfg.Clients) / time.Duration(wk.c.cfg.Workload.Rate)
	return time.Duration(wk.r.Int64N(2*int64(mean) + 1))
}

func (wk *worker) Fire(tag uint64) {
	if wk.cl.Fire(tag) {
		return
	}
	if tag == tagNextOp && !wk.cl.Busy() && !wk.c.stopClients {
		if wk.nextAt == 0 || wk.c.w.Now() < wk.nextAt {
			wk.scheduleNext() // not started, or not due yet
			return
		}
		wk.nextAt = max(wk.nextAt.Add(wk.interval()), wk.c.w.Now().Add(-backlogMax))
		req := wk.draw()
		if req == nil { // a keep-alive: outside the log, not in the history
			wk.cl.KeepAliveOnce(wk.lease, wk.keptAlive)
			return
		}
		wk.call, wk.input = wk.c.w.Now(), historyRequest(req)
		wk.cl.Do(req, wk.done)
	}
}

func (wk *worker) Receive(from sim.NodeID, msg any) {
	if !wk.cl.Receive(from, msg) {
		wk.p.Logf("unexpected message %T from %s", msg, from)
	}
}

// done records the request's outcome in the history.
func (wk *worker) done(resp *mvcc.Response, err error) {
	op := linearizability.Operation{Client: wk.process, Call: lt(wk.call), Input: wk.input}
	switch {
	case err == nil && errors.Is(resp.Err, etcdapi.ErrNoSpace):
		// It crossed the quota when applied: written, and answered "no
		// space" (etcd's quotaApplierV3). The client cannot know which.
		op.Unknown = true
		wk.c.record(op)
		wk.c.opsUnknown++
		wk.process = wk.c.newProcess()
	case err == nil:
		op.Return, op.Output = lt(wk.c.w.Now()), historyResponse(resp)
		wk.note(resp)
		if wk.input.Range != nil {
			wk.noteList(wk.input.Range, resp)
		}
		wk.c.record(op)
		if resp.Err == nil {
			wk.c.opsOK++
		} else {
			wk.c.opsFailed++
		}
	case wk.input.Range != nil:
		// A read that failed changed nothing: leave it out.
		wk.noteList(wk.input.Range, nil)
		wk.c.opsFailed++
	case mayHaveApplied(err):
		op.Unknown = true
		wk.c.record(op)
		wk.c.opsUnknown++
		wk.process = wk.c.newProcess()
	default:
		wk.c.opsFailed++
	}
	wk.scheduleNext()
}

// keptAlive notes a keep-alive's answer: a lease that no longer exists is
// forgotten.
func (wk *worker) keptAlive(_ *etcdapi.LeaseKeepAliveResponse, err error) {
	switch {
	case err == nil:
		wk.c.opsOK++
	case errors.Is(err, etcdapi.ErrLeaseNotFound):
		wk.lease = 0
		wk.c.opsFailed++
	default:
		wk.c.opsFailed++
	}
	wk.scheduleNext()
}

// mayHaveApplied reports whether a write that ended with err may still take
// effect: after its deadline, or after Unavailable refusals (a delayed copy
// of an earlier attempt may yet reach a leader). Only a refusal every copy
// would get (invalid argument, too large) rules it out.
func mayHaveApplied(err error) bool {
	if errors.Is(err, ErrDeadlineExceeded) {
		return true
	}
	return etcdapi.CodeOf(err) == etcdapi.CodeUnavailable
}

// note remembers the revisions a response showed.
func (wk *worker) note(resp *mvcc.Response) {
	if h := responseHeader(resp); h != nil {
		wk.maxRev = max(wk.maxRev, h.Revision)
	}
	in := wk.input
	switch {
	case in.LeaseGrant != nil && resp.Err == nil:
		wk.lease = in.LeaseGrant.ID
	case in.LeaseRevoke != nil,
		in.Put != nil && in.Put.Lease != 0 && errors.Is(resp.Err, etcdapi.ErrLeaseNotFound):
		wk.lease = 0
	}
	if resp.Range != nil {
		wk.noteRange(resp.Range)
	}
	if resp.Txn != nil {
		for _, r := range resp.Txn.Responses {
			if r.ResponseRange != nil {
				wk.noteRange(r.ResponseRange)
			}
		}
	}
}

func (wk *worker) noteRange(rr *etcdapi.RangeResponse) {
	for _, kv := range rr.Kvs {
		wk.modRev[string(kv.Key)] = kv.ModRevision
	}
}

// draw returns the next request, or nil for a keep-alive of the worker's
// lease. Written values are unique (client and a
// counter), so that a read tells exactly which write it saw.
func (wk *worker) draw() *mvcc.Request {
	wl := wk.c.cfg.Workload
	if wl.Profile == ProfileKubernetes {
		return wk.drawKubernetes()
	}
	key := wk.key()
	roll := wk.r.IntN(100)
	for _, kind := range []struct {
		pct  int
		make func() *mvcc.Request
	}{
		{wl.RangePct, wk.rangeAll},
		{wl.PutPct, func() *mvcc.Request { return &mvcc.Request{Put: wk.put(key)} }},
		{wl.DeletePct, func() *mvcc.Request {
			return &mvcc.Request{DeleteRange: &etcdapi.DeleteRangeRequest{Key: []byte(key)}}
		}},
		{wl.CASPct, func() *mvcc.Request { return wk.cas(key) }},
		{wl.MultiPct, func() *mvcc.Request { return wk.multi(key) }},
		{wl.CompactPct, wk.compact},
		{wl.LeasePct, func() *mvcc.Request { return wk.leaseOp(key) }},
	} {
		if roll < kind.pct {
			return kind.make()
		}
		roll -= kind.pct
	}
	return &mvcc.Request{Range: &etcdapi.RangeRequest{Key: []byte(key),
		Serializable: wk.serializable()}}
}

// leaseOp is lease work, chosen by the worker's lease (see
// Workload.LeasePct); nil stands for a keep-alive.
func (wk *worker) leaseOp(key string) *mvcc.Request {
	if wk.lease == 0 {
		wk.leases++
		id := int64(wk.p.ID())<<32 | wk.leases
		return &mvcc.Request{LeaseGrant: &etcdapi.LeaseGrantRequest{ID: id,
			TTL: wk.c.cfg.Workload.LeaseTTL}}
	}
	switch roll := wk.r.IntN(6); {
	case roll < 3:
		put := wk.put(key)
		put.Lease = wk.lease
		return &mvcc.Request{Put: put}
	case roll < 5:
		return nil
	case wk.r.IntN(2) == 0:
		return &mvcc.Request{LeaseRevoke: &etcdapi.LeaseRevokeRequest{ID: wk.lease}}
	}
	wk.lease = 0 // forgotten: it expires
	return &mvcc.Request{Range: &etcdapi.RangeRequest{Key: []byte(key)}}
}

func (wk *worker) key() string {
	return wk.c.cfg.Workload.KeyPrefix() + strconv.Itoa(wk.r.IntN(wk.c.cfg.Workload.Keys))
}

func (wk *worker) serializable() bool {
	return wk.r.IntN(100) < wk.c.cfg.Workload.SerializablePct
}

func (wk *worker) put(key string) *etcdapi.PutRequest {
	wk.values++
	value := strconv.FormatUint(uint64(wk.p.ID()), 10) + "." + strconv.FormatUint(wk.values, 10)
	return &etcdapi.PutRequest{Key: []byte(key), Value: []byte(value)}
}

// rangeAll reads every key, a third of the time with a limit.
func (wk *worker) rangeAll() *mvcc.Request {
	prefix := []byte(wk.c.cfg.Workload.KeyPrefix())
	r := &etcdapi.RangeRequest{Key: prefix, RangeEnd: etcdapi.PrefixEnd(prefix),
		Serializable: wk.serializable()}
	if wk.r.IntN(3) == 0 {
		r.Limit = int64(1 + wk.r.IntN(3))
	}
	return &mvcc.Request{Range: r}
}

// cas puts key if its mod revision is still the one last seen (0: absent),
// and reads it otherwise: Kubernetes' optimistic concurrency.
func (wk *worker) cas(key string) *mvcc.Request {
	cmp := &etcdapi.Compare{Key: []byte(key), Target: etcdapi.Compare_MOD,
		Result: etcdapi.Compare_EQUAL, ModRevision: wk.modRev[key]}
	return &mvcc.Request{Txn: &etcdapi.TxnRequest{
		Compare: []*etcdapi.Compare{cmp},
		Success: []*etcdapi.RequestOp{{RequestPut: wk.put(key)}},
		Failure: []*etcdapi.RequestOp{{RequestRange: &etcdapi.RangeRequest{Key: []byte(key)}}},
	}}
}

// multi writes key and another in one txn: a put, and a put or a delete.
func (wk *worker) multi(key string) *mvcc.Request {
	other := wk.key()
	ops := []*etcdapi.RequestOp{{RequestPut: wk.put(key)}}
	if other != key {
		if wk.r.IntN(2) == 0 {
			ops = append(ops, &etcdapi.RequestOp{RequestPut: wk.put(other)})
		} else {
			ops = append(ops, &etcdapi.RequestOp{
				RequestDeleteRange: &etcdapi.DeleteRangeRequest{Key: []byte(other)}})
		}
	}
	return &mvcc.Request{Txn: &etcdapi.TxnRequest{Success: ops}}
}

// compact compacts a little behind the newest revision the worker saw, so
// that some reads and compactions later fail with ErrCompacted.
func (wk *worker) compact() *mvcc.Request {
	rev := max(wk.maxRev-int64(wk.r.IntN(20)), 1)
	return &mvcc.Request{Compaction: &etcdapi.CompactionRequest{Revision: rev}}
}

func lt(t sim.Time) linearizability.Time { return linearizability.Time(t) }
