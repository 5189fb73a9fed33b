package cluster

import (
	"time"

	"etcdsim/mvcc/etcdapi"
	"etcdsim/sim"
)

// WatchClient is the watch half of a client shaped like clientv3: it keeps
// its watches on one stream to one member and, when that stream dies,
// resumes every watch on another member from the revision after the last
// one it delivered, so that its user sees each event once and in order
// (clientv3's watchGRPCStream.serveSubstream and resume).
//
// A stream dies when its member resets it (a restarted member does not
// know it; one without a leader for a while cancels it, as etcd does for
// clientv3.WithRequireLeader, which the client always asks for), when a
// gap in its messages does not fill, or when it falls silent: every
// ProgressInterval the client sends a WatchProgressRequest on the stream,
// and a stream from which nothing arrived for Timeout is given up. All of
// this runs in virtual time, on the client node's clock.
//
// Like Client, it lives inside a node of the world, which passes it its
// messages and timers (Receive, Fire); responses reach each watch's
// callback as they would come out of clientv3's WatchChan: events, progress
// notifications (those the client's own progress requests drew included),
// the first Created response, and a last response when the watch ends
// (canceled, or compacted with CompactRevision set).
type WatchClient struct {
	p   *sim.Proc
	r   *sim.Rand
	cfg WatchConfig
	// endpoints are the members the client may watch on.
	endpoints []sim.NodeID
	// watches are the open watches, in the order they were opened.
	watches []*Watch
	// cur is the stream the watches live on, nil while none is open.
	cur *clientStream
	// streams counts the streams opened; the latest's id is streams.
	streams uint64
	// last is the member of the last stream given up, avoided by the next.
	last    sim.NodeID
	ticking bool
	// resumes counts streams opened to carry on watches after one died.
	resumes int
}

// WatchConfig shapes a WatchClient's checks of its stream, in time on its
// node's clock.
type WatchConfig struct {
	// ProgressInterval is how often the client asks its stream for
	// progress and looks whether the stream is alive; a stream given up is
	// reopened at the next such tick.
	ProgressInterval time.Duration
	// Timeout is how long a stream may stay silent before the client
	// gives it up and resumes its watches on another member.
	Timeout time.Duration
}

// DefaultWatchConfig asks for progress four times a simulated second and
// gives a stream up after a second of silence: ten round trips of the
// default network, an election timeout of etcd's.
func DefaultWatchConfig() WatchConfig {
	return WatchConfig{ProgressInterval: 250 * time.Millisecond, Timeout: time.Second}
}

func (cfg WatchConfig) valid() bool {
	return cfg.ProgressInterval > 0 && cfg.Timeout >= cfg.ProgressInterval
}

// Watch is one watch of a WatchClient: what its user asked for, and how
// far it got, which survives the streams it lives on.
type Watch struct {
	wc  *WatchClient
	req etcdapi.WatchCreateRequest
	fn  func(*etcdapi.WatchResponse)
	// nextRev is the revision the watch resumes from: the start revision,
	// then the one after the last event or progress notification
	// delivered (0: from the current revision, nothing delivered yet).
	// Moves: only forward, in deliver.
	nextRev int64
	// id is the watch's id on the current stream, -1 until its Created
	// response arrives.
	id      int64
	created bool
	done    bool
}

// clientStream is the client's end of one stream.
type clientStream struct {
	id     uint64
	member sim.NodeID
	// sent counts the messages sent; got is the seq of the last message
	// taken; held are later ones that arrived early, by seq.
	sent, got uint64
	held      map[uint64]*watchResponseMsg
	// creating are the watches whose Created response is due, in the
	// order their creates were sent: responses come back in that order.
	creating []*Watch
	// byID are the created watches by their id on this stream.
	byID map[int64]*Watch
	// heard is when the stream last delivered a message.
	heard sim.Time
}

// Timer tags of a WatchClient; the node that owns it uses tags below
// tagWatchClient (Client's are below too).
const (
	tagWatchClient = 2 << 32
	tagWatchTick   = tagWatchClient + iota
)

// watchHeldMaxClient bounds the messages a client holds while an earlier
// one is missing; past it the stream is given up.
const watchHeldMaxClient = 64

// NewWatchClient returns a watch client living in the node p, watching on
// endpoints.
func NewWatchClient(p *sim.Proc, cfg WatchConfig, endpoints []sim.NodeID) *WatchClient {
	if !cfg.valid() {
		failf("watch client %s: bad config %+v", p.ID(), cfg)
	}
	return &WatchClient{p: p, r: p.Rand("watch"), cfg: cfg,
		endpoints: append([]sim.NodeID(nil), endpoints...)}
}

// Resumes reports how many streams the client opened to carry its watches
// on after one died.
func (wc *WatchClient) Resumes() int { return wc.resumes }

// Member returns the member of the client's current stream, 0 if none.
func (wc *WatchClient) Member() sim.NodeID {
	if wc.cur == nil {
		return 0
	}
	return wc.cur.member
}

// Watch opens a watch of req (every field is honoured; StartRevision 0
// watches from the current revision on) and passes each response to fn.
// fn MUST NOT modify a response: its events may be shared.
func (wc *WatchClient) Watch(req *etcdapi.WatchCreateRequest,
	fn func(*etcdapi.WatchResponse)) *Watch {
	w := &Watch{wc: wc, req: *req, fn: fn, nextRev: req.StartRevision, id: -1}
	wc.watches = append(wc.watches, w)
	wc.armTick()
	if wc.cur == nil {
		wc.open(wc.last)
		return w
	}
	wc.cur.creating = append(wc.cur.creating, w)
	wc.send([]*etcdapi.WatchRequest{w.createRequest()})
	return w
}

// createRequest is the watch's create request on a new stream: its
// user's, from the revision it resumes at.
func (w *Watch) createRequest() *etcdapi.WatchRequest {
	cr := w.req
	cr.StartRevision = w.nextRev
	return &etcdapi.WatchRequest{CreateRequest: &cr}
}

// Cancel ends the watch: no response reaches fn after it.
func (w *Watch) Cancel() {
	if w.done {
		return
	}
	wc := w.wc
	wc.end(w)
	if s := wc.cur; s != nil && w.id >= 0 && s.byID[w.id] == w {
		delete(s.byID, w.id)
		wc.send([]*etcdapi.WatchRequest{{CancelRequest: &etcdapi.WatchCancelRequest{
			WatchId: w.id}}})
	}
}

// end forgets a watch that is over.
func (wc *WatchClient) end(w *Watch) {
	w.done = true
	for i, o := range wc.watches {
		if o == w {
			wc.watches = append(wc.watches[:i], wc.watches[i+1:]...)
			return
		}
	}
}

// RequestProgress asks the stream for a progress notification, which
// reaches every watch created on it.
func (wc *WatchClient) RequestProgress() {
	if wc.cur != nil {
		wc.send([]*etcdapi.WatchRequest{{ProgressRequest: &etcdapi.WatchProgressRequest{}}})
	}
}

// open opens a stream, on a member other than avoid when there is one,
// and creates every open watch on it from where it got to.
func (wc *WatchClient) open(avoid sim.NodeID) {
	if len(wc.watches) == 0 {
		return
	}
	if wc.streams > 0 {
		wc.resumes++
	}
	wc.streams++
	s := &clientStream{id: wc.streams, member: wc.pick(avoid), byID: map[int64]*Watch{},
		held: map[uint64]*watchResponseMsg{}, heard: wc.p.Now()}
	wc.cur = s
	reqs := make([]*etcdapi.WatchRequest, len(wc.watches))
	for i, w := range wc.watches {
		w.id = -1
		reqs[i] = w.createRequest()
		s.creating = append(s.creating, w)
	}
	wc.p.Logf("watch: stream %d on %s for %d watch(es)", s.id, s.member, len(reqs))
	wc.send(reqs)
}

// pick returns a random endpoint other than avoid, unless avoid is the
// only one.
func (wc *WatchClient) pick(avoid sim.NodeID) sim.NodeID {
	var choices []sim.NodeID
	for _, id := range wc.endpoints {
		if id != avoid {
			choices = append(choices, id)
		}
	}
	if len(choices) == 0 {
		return avoid
	}
	return choices[wc.r.IntN(len(choices))]
}

// send sends the next message of the current stream.
func (wc *WatchClient) send(reqs []*etcdapi.WatchRequest) {
	s := wc.cur
	s.sent++
	msg := &watchRequestMsg{stream: s.id, seq: s.sent, reqs: reqs, requireLeader: true}
	if err := wc.p.Send(s.member, msg, 32+48*len(reqs)); err != nil {
		wc.p.Logf("watch send: %v", err)
	}
}

// giveUp abandons the current stream, telling its member so (the message
// may be lost: members also close streams that go quiet). The watches
// resume on the next stream.
func (wc *WatchClient) giveUp(why string) {
	s := wc.cur
	wc.cur, wc.last = nil, s.member
	wc.p.Logf("watch: stream %d on %s given up: %s", s.id, s.member, why)
	msg := &watchRequestMsg{stream: s.id, close: true}
	if err := wc.p.Send(s.member, msg, 32); err != nil {
		wc.p.Logf("watch send: %v", err)
	}
}

func (wc *WatchClient) armTick() {
	if wc.ticking {
		return
	}
	if _, err := wc.p.SetTimer(wc.cfg.ProgressInterval, tagWatchTick); err != nil {
		failf("watch client timer: %v", err)
	}
	wc.ticking = true
}

// Fire runs the client's timers; it returns false for a tag not its own.
// Each tick reopens a stream given up, gives up a silent one (and resumes
// at once elsewhere), or asks the live one for progress.
func (wc *WatchClient) Fire(tag uint64) bool {
	if tag != tagWatchTick {
		return false
	}
	wc.ticking = false
	if len(wc.watches) == 0 {
		if wc.cur != nil {
			wc.giveUp("no watches left")
		}
		return true
	}
	switch s := wc.cur; {
	case s == nil:
		wc.open(wc.last)
	case wc.p.Now().Sub(s.heard) >= wc.cfg.Timeout:
		wc.giveUp("silent for " + wc.p.Now().Sub(s.heard).String())
		wc.open(wc.last)
	default:
		wc.RequestProgress()
	}
	wc.armTick()
	return true
}

// Receive takes a member's message on a watch stream; it returns false for
// a message that is not the client's. Messages of streams given up are
// dropped; the current stream's are taken in order, once.
func (wc *WatchClient) Receive(from sim.NodeID, msg any) bool {
	r, ok := msg.(*watchResponseMsg)
	if !ok {
		return false
	}
	s := wc.cur
	switch {
	case s == nil || r.stream != s.id || from != s.member:
		return true // a stream given up
	case r.reset:
		why := "reset by the member"
		if r.err != nil {
			why += ": " + r.err.Error()
		}
		wc.giveUp(why)
		return true
	case r.seq <= s.got:
		return true // a duplicate
	case r.seq > s.got+1:
		if len(s.held) == watchHeldMaxClient {
			wc.giveUp("a message never arrived")
			return true
		}
		s.held[r.seq] = r
		return true
	}
	for r != nil && wc.cur == s {
		delete(s.held, r.seq)
		wc.take(s, r)
		r = s.held[s.got+1]
	}
	return true
}

// take passes the responses of the stream's next message to the watches.
func (wc *WatchClient) take(s *clientStream, r *watchResponseMsg) {
	if r.seq != s.got+1 {
		failf("watch: stream %d takes message %d after %d", s.id, r.seq, s.got)
	}
	s.got, s.heard = r.seq, wc.p.Now()
	for i := range r.resps {
		if wc.cur != s {
			return // a callback gave the stream up
		}
		resp := &r.resps[i]
		switch {
		case resp.Created:
			wc.created(s, resp)
		case resp.WatchId == -1:
			wc.progress(s, resp)
		default:
			if w := s.byID[resp.WatchId]; w != nil && !w.done {
				wc.deliver(s, w, resp)
			}
		}
	}
}

// created matches a Created response with the oldest create waiting for
// one. A refused create ends its watch with that response.
func (wc *WatchClient) created(s *clientStream, resp *etcdapi.WatchResponse) {
	if len(s.creating) == 0 {
		failf("watch: stream %d: a Created response with no create waiting", s.id)
	}
	w := s.creating[0]
	s.creating = s.creating[1:]
	switch {
	case w.done:
		if !resp.Canceled {
			wc.send([]*etcdapi.WatchRequest{{CancelRequest: &etcdapi.WatchCancelRequest{
				WatchId: resp.WatchId}}})
		}
		return
	case resp.Canceled:
		wc.end(w)
		w.fn(resp)
		return
	}
	w.id = resp.WatchId
	s.byID[w.id] = w
	if w.nextRev == 0 && resp.Header != nil {
		// From the current revision: a resumed stream carries on after it.
		w.nextRev = resp.Header.Revision + 1
	}
	if !w.created {
		w.created = true
		w.fn(resp)
	}
}

// progress passes a stream-wide progress notification (the answer to a
// WatchProgressRequest) to every watch created on the stream.
func (wc *WatchClient) progress(s *clientStream, resp *etcdapi.WatchResponse) {
	for _, w := range append([]*Watch(nil), wc.watches...) {
		if w.id >= 0 && s.byID[w.id] == w && !w.done && wc.cur == s {
			wc.deliver(s, w, resp)
		}
	}
}

// deliver passes one response to its watch, notes how far the watch got,
// and ends the watch when the response cancels it.
func (wc *WatchClient) deliver(s *clientStream, w *Watch, resp *etcdapi.WatchResponse) {
	if n := len(resp.Events); n > 0 {
		w.nextRev = max(w.nextRev, resp.Events[n-1].Kv.ModRevision+1)
	} else if resp.IsProgressNotify() {
		w.nextRev = max(w.nextRev, resp.Header.Revision+1)
	}
	if resp.Canceled {
		delete(s.byID, w.id)
		wc.end(w)
	}
	w.fn(resp)
}
