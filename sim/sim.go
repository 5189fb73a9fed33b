package sim

import (
	"fmt"
	"runtime"
	"sort"
	"time"
)

// Options configure a World. The zero value is usable.
type Options struct {
	// TraceKeep is how many trace records to retain for printing (0: none).
	// The trace hash always covers every record.
	TraceKeep int
	// Paranoid runs whole-structure invariant checks after every event.
	Paranoid bool
}

// World is one simulated universe: a virtual clock, an event queue, seeded
// random streams, a network, and nodes with disks and clocks. Everything in
// a world runs on the goroutine that calls its Run methods.
type World struct {
	seed  uint64
	opts  Options
	now   Time
	q     queue
	net   *Network
	trace Trace
	rands map[string]*Rand
	// nodes in the order they were added; index is their dense index.
	nodes []*nodeState
	byID  map[NodeID]*nodeState
	// small[id] is node id when id < smallIDs: the lookup on every send
	// then skips the map.
	small []*nodeState
	// events counts events run (cancelled and stale ones excluded).
	events uint64
	// yield: the world yields to the Go scheduler every yieldEvery events
	// (decided at New: only with GOMAXPROCS=1).
	yield bool
	// after are the observers run after every event, in the order added
	// (AddAfterEvent); the first error stops the run.
	after []func() error
	err   error
}

// New creates a world from seed. Equal seeds and equal calls give equal
// worlds, event for event.
func New(seed uint64, opts Options) *World {
	w := &World{
		seed:  seed,
		opts:  opts,
		rands: map[string]*Rand{},
		byID:  map[NodeID]*nodeState{},
		trace: Trace{lanes: [3]uint64{mix(hashOffset, seed), hashOffset, hashOffset}, keepMax: opts.TraceKeep},
		yield: runtime.GOMAXPROCS(0) == 1,
	}
	w.net = newNetwork(w)
	return w
}

// Seed returns the world's root seed.
func (w *World) Seed() uint64 { return w.seed }

// Now returns the world's true virtual time.
func (w *World) Now() Time { return w.now }

// Network returns the world's network.
func (w *World) Network() *Network { return w.net }

// Trace returns the world's trace.
func (w *World) Trace() *Trace { return &w.trace }

// Events returns how many events have run.
func (w *World) Events() uint64 { return w.events }

// Pending returns how many events are queued (cancelled ones included).
func (w *World) Pending() int { return w.q.len() }

// Err returns the error that stopped the world, if any.
func (w *World) Err() error { return w.err }

// Rand returns the random stream called name, creating it on first use.
// The same name always returns the same stream.
func (w *World) Rand(name string) *Rand {
	r, ok := w.rands[name]
	if !ok {
		r = newRand(w.seed, name)
		w.rands[name] = r
	}
	return r
}

// AddAfterEvent adds fn to the observers that run after every event, for
// checks across nodes. Observers run in the order added. The first error
// stops the world: the observers after it do not run for that event, Step
// returns false and Err reports it. A world without observers pays nothing
// for them.
func (w *World) AddAfterEvent(fn func() error) {
	if fn == nil {
		failf("AddAfterEvent: nil observer")
	}
	w.after = append(w.after, fn)
}

// AddNode adds a node called id, built by build. It starts in an event at
// the current time, so nodes added together all exist before any starts.
func (w *World) AddNode(id NodeID, build NodeFunc) error {
	if id == WorldID {
		return fmt.Errorf("add node: %w: id 0 is reserved for the world", ErrBadNodeID)
	}
	if _, ok := w.byID[id]; ok {
		return fmt.Errorf("add node %s: %w", id, ErrNodeExists)
	}
	if build == nil {
		return fmt.Errorf("add node %s: nil NodeFunc", id)
	}
	st := &nodeState{id: id, index: int32(len(w.nodes)), build: build}
	st.disk = newDisk(w, id)
	w.nodes = append(w.nodes, st)
	w.byID[id] = st
	if id < smallIDs {
		if int(id) >= len(w.small) {
			w.small = append(w.small, make([]*nodeState, int(id)+1-len(w.small))...)
		}
		w.small[id] = st
	}
	w.net.grow(len(w.nodes))
	w.q.push(w.now, &event{kind: evStart, live: true, node: st.index})
	return nil
}

// Nodes returns every node id, sorted.
func (w *World) Nodes() []NodeID {
	ids := make([]NodeID, len(w.nodes))
	for i, st := range w.nodes {
		ids[i] = st.id
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// Disk returns node id's disk.
func (w *World) Disk(id NodeID) (*Disk, error) {
	st, err := w.lookup(id)
	if err != nil {
		return nil, err
	}
	return st.disk, nil
}

// Schedule runs fn after d of true time, at world level (for workloads and
// fault schedules). The label goes into the trace.
func (w *World) Schedule(d time.Duration, label string, fn func()) (TimerID, error) {
	if d < 0 {
		return TimerID{}, fmt.Errorf("%w: schedule %q after %v", ErrNegativeDuration, label, d)
	}
	slot, seq := w.q.push(w.now.Add(d), &event{kind: evCall, live: true, node: -1, fn: fn, label: label})
	return TimerID{slot: slot, seq: seq}, nil
}

// Cancel stops a callback set with Schedule and reports whether it was pending.
func (w *World) Cancel(id TimerID) bool { return w.q.cancel(id.slot, id.seq) }

// Logf records a world-level line in the trace.
func (w *World) Logf(format string, args ...any) {
	w.record(Record{Kind: KindLog, Text: fmt.Sprintf(format, args...)})
}

// Step runs the next live event and reports whether it ran one. It returns
// false when the queue is empty or the world has stopped on an error. It
// MUST NOT be called from inside an event (nor must the Run methods).
func (w *World) Step() bool {
	for w.err == nil && w.q.len() > 0 {
		e, ev, live := w.q.pop()
		if e.at < w.now {
			failf("event at %d before now %d", e.at, w.now)
		}
		if !w.liveEvent(ev, live) {
			w.q.release(e.slot) // cancelled, or its node crashed since
			continue
		}
		w.now = e.at
		w.run(ev)
		w.q.release(e.slot)
		w.events++
		if w.yield && w.events%yieldEvery == 0 {
			runtime.Gosched()
		}
		w.afterEvent()
		return w.err == nil
	}
	return false
}

// liveEvent reports whether a popped event still runs: not cancelled, and
// not a timer of a node that crashed since it was set.
func (w *World) liveEvent(ev *event, live bool) bool {
	return live && (ev.node < 0 || ev.kind != evTimer || w.current(ev))
}

// stepUntil runs the next live event due at or before limit and reports
// whether it ran one. Dead events at or before limit are dropped on the
// way; one past limit stays queued. The limit MUST be checked on every
// event popped, not only on the queue's head before the first pop: a dead
// head hides the live event behind it, which may lie past limit, and
// running it would make RunUntil set the clock back.
//
// Its body repeats Step's on purpose: each is the kernel's hot loop for
// its callers (Step for the kernel benchmarks and hand-driven worlds,
// stepUntil for every Run method), and sharing one costs either a call or
// a check per event (about 1% of a paced cluster's instructions).
func (w *World) stepUntil(limit Time) bool {
	for w.err == nil && w.q.len() > 0 && w.q.peek().at <= limit {
		e, ev, live := w.q.pop()
		if e.at < w.now {
			failf("event at %d before now %d", e.at, w.now)
		}
		if !w.liveEvent(ev, live) {
			w.q.release(e.slot) // cancelled, or its node crashed since
			continue
		}
		w.now = e.at
		w.run(ev)
		w.q.release(e.slot)
		w.events++
		if w.yield && w.events%yieldEvery == 0 {
			runtime.Gosched()
		}
		w.afterEvent()
		return w.err == nil
	}
	return false
}

// yieldEvery is how many events run between yields to the Go scheduler.
// A world runs on one goroutine that never blocks, so with GOMAXPROCS=1
// Go's background GC mark worker never got a turn: marking crept along in
// allocation assists, write barriers stayed on for about half of all
// events, and their buffer flushes cost 10% of the instructions. Yielding
// lets the worker finish a cycle's marking at once (mark phases went from
// 2.5-5ms to 0.5ms). A yield costs about as much as one event; it cannot
// change a run, which touches no other goroutine. With more Ps the worker
// runs on an idle one anyway, and yielding cost 30% (Cluster5Paced at
// GOMAXPROCS=2: 676 against 873 sim-s per wall-s): the goroutine went
// through the global run queue, waking and migrating between Ps.
const yieldEvery = 256

func (w *World) current(ev *event) bool {
	st := w.nodes[ev.node]
	return st.up && st.inc == ev.inc
}

// run executes one event.
func (w *World) run(ev *event) {
	switch ev.kind {
	case evTimer:
		st := w.nodes[ev.node]
		w.record(Record{Kind: KindTimer, Node: st.id, MsgID: ev.tag})
		st.node.Fire(ev.tag)
	case evDeliver:
		w.net.deliver(ev)
	case evStart:
		if st := w.nodes[ev.node]; st.inc == 0 { // not already restarted by hand
			w.boot(st, KindStart)
		}
	case evCall:
		w.record(Record{Kind: KindCall, Text: ev.label})
		ev.fn()
	default:
		failf("unknown event kind %d", ev.kind)
	}
}

func (w *World) afterEvent() {
	if w.opts.Paranoid {
		w.q.checkInvariants()
	}
	for _, fn := range w.after {
		if err := fn(); err != nil {
			w.err = err
			return
		}
	}
}

// RunUntil runs every event due at or before t, then moves the clock to t.
func (w *World) RunUntil(t Time) error {
	if t < w.now {
		return fmt.Errorf("%w: run until %v, now %v", ErrTimeBackwards, t, w.now)
	}
	for w.stepUntil(t) {
	}
	if w.err != nil {
		return w.err
	}
	if w.now > t {
		failf("ran an event at %d past the target %d", w.now, t)
	}
	w.now = t
	return nil
}

// RunFor runs the world for d of true time.
func (w *World) RunFor(d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("%w: run for %v", ErrNegativeDuration, d)
	}
	return w.RunUntil(w.now.Add(d))
}

// RunUntilQuiescent runs until no event is left, or fails with
// ErrEventBound after maxEvents events (a world with periodic timers is
// never quiescent: the bound turns that into an error, not a hang).
func (w *World) RunUntilQuiescent(maxEvents uint64) error {
	start := w.events
	for w.Step() {
		if w.events-start >= maxEvents && w.q.len() > 0 {
			return fmt.Errorf("%w: %d events, %d still queued", ErrEventBound, maxEvents, w.q.len())
		}
	}
	return w.err
}

// RunWhile runs events while cond holds, failing with ErrEventBound after
// maxEvents events. It returns nil once cond is false or the queue is empty.
func (w *World) RunWhile(cond func() bool, maxEvents uint64) error {
	start := w.events
	for cond() {
		if w.events-start >= maxEvents {
			return fmt.Errorf("%w: %d events and the condition still holds", ErrEventBound, maxEvents)
		}
		if !w.Step() {
			return w.err
		}
	}
	return nil
}

// record adds r to the trace at the current time.
func (w *World) record(r Record) {
	r.Time = w.now
	w.trace.add(r)
}

// smallIDs bounds the ids that lookup finds by index.
const smallIDs = 1024

func (w *World) lookup(id NodeID) (*nodeState, error) {
	if id < NodeID(len(w.small)) && w.small[id] != nil {
		return w.small[id], nil
	}
	st, ok := w.byID[id]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnknownNode, id)
	}
	return st, nil
}

func (w *World) lookupPair(from, to NodeID) (*nodeState, *nodeState, error) {
	a, err := w.lookup(from)
	if err != nil {
		return nil, nil, fmt.Errorf("from: %w", err)
	}
	b, err := w.lookup(to)
	if err != nil {
		return nil, nil, fmt.Errorf("to: %w", err)
	}
	return a, b, nil
}
