package cluster

import (
	"time"

	"etcdsim/mvcc"
	"etcdsim/mvcc/etcdapi"
	"etcdsim/sim"
)

// This file is the member side of etcd's Watch service. A client's watch
// stream (one gRPC stream over one TCP connection in etcd) travels as
// numbered messages over the simulated network, which may lose, delay,
// duplicate and reorder them: each side takes the other's messages in
// order and once, holds back early ones, and gives a stream up when a gap
// does not fill. Any member serves a stream from its own store
// (mvcc.Store.NewWatchStream); members apply the same log, so they send the
// same events, a lagging one later. The client side is client_watch.go.
//
//	WatchClient ──watchRequestMsg{stream, seq, create|cancel|progress}──► member
//	    ▲                                                       mvcc.WatchStream
//	    └──watchResponseMsg{stream, seq, responses} or a reset─── (flushed after
//	                                                               each apply)

// watchRequestMsg carries messages of a client's watch stream to a member.
type watchRequestMsg struct {
	// stream names the stream among the client's; seq numbers the
	// client's messages on it from 1. A member opens a stream only on
	// message 1, and takes the others in seq order.
	stream uint64
	seq    uint64
	// reqs are the stream's requests in order (each with one field set).
	reqs []*etcdapi.WatchRequest
	// requireLeader asks the member to end the stream when it has had no
	// leader for a while, and to refuse to open it without one
	// (clientv3.WithRequireLeader); message 1's value holds.
	requireLeader bool
	// close ends the stream (the client gave it up). It is taken on
	// arrival, out of order, as a closed connection would be.
	close bool
}

// watchResponseMsg carries a member's responses on a watch stream to its
// client, or ends the stream.
type watchResponseMsg struct {
	stream uint64
	// seq numbers the member's messages on the stream from 1; a reset
	// carries none.
	seq   uint64
	resps []etcdapi.WatchResponse
	// reset ends the stream: the member does not know it (it restarted,
	// or closed it) or gave it up. err says why when etcd would name an
	// error (ErrNoLeader), else it is nil (a transport reset).
	reset bool
	err   *etcdapi.Error
}

// size approximates the message's bytes on the wire.
func (r *watchResponseMsg) size() int {
	n := 32
	for i := range r.resps {
		n += 32
		for _, ev := range r.resps[i].Events {
			n += 32 + len(ev.Kv.Key) + len(ev.Kv.Value)
			if ev.PrevKv != nil {
				n += 32 + len(ev.PrevKv.Key) + len(ev.PrevKv.Value)
			}
		}
	}
	return n
}

// Bounds and periods of a member's Watch service, in time on the member's
// own clock.
const (
	// watchStreamsMax bounds the streams one member serves at once.
	watchStreamsMax = 1024
	// watchHeldMax bounds the early messages held per stream while an
	// earlier one is missing; past it the stream is reset.
	watchHeldMax = 16
	// watchPollRoundsMax bounds the Polls of one flush: each catches a
	// lagging watcher up by up to 1,000 revisions (mvcc's
	// watchBatchRevsMax); the rest goes in the next flush.
	watchPollRoundsMax = 64
	// watchSweepInterval is how often a member sends the progress
	// notifications of watches created with ProgressNotify (etcd's
	// --experimental-watch-progress-notify-interval, 10 minutes by
	// default, shortened to fit runs of seconds) and looks for streams
	// gone quiet or left without a leader.
	watchSweepInterval = time.Second
	// watchIdleTimeout is how long a stream may go without a message from
	// its client before the member closes it; clients ask for progress
	// far more often (WatchConfig.ProgressInterval). etcd relies on gRPC
	// keepalive for this.
	watchIdleTimeout = 5 * time.Second
	// watchNoLeaderElections is how many election timeouts a member stays
	// without a leader before it cancels the streams that require one
	// (etcd's maxNoLeaderCnt in v3rpc's monitorLeader).
	watchNoLeaderElections = 3
)

// watchServer is a member's Watch service for one incarnation: the
// streams clients opened on it. A crash loses them, as a restarted etcd
// loses its connections; clients then resume elsewhere.
type watchServer struct {
	// streams are the open streams, in the order they were opened, which
	// is the order they are flushed in.
	streams []*serverStream
	// closed names the streams this incarnation closed, so that a late or
	// duplicated first message does not open one again.
	closed map[streamKey]bool
	// sweepAt is when the next sweep is due; noLeaderSince is when the
	// member last lost its leader, valid while noLeader.
	sweepAt, noLeaderSince sim.Time
	noLeader               bool
	// dropped records that the planted dropWatchEvent fired.
	dropped bool
}

// streamKey names a stream: the client node and its stream id.
type streamKey struct {
	client sim.NodeID
	id     uint64
}

// serverStream is one client's stream on a member.
type serverStream struct {
	key streamKey
	ws  *mvcc.WatchStream
	// next is the seq of the client message to take next; held are later
	// ones that arrived early.
	next uint64
	held []*watchRequestMsg
	// sent counts the messages sent to the client.
	sent          uint64
	requireLeader bool
	// heard is when the client last sent a message, on the member's clock.
	heard sim.Time
	// out holds responses made outside the mvcc stream (a refused create),
	// queued behind what the stream had queued before them.
	out []etcdapi.WatchResponse
}

// serveWatch takes one message of a watch stream: it opens the stream on
// message 1, resets a stream it does not know, takes messages in order
// (holding early ones), and flushes what the stream has to say.
func (m *member) serveWatch(from sim.NodeID, msg *watchRequestMsg) {
	ws := &m.watch
	key := streamKey{client: from, id: msg.stream}
	if ws.closed[key] {
		if !msg.close {
			m.resetStream(key, nil) // the reset that closed it may have been lost
		}
		return
	}
	s := ws.find(key)
	switch {
	case msg.close:
		if s != nil {
			m.closeStream(s, "closed by the client")
		}
		ws.markClosed(key)
		return
	case s == nil && msg.seq != 1:
		// The stream was opened on an earlier incarnation, or message 1
		// was lost: the client must open another.
		m.resetStream(key, nil)
		return
	case s == nil && m.isLearner():
		// etcd's learner serves no Watch (v3rpc isRPCSupportedForLearner):
		// the client resumes on another member.
		m.resetStream(key, etcdapi.ErrNotSupportedForLearner)
		return
	case s == nil:
		if s = m.openStream(key, msg.requireLeader); s == nil {
			return
		}
	}
	s.heard = m.p.Now()
	switch {
	case msg.seq < s.next:
		return // a duplicate
	case msg.seq > s.next:
		m.holdWatchRequest(s, msg)
		return
	}
	m.takeWatchRequests(s, msg)
	for msg := s.takeHeld(); msg != nil; msg = s.takeHeld() {
		m.takeWatchRequests(s, msg)
	}
	m.sweepWatches()
	if ws.find(key) == s {
		m.flushStream(s)
	}
}

// find returns the open stream key names, or nil.
func (ws *watchServer) find(key streamKey) *serverStream {
	for _, s := range ws.streams {
		if s.key == key {
			return s
		}
	}
	return nil
}

func (ws *watchServer) markClosed(key streamKey) {
	if ws.closed == nil {
		ws.closed = map[streamKey]bool{}
	}
	ws.closed[key] = true
}

// openStream opens a stream on the member's store, or resets it when the
// member serves too many or has no leader and the client requires one.
func (m *member) openStream(key streamKey, requireLeader bool) *serverStream {
	ws := &m.watch
	if len(ws.streams) >= watchStreamsMax {
		m.p.Logf("watch: refusing stream %s/%d: %d streams open", key.client, key.id,
			len(ws.streams))
		m.resetStream(key, nil)
		return nil
	}
	if requireLeader && m.node.Lead() == 0 {
		m.resetStream(key, etcdapi.ErrNoLeader)
		return nil
	}
	s := &serverStream{key: key, ws: m.kv.store.NewWatchStream(), next: 1,
		requireLeader: requireLeader}
	ws.streams = append(ws.streams, s)
	m.p.Logf("watch: stream %s/%d opened", key.client, key.id)
	return s
}

// holdWatchRequest keeps a message that arrived before an earlier one; a
// stream whose gap does not fill within watchHeldMax messages is reset.
func (m *member) holdWatchRequest(s *serverStream, msg *watchRequestMsg) {
	for _, h := range s.held {
		if h.seq == msg.seq {
			return // a duplicate of one held
		}
	}
	if len(s.held) == watchHeldMax {
		m.closeStream(s, "a request never arrived")
		m.resetStream(s.key, nil)
		return
	}
	s.held = append(s.held, msg)
}

// checkInvariants asserts the stream's shape (cheap: it runs at every
// flush).
func (s *serverStream) checkInvariants() {
	if s.next < 1 || len(s.held) > watchHeldMax {
		failf("watch: stream %s/%d: next %d, %d held", s.key.client, s.key.id, s.next, len(s.held))
	}
	for _, h := range s.held {
		if h.seq <= s.next {
			failf("watch: stream %s/%d holds %d, next is %d", s.key.client, s.key.id, h.seq, s.next)
		}
	}
}

// takeHeld removes and returns the held message that comes next, or nil.
func (s *serverStream) takeHeld() *watchRequestMsg {
	for i, h := range s.held {
		if h.seq == s.next {
			s.held = append(s.held[:i], s.held[i+1:]...)
			return h
		}
	}
	return nil
}

// takeWatchRequests runs the requests of the stream's next message, as
// etcd's watch server (v3rpc/watch.go recvLoop) does.
func (m *member) takeWatchRequests(s *serverStream, msg *watchRequestMsg) {
	if msg.seq != s.next {
		failf("watch: stream %s/%d takes message %d, expecting %d", s.key.client, s.key.id,
			msg.seq, s.next)
	}
	s.next++
	for _, req := range msg.reqs {
		switch {
		case req.CreateRequest != nil:
			m.createWatch(s, req.CreateRequest)
		case req.CancelRequest != nil:
			// etcd answers only a cancel of a watch that exists.
			_ = s.ws.Cancel(mvcc.WatchID(req.CancelRequest.WatchId))
		case req.ProgressRequest != nil:
			s.ws.RequestProgress()
		}
	}
}

// createWatch creates a watch on the stream. A refused create is answered
// as etcd does: created and canceled at once, watch ID -1, the error's text
// as the reason (v3rpc/watch.go).
func (m *member) createWatch(s *serverStream, cr *etcdapi.WatchCreateRequest) {
	if _, err := s.ws.Watch(cr); err != nil {
		s.out = append(s.out, s.ws.Poll(0)...)
		s.out = append(s.out, etcdapi.WatchResponse{
			Header:  &etcdapi.ResponseHeader{Revision: m.kv.store.Rev()},
			WatchId: -1, Created: true, Canceled: true, CancelReason: err.Error()})
	}
}

// closeStream closes an open stream; it stays closed for this incarnation.
func (m *member) closeStream(s *serverStream, why string) {
	ws := &m.watch
	for i, o := range ws.streams {
		if o == s {
			ws.streams = append(ws.streams[:i], ws.streams[i+1:]...)
			break
		}
	}
	s.ws.Close()
	ws.markClosed(s.key)
	m.p.Logf("watch: stream %s/%d %s", s.key.client, s.key.id, why)
}

// resetStream tells the client a stream is over, with etcd's error when
// there is one.
func (m *member) resetStream(key streamKey, err *etcdapi.Error) {
	r := &watchResponseMsg{stream: key.id, reset: true, err: err}
	if err := m.p.Send(key.client, r, r.size()); err != nil {
		m.p.Logf("watch: reset to %s: %v", key.client, err)
	}
}

// notifyWatches sends each stream what the last applied entries (or an
// installed snapshot) gave its watchers, after a sweep if one is due.
func (m *member) notifyWatches() {
	if len(m.watch.streams) == 0 {
		return
	}
	m.sweepWatches()
	for _, s := range m.watch.streams {
		m.flushStream(s)
	}
}

// sweepWatches runs, every watchSweepInterval, the progress notifications
// of watches that asked for them, and closes streams whose client went
// quiet or that require a leader the member has lacked for
// watchNoLeaderElections election timeouts (etcd's monitorLeader).
func (m *member) sweepWatches() {
	ws := &m.watch
	now := m.p.Now()
	switch {
	case m.node.Lead() != 0:
		ws.noLeader = false
	case !ws.noLeader:
		ws.noLeader, ws.noLeaderSince = true, now
	}
	if now < ws.sweepAt {
		return
	}
	ws.sweepAt = now.Add(watchSweepInterval)
	election := time.Duration(m.c.cfg.ElectionTicks) * m.c.cfg.TickInterval
	noLeader := ws.noLeader && now.Sub(ws.noLeaderSince) >= watchNoLeaderElections*election
	for _, s := range append([]*serverStream(nil), ws.streams...) {
		switch {
		case now.Sub(s.heard) >= watchIdleTimeout:
			m.closeStream(s, "idle")
			m.resetStream(s.key, nil)
		case noLeader && s.requireLeader:
			m.closeStream(s, "canceled: no leader")
			m.resetStream(s.key, etcdapi.ErrNoLeader)
		default:
			s.ws.ProgressNotifyTick()
		}
	}
}

// flushStream sends what the stream has ready in one message, each
// response with this member's header.
func (m *member) flushStream(s *serverStream) {
	s.checkInvariants()
	out := s.out
	s.out = nil
	for round := 0; round < watchPollRoundsMax; round++ {
		rs := s.ws.Poll(0)
		if len(rs) == 0 {
			break
		}
		out = append(out, rs...)
	}
	if m.c.cfg.dropWatchEvent {
		out = m.dropOneWatchEvent(out)
	}
	if len(out) == 0 {
		return
	}
	// The stream's headers may be shared with other watchers: copy them.
	hdrs := make([]etcdapi.ResponseHeader, len(out))
	for i := range out {
		if out[i].Header != nil {
			hdrs[i] = *out[i].Header
		}
		m.fillHeader(&hdrs[i])
		out[i].Header = &hdrs[i]
	}
	s.sent++
	r := &watchResponseMsg{stream: s.key.id, seq: s.sent, resps: out}
	if err := m.p.Send(s.key.client, r, r.size()); err != nil {
		m.p.Logf("watch: send to %s: %v", s.key.client, err)
	}
}

// dropWatchEventFrom is the revision from which the planted dropWatchEvent
// drops the first event response a member sends (once per incarnation).
const dropWatchEventFrom = 20

// dropOneWatchEvent is the planted bug Config.dropWatchEvent: a member
// loses one response with events, so its watcher misses them.
func (m *member) dropOneWatchEvent(out []etcdapi.WatchResponse) []etcdapi.WatchResponse {
	if m.watch.dropped {
		return out
	}
	for i := range out {
		if evs := out[i].Events; len(evs) > 0 && evs[0].Kv.ModRevision >= dropWatchEventFrom {
			m.watch.dropped = true
			m.p.Logf("watch: planted bug drops %d event(s) at revision %d to watch %d",
				len(evs), evs[0].Kv.ModRevision, out[i].WatchId)
			return append(out[:i:i], out[i+1:]...)
		}
	}
	return out
}
