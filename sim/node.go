package sim

import (
	"fmt"
	"time"
)

// Node is what the world runs. A node never sees the world directly: it acts
// through the Proc it was built with (send, timers, its clock, its disk).
//
// The world calls these methods one at a time, on the world's goroutine.
type Node interface {
	// Start runs when the node starts and after every restart. A restarted
	// node is a new value built by the same NodeFunc: it recovers from
	// Proc.Disk and must not rely on any other state.
	Start()
	// Receive delivers msg, sent by from. The payload is shared with the
	// sender and with network duplicates: treat it as read-only, unless it
	// is a Cloner, in which case this delivery's payload is its own.
	Receive(from NodeID, msg any)
	// Fire runs a timer the node set with Proc.SetTimer.
	Fire(tag uint64)
}

// Cloner is a payload that its receiver may reuse once delivered (to
// recycle message buffers, say). The network gives every extra copy of
// a duplicated message its own Clone, so no two deliveries share one; a
// held payload is delivered at most once. Any payload may instead never
// arrive (loss, partition, a crash), so a receiver's pool must not count
// on getting its payloads back.
type Cloner interface {
	Clone() any
}

// NodeFunc builds a node's volatile state for one incarnation.
type NodeFunc func(p *Proc) Node

// nodeState is the world's record of one node, kept across incarnations.
type nodeState struct {
	id    NodeID
	index int32
	build NodeFunc
	node  Node // nil while crashed
	proc  *Proc
	// inc counts incarnations; events stamped with an older inc are stale.
	inc   uint32
	up    bool
	disk  *Disk
	clock Clock
}

// receiver returns the incarnation that a message sent now would reach: the
// running one, or, while the node is down (or not yet started), the next.
// Crash and boot each bump inc by one, so a message in flight across a
// crash is stale, while one sent to a down node reaches its restart.
func (st *nodeState) receiver() uint32 {
	if st.up {
		return st.inc
	}
	return st.inc + 1
}

// Proc is a node's handle on the world for one incarnation. After the node
// crashes, its old Proc refuses to act (ErrNodeDown).
type Proc struct {
	w   *World
	st  *nodeState
	inc uint32
}

// ID returns the node's id.
func (p *Proc) ID() NodeID { return p.st.id }

// Now returns the time on the node's own clock (skewed and drifting).
func (p *Proc) Now() Time { return p.st.clock.read(p.w.now) }

// Up reports whether this incarnation is still running.
func (p *Proc) Up() bool { return p.st.up && p.st.inc == p.inc }

// Disk returns the node's disk, which outlives crashes.
func (p *Proc) Disk() *Disk { return p.st.disk }

// Rand returns the node's random stream called name (for example
// "election"); streams persist across restarts.
func (p *Proc) Rand(name string) *Rand {
	return p.w.Rand(p.st.id.String() + "/" + name)
}

// Send sends msg of the given size in bytes to node to through the network.
// The size feeds statistics and traces; the payload is delivered as is.
func (p *Proc) Send(to NodeID, msg any, size int) error {
	if !p.Up() {
		return fmt.Errorf("%w: %s cannot send (crashed)", ErrNodeDown, p.st.id)
	}
	dst, err := p.w.lookup(to)
	if err != nil {
		return fmt.Errorf("send from %s: %w", p.st.id, err)
	}
	p.w.net.send(p.st, dst, msg, size)
	return nil
}

// SetTimer schedules Fire(tag) after d has passed on the node's own clock.
func (p *Proc) SetTimer(d time.Duration, tag uint64) (TimerID, error) {
	if !p.Up() {
		return TimerID{}, fmt.Errorf("%w: %s cannot set a timer (crashed)", ErrNodeDown, p.st.id)
	}
	if d < 0 {
		return TimerID{}, fmt.Errorf("%w: timer delay %v on %s", ErrNegativeDuration, d, p.st.id)
	}
	at := p.w.now.Add(p.st.clock.trueDelay(d))
	slot, seq := p.w.q.push(at, &event{kind: evTimer, live: true, node: p.st.index, inc: p.inc, tag: tag})
	return TimerID{slot: slot, seq: seq}, nil
}

// CancelTimer stops a pending timer and reports whether it was pending.
func (p *Proc) CancelTimer(id TimerID) bool { return p.w.q.cancel(id.slot, id.seq) }

// Logf records a line in the trace, attributed to the node.
func (p *Proc) Logf(format string, args ...any) {
	p.w.record(Record{Kind: KindLog, Node: p.st.id, Text: fmt.Sprintf(format, args...)})
}

// Node returns the running node value for id, or nil while it is crashed.
// Observers use it to inspect every node after each event.
func (w *World) Node(id NodeID) (Node, error) {
	st, err := w.lookup(id)
	if err != nil {
		return nil, err
	}
	return st.node, nil
}

// Up reports whether node id is running.
func (w *World) Up(id NodeID) (bool, error) {
	st, err := w.lookup(id)
	if err != nil {
		return false, err
	}
	return st.up, nil
}

// CrashOptions say what a crash does to the node's disk.
type CrashOptions struct {
	// TornWrites keeps a random prefix of each file's unsynced appended tail,
	// as a real disk may have written part of it.
	TornWrites bool
}

// Crash stops node id at once: its volatile state is dropped, its pending
// timers and the messages in flight to it are lost, and its disk keeps only
// what was synced.
func (w *World) Crash(id NodeID, opts CrashOptions) error {
	st, err := w.lookup(id)
	if err != nil {
		return fmt.Errorf("crash: %w", err)
	}
	if !st.up {
		return fmt.Errorf("crash %s: %w", id, ErrNodeDown)
	}
	st.up = false
	st.node = nil
	st.inc++ // stales every pending timer and in-flight message to the node
	st.disk.crash(opts.TornWrites)
	w.net.forgetHeldTo(st.index)
	w.record(Record{Kind: KindCrash, Node: id})
	return nil
}

// Restart brings a crashed node back: a new incarnation is built by its
// NodeFunc and started from its disk at the current time.
func (w *World) Restart(id NodeID) error {
	st, err := w.lookup(id)
	if err != nil {
		return fmt.Errorf("restart: %w", err)
	}
	if st.up {
		return fmt.Errorf("restart %s: %w", id, ErrNodeUp)
	}
	w.boot(st, KindRestart)
	return nil
}

// boot builds and starts a new incarnation of st.
func (w *World) boot(st *nodeState, kind Kind) {
	st.inc++
	st.up = true
	st.proc = &Proc{w: w, st: st, inc: st.inc}
	st.node = st.build(st.proc)
	assertf(st.node != nil, "NodeFunc for %s returned nil", st.id)
	w.record(Record{Kind: kind, Node: st.id})
	st.node.Start()
}

// SetClockDrift makes node id's clock run fast (ppm > 0) or slow (ppm < 0)
// from now on. ppm must lie in (-500000, 500000].
func (w *World) SetClockDrift(id NodeID, ppm int64) error {
	st, err := w.lookup(id)
	if err != nil {
		return fmt.Errorf("clock drift: %w", err)
	}
	if err := validDrift(ppm); err != nil {
		return fmt.Errorf("clock drift of %s: %w", id, err)
	}
	st.clock.setDrift(w.now, ppm)
	w.record(Record{Kind: KindClock, Node: id, Text: fmt.Sprintf("drift %+dppm", ppm)})
	return nil
}

// JumpClock moves node id's clock reading by d, forwards or backwards.
// Timers already set keep their true-time deadlines.
func (w *World) JumpClock(id NodeID, d time.Duration) error {
	st, err := w.lookup(id)
	if err != nil {
		return fmt.Errorf("clock jump: %w", err)
	}
	st.clock.jump(w.now, d)
	w.record(Record{Kind: KindClock, Node: id, Text: fmt.Sprintf("jump %+v", d)})
	return nil
}

// NodeTime returns what node id's clock reads now.
func (w *World) NodeTime(id NodeID) (Time, error) {
	st, err := w.lookup(id)
	if err != nil {
		return 0, err
	}
	return st.clock.read(w.now), nil
}
