package cluster

import (
	"fmt"
	"time"

	"etcdsim/linearizability"
	"etcdsim/sim"
)

// Client timer tags.
const (
	tagNextOp  = 1
	tagTimeout = 2
)

// retriesMax bounds how often a client re-sends one operation after
// definite refusals (no leader) before it gives the operation up.
const retriesMax = 5

// client issues operations one at a time and records them in the
// cluster's history. It lives in the world as a node of its own, so its
// messages cross the same network as the members'.
type client struct {
	c   *Cluster
	p   *sim.Proc
	r   *sim.Rand
	seq uint64
	// process is the history's client id. After an indeterminate operation
	// the client continues as a new process (Jepsen's rule), since the old
	// one may still have an operation in flight.
	process linearizability.ClientID
	cur     *inflight
	// leader is where the client sends next: the last hinted leader.
	leader sim.NodeID
	// seen is the last value this client read per key; its cas operations
	// expect it, so that many of them succeed.
	seen map[string]string
}

// inflight is the operation a client waits on.
type inflight struct {
	req     request
	call    sim.Time
	timer   sim.TimerID
	retries int
}

func (cl *client) Start() {
	cl.process = cl.c.newProcess()
	cl.scheduleNext()
}

func (cl *client) scheduleNext() {
	if cl.c.stopClients {
		return
	}
	think := time.Duration(cl.r.Int64N(int64(cl.c.cfg.Workload.Think) + 1))
	if _, err := cl.p.SetTimer(think, tagNextOp); err != nil {
		cl.p.Logf("client timer: %v", err)
	}
}

func (cl *client) Fire(tag uint64) {
	switch tag {
	case tagNextOp:
		cl.begin()
	case tagTimeout:
		cl.timeout()
	}
}

// begin draws the next operation and sends it.
func (cl *client) begin() {
	if cl.cur != nil || cl.c.stopClients {
		return
	}
	cl.seq++
	op := cl.c.cfg.Workload.draw(cl.r, cl.p.ID(), cl.seq)
	if op.Kind == linearizability.KVCAS {
		op.Expected = cl.seen[op.Key]
	}
	cl.cur = &inflight{
		req:  request{seq: cl.seq, op: op, serializable: op.Kind == linearizability.KVGet && cl.r.Chance(cl.c.serializable)},
		call: cl.c.w.Now(),
	}
	cl.send()
}

// send (re)sends the current operation to the believed leader, or to a
// random member when none is known.
func (cl *client) send() {
	target := cl.leader
	if target == 0 {
		ids := cl.c.memberIDs
		target = ids[cl.r.IntN(len(ids))]
	}
	cl.cur.req.attempt++
	req := cl.cur.req
	if err := cl.p.Send(target, &req, 32+len(req.op.Key)+len(req.op.Value)); err != nil {
		cl.p.Logf("client send: %v", err)
	}
	if cl.cur.timer.Valid() {
		cl.p.CancelTimer(cl.cur.timer)
	}
	t, err := cl.p.SetTimer(cl.c.cfg.ClientTimeout, tagTimeout)
	if err != nil {
		cl.p.Logf("client timer: %v", err)
	}
	cl.cur.timer = t
}

func (cl *client) Receive(from sim.NodeID, msg any) {
	resp, ok := msg.(*response)
	if !ok || cl.cur == nil || resp.seq != cl.cur.req.seq {
		return // a late or duplicated answer to an operation already done
	}
	if resp.err != nil {
		// Only a refusal of the latest attempt counts: every earlier
		// attempt was refused too (a client resends only then), so the
		// operation has not reached the log.
		if resp.attempt == cl.cur.req.attempt {
			cl.refused(from, resp)
		}
		return
	}
	cl.leader = from
	cl.p.CancelTimer(cl.cur.timer)
	if op := cl.cur.req.op; op.Kind == linearizability.KVGet {
		cl.seen[op.Key] = resp.out.Value
	}
	cl.c.record(linearizability.Operation{Client: cl.process, Call: lt(cl.cur.call),
		Return: lt(cl.c.w.Now()), Input: cl.cur.req.op, Output: resp.out})
	cl.cur = nil
	cl.scheduleNext()
}

// refused handles a definite refusal of the latest attempt: that attempt
// did not happen, so the operation may be sent again (with the same seq)
// to the hinted leader.
func (cl *client) refused(from sim.NodeID, resp *response) {
	cl.leader = resp.leader
	if cl.leader == from {
		cl.leader = 0 // it refused although it leads: try elsewhere
	}
	cl.cur.retries++
	switch {
	case resp.err == errTooLarge:
		// Every copy of every attempt is as large: none can take effect.
		cl.giveUp(false)
	case cl.cur.retries > retriesMax:
		// A refusal answers one attempt. A copy of an earlier one that the
		// network duplicated or delayed may still reach a leader and apply,
		// so a write given up is indeterminate, as after a timeout.
		cl.giveUp(true)
	default:
		cl.send()
	}
}

// giveUp ends the current operation without an answer. With mayApply set,
// a write is recorded as indeterminate and the client goes on as a new
// process (Jepsen's rule: the old one may still have it in flight). A
// read changes nothing and is left out.
func (cl *client) giveUp(mayApply bool) {
	cl.p.CancelTimer(cl.cur.timer)
	if mayApply && cl.cur.req.op.Kind != linearizability.KVGet {
		cl.c.record(linearizability.Operation{Client: cl.process, Call: lt(cl.cur.call),
			Unknown: true, Input: cl.cur.req.op})
		cl.process = cl.c.newProcess()
	}
	cl.cur = nil
	cl.scheduleNext()
}

// timeout gives up on the current operation: a write may still take
// effect and is recorded as indeterminate.
func (cl *client) timeout() {
	if cl.cur == nil {
		return
	}
	cl.p.Logf("timeout on %v after %v", cl.cur.req.op, cl.c.cfg.ClientTimeout)
	cl.leader = 0
	cl.giveUp(true)
}

func lt(t sim.Time) linearizability.Time { return linearizability.Time(t) }

// Workload shapes the operations clients draw.
type Workload struct {
	// Keys is how many distinct keys the clients share.
	Keys int
	// Percentages of each kind; the rest are gets.
	PutPct, CASPct, AppendPct, DeletePct int
	// SerializablePct of gets are served locally (possibly stale).
	SerializablePct int
	// Think is the longest pause between a client's operations.
	Think time.Duration
}

// DefaultWorkload mixes reads and writes over three keys: few keys make
// clients collide, which is where anomalies show.
func DefaultWorkload() Workload {
	return Workload{Keys: 3, PutPct: 30, CASPct: 10, AppendPct: 10, DeletePct: 5,
		Think: 20 * time.Millisecond}
}

func (wl Workload) valid() error {
	if wl.Keys <= 0 {
		return fmt.Errorf("workload: keys %d must be positive", wl.Keys)
	}
	sum := wl.PutPct + wl.CASPct + wl.AppendPct + wl.DeletePct
	for _, p := range []int{wl.PutPct, wl.CASPct, wl.AppendPct, wl.DeletePct, wl.SerializablePct} {
		if p < 0 || p > 100 {
			return fmt.Errorf("workload: percentage %d outside [0,100]", p)
		}
	}
	if sum > 100 {
		return fmt.Errorf("workload: write percentages add up to %d > 100", sum)
	}
	if wl.Think < 0 {
		return fmt.Errorf("workload: negative think time %v", wl.Think)
	}
	return nil
}

// draw returns one operation. Written values are unique (client and seq),
// so a read tells exactly which write it saw.
func (wl Workload) draw(r *sim.Rand, client sim.NodeID, seq uint64) linearizability.KVInput {
	key := fmt.Sprintf("k%d", r.IntN(wl.Keys))
	value := fmt.Sprintf("%d.%d", uint64(client), seq)
	roll := r.IntN(100)
	switch {
	case roll < wl.PutPct:
		return linearizability.KVInput{Kind: linearizability.KVPut, Key: key, Value: value}
	case roll < wl.PutPct+wl.CASPct:
		// The client fills Expected from what it last read.
		return linearizability.KVInput{Kind: linearizability.KVCAS, Key: key, Value: value}
	case roll < wl.PutPct+wl.CASPct+wl.AppendPct:
		return linearizability.KVInput{Kind: linearizability.KVAppend, Key: key, Value: "," + value}
	case roll < wl.PutPct+wl.CASPct+wl.AppendPct+wl.DeletePct:
		return linearizability.KVInput{Kind: linearizability.KVDelete, Key: key}
	}
	return linearizability.KVInput{Kind: linearizability.KVGet, Key: key}
}
