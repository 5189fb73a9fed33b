package cluster

import (
	"errors"
	"time"

	"etcdsim/mvcc"
	"etcdsim/mvcc/etcdapi"
	"etcdsim/sim"
)

// Client is a client of the cluster shaped like etcd's clientv3: it sends
// each call to one of its endpoints, fails over to another, retries with
// backoff where clientv3 would, and gives up at a deadline in virtual time.
// It lives inside a node of the world (the workload's), which passes it
// the messages and timers that are its own (Receive, Fire); calls finish
// through callbacks, since nothing in a world blocks.
//
// One call is in flight at a time, as on one goroutine of a clientv3 user.
//
// Retries: a refusal with code Unavailable (no leader, the member is
// stopping or starting) says the request never reached the log, so the
// call is sent again, to the hinted leader or the next endpoint, after a
// backoff; any other refusal (invalid argument, request too large) is
// final. A call that reaches its deadline ends with ErrDeadlineExceeded:
// its fate is unknown and it is never resent, as clientv3 never repeats a
// mutation whose outcome it does not know.
type Client struct {
	p   *sim.Proc
	r   *sim.Rand
	cfg ClientConfig
	// endpoints are the members the client may call.
	endpoints []sim.NodeID
	// pinned is the endpoint calls go to first: the last one that
	// answered, or a leader hint.
	pinned sim.NodeID
	seq    uint64
	cur    *call
}

// ClientConfig shapes a Client's timing, as clientv3.Config does.
type ClientConfig struct {
	// Timeout is each call's deadline (a context.WithTimeout around it).
	Timeout time.Duration
	// Backoff is the wait before a retry (clientv3's 25ms default, with
	// 10% jitter).
	Backoff time.Duration
	// RetriesMax bounds the retries of one call.
	RetriesMax int
}

// DefaultClientConfig is clientv3's retry policy (25ms between retries, at
// most 100: client/v3 v3.7.3 options.go defaultBackoffWaitBetween,
// defaultUnaryMaxRetries) with a 1 s deadline, which ends a call first.
func DefaultClientConfig() ClientConfig {
	return ClientConfig{Timeout: time.Second, Backoff: 25 * time.Millisecond, RetriesMax: 100}
}

// ErrDeadlineExceeded ends a call that got no answer in time: it may or may
// not have taken effect (clientv3 returns context.DeadlineExceeded).
var ErrDeadlineExceeded = errors.New("cluster: context deadline exceeded")

// Timer tags of a client; the node that owns it uses tags below tagClient.
const (
	tagClient        = 1 << 32
	tagClientTimeout = tagClient + iota
	tagClientRetry
)

// call is the request a client waits on.
type call struct {
	req   request
	done  func(*response, error)
	timer sim.TimerID
	// retry is the backoff timer before a resend, if one is set.
	retry   sim.TimerID
	retries int
	// lastErr is the last refusal, returned if retries run out.
	lastErr *etcdapi.Error
	// endpoint is the member every attempt goes to, for a call about one
	// member (client_maint.go), or 0.
	endpoint sim.NodeID
}

// NewClient returns a client living in the node p, calling endpoints.
func NewClient(p *sim.Proc, cfg ClientConfig, endpoints []sim.NodeID) *Client {
	return &Client{p: p, r: p.Rand("client"), cfg: cfg, endpoints: endpoints}
}

// Busy reports whether a call is in flight.
func (cl *Client) Busy() bool { return cl.cur != nil }

// Do sends one KV request, or a lease grant or revoke (requests that go
// through the log); done gets the response (whose Err may hold the
// request's own failure, such as ErrCompacted), a final refusal (an
// *etcdapi.Error: the request did not take effect), or
// ErrDeadlineExceeded.
// BEFORE: !Busy().
func (cl *Client) Do(req *mvcc.Request, done func(*mvcc.Response, error)) {
	cl.start(request{kv: req}, func(r *response, err error) {
		if err != nil {
			done(nil, err)
			return
		}
		done(r.resp, nil)
	})
}

// start sends req as the client's next call.
func (cl *Client) start(req request, done func(*response, error)) { cl.startAt(0, req, done) }

// startAt sends req as the client's next call, to endpoint alone if it is
// not 0 (as clientv3 dials the endpoint a Maintenance call names).
func (cl *Client) startAt(endpoint sim.NodeID, req request, done func(*response, error)) {
	if cl.cur != nil {
		failf("client %s: a call while one is in flight", cl.p.ID())
	}
	cl.seq++
	req.seq = cl.seq
	cl.cur = &call{req: req, done: done, endpoint: endpoint}
	t, err := cl.p.SetTimer(cl.cfg.Timeout, tagClientTimeout)
	if err != nil {
		failf("client timer: %v", err)
	}
	cl.cur.timer = t
	cl.send()
}

// send sends the current call to the pinned endpoint, or a random one.
func (cl *Client) send() {
	target := cl.cur.endpoint
	if target == 0 {
		target = cl.pinned
	}
	if target == 0 {
		target = cl.endpoints[cl.r.IntN(len(cl.endpoints))]
	}
	cl.cur.req.attempt++
	req := cl.cur.req
	if err := cl.p.Send(target, &req, requestSize(&req)); err != nil {
		cl.p.Logf("client send: %v", err)
	}
}

// requestSize approximates a request's bytes on the wire.
func requestSize(r *request) int {
	n := 32
	if r.kv != nil && r.kv.Put != nil {
		n += len(r.kv.Put.Key) + len(r.kv.Put.Value)
	}
	return n
}

// Receive takes a member's response; it returns false for a message that
// is not the client's.
func (cl *Client) Receive(from sim.NodeID, msg any) bool {
	resp, ok := msg.(*response)
	if !ok {
		return false
	}
	if cl.cur == nil || resp.seq != cl.cur.req.seq {
		return true // a late or duplicated answer to a call already done
	}
	if resp.err != nil {
		// Only a refusal of the latest attempt counts: every earlier
		// attempt was refused too (a client resends only then).
		if resp.attempt == cl.cur.req.attempt {
			cl.refused(from, resp)
		}
		return true
	}
	if cl.cur.endpoint == 0 {
		cl.pinned = from
	}
	cl.finish(resp, nil)
	return true
}

// refused handles a definite refusal of the latest attempt.
func (cl *Client) refused(from sim.NodeID, resp *response) {
	cl.cur.lastErr = resp.err
	// ErrUnhealthy is Unavailable too, but it answers a membership change
	// that clientv3 does not retry (a mutation): it is final.
	if resp.err.Code != etcdapi.CodeUnavailable || resp.err == etcdapi.ErrUnhealthy ||
		cl.cur.retries == cl.cfg.RetriesMax {
		cl.finish(nil, resp.err)
		return
	}
	cl.cur.retries++
	cl.pinned = resp.leader
	if cl.pinned == from {
		cl.pinned = 0 // it refused although it leads: try elsewhere
	}
	jitter := time.Duration(cl.r.Int64N(int64(cl.cfg.Backoff)/10 + 1))
	t, err := cl.p.SetTimer(cl.cfg.Backoff+jitter, tagClientRetry)
	if err != nil {
		failf("client timer: %v", err)
	}
	cl.cur.retry = t
}

// Fire runs the client's timers; it returns false for a tag not its own.
func (cl *Client) Fire(tag uint64) bool {
	switch tag {
	case tagClientTimeout:
		if cl.cur != nil {
			cl.p.Logf("deadline exceeded on call %d", cl.cur.req.seq)
			cl.pinned = 0
			cl.finish(nil, ErrDeadlineExceeded)
		}
	case tagClientRetry:
		if cl.cur != nil {
			cl.cur.retry = sim.TimerID{}
			cl.send()
		}
	default:
		return false
	}
	return true
}

// finish ends the current call and runs its callback.
func (cl *Client) finish(resp *response, err error) {
	c := cl.cur
	cl.cur = nil
	cl.p.CancelTimer(c.timer)
	if c.retry.Valid() {
		cl.p.CancelTimer(c.retry)
	}
	c.done(resp, err)
}
