package sim

import (
	"fmt"
	"time"
)

// Default network settings: a LAN-like 1ms hop with a little jitter, links
// in FIFO order as over TCP, no loss.
const (
	DefaultLatencyBase   = time.Millisecond
	DefaultLatencyJitter = 200 * time.Microsecond
	// DefaultLinkQueueMax bounds the messages in flight on one link, as a
	// real link's buffers do: a protocol that floods a link loses messages
	// ("queue full") instead of exhausting memory.
	DefaultLinkQueueMax = 4096
)

// Latency is a link's delay model: Base plus a uniform draw in [0, Jitter].
type Latency struct {
	Base   time.Duration
	Jitter time.Duration
}

func (l Latency) valid() error {
	if l.Base < 0 {
		return fmt.Errorf("%w: latency base %v", ErrNegativeDuration, l.Base)
	}
	if l.Jitter < 0 {
		return fmt.Errorf("%w: latency jitter %v", ErrNegativeDuration, l.Jitter)
	}
	return nil
}

// linkState is what the network knows of one directed link from -> to.
type linkState struct {
	blocked  bool
	override bool // latency below replaces the network default
	latency  Latency
	// lastAt is the latest delivery time scheduled on the link, so that
	// FIFO links never deliver out of order.
	lastAt Time
	// inflight counts deliveries scheduled and not yet run.
	// Invariant: 0 <= inflight <= Network.queueMax.
	inflight int
}

// Network moves messages between nodes. Every link's fate (delay, loss,
// duplication) is drawn from the world's "network" stream.
//
// Partitions are sets of blocked directed links. The helpers (Split,
// Isolate, Bridge, Block) add to the set; Heal empties it. A message is
// checked against the set when sent and again when it would be delivered,
// so a partition also cuts messages already in flight.
type Network struct {
	w       *World
	r       *Rand
	latency Latency
	drop    Prob
	dup     Prob
	// fifo keeps each link in order; off, independent delays reorder.
	fifo bool
	// links is an n*n matrix indexed by from*n+to.
	// Invariant: n >= len(w.nodes); rows and columns past the nodes are
	// unused.
	links []linkState
	n     int
	// queueMax bounds each link's inflight deliveries.
	queueMax int
	hold     bool
	held     []HeldMessage
	msgID    uint64
	stats    NetStats
}

// NetStats counts what the network did.
type NetStats struct {
	Sent, Delivered, Dropped, Duplicated, Held uint64
}

// HeldMessage is a message kept back for a scripted test.
type HeldMessage struct {
	ID       uint64
	From, To NodeID
	Payload  any
	Size     int
	SentAt   Time
	inc      uint32 // destination incarnation at send time
	from, to int32
}

func newNetwork(w *World) *Network {
	return &Network{
		w:        w,
		r:        w.Rand("network"),
		latency:  Latency{Base: DefaultLatencyBase, Jitter: DefaultLatencyJitter},
		fifo:     true,
		queueMax: DefaultLinkQueueMax,
	}
}

// grow makes room in the link matrix for n nodes, keeping existing links.
// The matrix's side at least doubles when it grows, so that adding nodes
// one by one copies it a logarithmic number of times (copying it at every
// AddNode made 1,064 nodes take seconds).
func (nw *Network) grow(n int) {
	if n <= nw.n {
		return
	}
	side := max(n, 2*nw.n, 8)
	links := make([]linkState, side*side)
	for from := 0; from < nw.n; from++ {
		copy(links[from*side:from*side+nw.n], nw.links[from*nw.n:from*nw.n+nw.n])
	}
	nw.links, nw.n = links, side
}

func (nw *Network) link(from, to int32) *linkState {
	return &nw.links[int(from)*nw.n+int(to)]
}

// Stats returns the network's counters.
func (nw *Network) Stats() NetStats { return nw.stats }

// send is the hot path of every message: no allocation unless it is held.
func (nw *Network) send(src, dst *nodeState, msg any, size int) {
	nw.msgID++
	id := nw.msgID
	nw.stats.Sent++
	w := nw.w
	w.record(Record{Kind: KindSend, Node: src.id, Peer: dst.id, MsgID: id, Size: size})
	l := nw.link(src.index, dst.index)
	if l.blocked {
		nw.dropped(dst.id, src.id, id, size, "partition")
		return
	}
	if nw.drop.hit(nw.r) {
		nw.dropped(dst.id, src.id, id, size, "loss")
		return
	}
	if nw.hold {
		nw.stats.Held++
		nw.held = append(nw.held, HeldMessage{ID: id, From: src.id, To: dst.id, Payload: msg,
			Size: size, SentAt: w.now, inc: dst.receiver(), from: src.index, to: dst.index})
		w.record(Record{Kind: KindHold, Node: src.id, Peer: dst.id, MsgID: id, Size: size})
		return
	}
	nw.schedule(l, src.index, dst, id, msg, size)
	if nw.dup.hit(nw.r) {
		nw.stats.Duplicated++
		w.record(Record{Kind: KindDuplicate, Node: src.id, Peer: dst.id, MsgID: id, Size: size})
		if c, ok := msg.(Cloner); ok {
			msg = c.Clone()
		}
		nw.schedule(l, src.index, dst, id, msg, size)
	}
}

// schedule queues one delivery on link l after a drawn delay, unless the
// link's queue is full.
func (nw *Network) schedule(l *linkState, from int32, dst *nodeState, id uint64, msg any, size int) {
	if l.inflight >= nw.queueMax {
		nw.dropped(dst.id, nw.w.nodes[from].id, id, size, "queue full")
		return
	}
	l.inflight++
	lat := nw.latency
	if l.override {
		lat = l.latency
	}
	delay := lat.Base
	if lat.Jitter > 0 {
		delay += time.Duration(nw.r.Int64N(int64(lat.Jitter) + 1))
	}
	at := nw.w.now.Add(delay)
	if nw.fifo {
		if at < l.lastAt {
			at = l.lastAt
		}
		l.lastAt = at
	}
	nw.w.q.push(at, &event{kind: evDeliver, live: true, node: dst.index, inc: dst.receiver(),
		from: from, msgID: id, size: size, counted: true, payload: msg})
}

// deliver runs a delivery event: the message reaches its node unless the
// node crashed since it was sent or the link is now blocked.
func (nw *Network) deliver(ev *event) {
	w := nw.w
	dst := w.nodes[ev.node]
	src := w.nodes[ev.from]
	if ev.counted {
		nw.link(ev.from, ev.node).inflight--
	}
	switch {
	case !dst.up || dst.inc != ev.inc:
		nw.dropped(dst.id, src.id, ev.msgID, ev.size, "crashed")
	case nw.link(ev.from, ev.node).blocked:
		nw.dropped(dst.id, src.id, ev.msgID, ev.size, "partition")
	default:
		nw.stats.Delivered++
		w.record(Record{Kind: KindDeliver, Node: dst.id, Peer: src.id, MsgID: ev.msgID, Size: ev.size})
		dst.node.Receive(src.id, ev.payload)
	}
}

func (nw *Network) dropped(at, from NodeID, id uint64, size int, why string) {
	nw.stats.Dropped++
	nw.w.record(Record{Kind: KindDrop, Node: at, Peer: from, MsgID: id, Size: size, Text: why})
}

// SetLatency sets the default delay model for every link without its own.
func (nw *Network) SetLatency(l Latency) error {
	if err := l.valid(); err != nil {
		return fmt.Errorf("network latency: %w", err)
	}
	nw.latency = l
	nw.w.record(Record{Kind: KindNetwork, Text: fmt.Sprintf("latency %v+%v", l.Base, l.Jitter)})
	return nil
}

// SetLinkLatency gives the directed link from -> to its own delay model.
func (nw *Network) SetLinkLatency(from, to NodeID, l Latency) error {
	a, b, err := nw.w.lookupPair(from, to)
	if err != nil {
		return fmt.Errorf("link latency: %w", err)
	}
	if err := l.valid(); err != nil {
		return fmt.Errorf("link latency %s->%s: %w", from, to, err)
	}
	ls := nw.link(a.index, b.index)
	ls.override, ls.latency = true, l
	nw.w.record(Record{Kind: KindNetwork, Node: from, Peer: to,
		Text: fmt.Sprintf("link latency %v+%v", l.Base, l.Jitter)})
	return nil
}

// ClearLinkLatency returns the link from -> to to the default delay model.
func (nw *Network) ClearLinkLatency(from, to NodeID) error {
	a, b, err := nw.w.lookupPair(from, to)
	if err != nil {
		return fmt.Errorf("link latency: %w", err)
	}
	nw.link(a.index, b.index).override = false
	nw.w.record(Record{Kind: KindNetwork, Node: from, Peer: to, Text: "link latency default"})
	return nil
}

// SetDropRate sets the probability, in [0, 1], that a message is lost.
func (nw *Network) SetDropRate(p float64) error {
	pr, err := ProbOf(p)
	if err != nil {
		return fmt.Errorf("drop rate %v: %w", p, err)
	}
	nw.drop = pr
	nw.w.record(Record{Kind: KindNetwork, Text: fmt.Sprintf("drop %dppm", pr)})
	return nil
}

// SetDuplicateRate sets the probability, in [0, 1], that a delivered
// message arrives twice (each copy with its own delay).
func (nw *Network) SetDuplicateRate(p float64) error {
	pr, err := ProbOf(p)
	if err != nil {
		return fmt.Errorf("duplicate rate %v: %w", p, err)
	}
	nw.dup = pr
	nw.w.record(Record{Kind: KindNetwork, Text: fmt.Sprintf("duplicate %dppm", pr)})
	return nil
}

// SetLinkQueueMax bounds the messages in flight on each link (at least 1).
func (nw *Network) SetLinkQueueMax(n int) error {
	if n < 1 {
		return fmt.Errorf("sim: link queue bound %d must be at least 1", n)
	}
	nw.queueMax = n
	nw.w.record(Record{Kind: KindNetwork, Text: fmt.Sprintf("link queue %d", n)})
	return nil
}

// SetFIFO keeps every link in order (true, the default, as TCP does) or lets
// independent delays reorder messages (false).
func (nw *Network) SetFIFO(on bool) {
	nw.fifo = on
	nw.w.record(Record{Kind: KindNetwork, Text: fmt.Sprintf("fifo %v", on)})
}
