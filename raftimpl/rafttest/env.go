package rafttest

import (
	"errors"
	"fmt"
	"strings"

	"etcdsim/raftimpl"
	"etcdsim/raftimpl/wal"
)

// Env is a hand-driven cluster: messages wait in a queue until a command
// delivers, drops or stashes them. It is not a simulator: there is no
// clock, no latency and no randomness unless a command asks for it.
type Env struct {
	Nodes []*Node
	// Messages are in flight, in send order.
	Messages []raftimpl.Message
	// stash holds messages set aside to be delivered late (reordering).
	stash []raftimpl.Message
	// blocked links drop messages at delivery: blocked[i] is {from, to}.
	blocked [][2]raftimpl.NodeID
	checker *raftimpl.Checker
	// violation is the first invariant violation seen, reported once.
	violation error
	out       *strings.Builder
	// quiet discards the trace (for property tests that run long).
	quiet bool
	// commitMax is the highest commit index any node has reached: every
	// write acknowledged so far lies at or below it.
	commitMax raftimpl.LogIndex
	// reads maps a pending read's context to commitMax when it was issued;
	// a linearizable read MUST be served at an index at least that high.
	reads map[string]raftimpl.LogIndex
}

// ErrStaleRead is reported when a read index is below an entry committed
// before the read was issued: the read would miss an acknowledged write.
var ErrStaleRead = errors.New("rafttest: stale read")

// ReadIndex issues a read on node id and remembers what it must observe.
func (e *Env) ReadIndex(id raftimpl.NodeID, ctx string) error {
	n, err := e.node(id)
	if err != nil {
		return err
	}
	if e.reads == nil {
		e.reads = map[string]raftimpl.LogIndex{}
	}
	e.reads[ctx] = e.commitMax
	return n.ReadIndex([]byte(ctx))
}

// checkRead checks a served read against the commits that preceded it.
func (e *Env) checkRead(id raftimpl.NodeID, rs raftimpl.ReadState) {
	floor, ok := e.reads[string(rs.RequestCtx)]
	if !ok || e.violation != nil {
		return
	}
	delete(e.reads, string(rs.RequestCtx))
	if rs.Index < floor {
		e.violation = fmt.Errorf("%w: node %v served %q at index %v, but %v was committed before",
			ErrStaleRead, id, rs.RequestCtx, rs.Index, floor)
		e.printf("STALE READ: %v\n", e.violation)
	}
}

// SetQuiet turns the trace off (true) or on.
func (e *Env) SetQuiet(q bool) { e.quiet = q }

// Isolate cuts every link to and from node id.
func (e *Env) Isolate(id raftimpl.NodeID) {
	for _, n := range e.Nodes {
		if n.ID != id {
			e.blocked = append(e.blocked, [2]raftimpl.NodeID{id, n.ID},
				[2]raftimpl.NodeID{n.ID, id})
		}
	}
}

// Heal restores every link.
func (e *Env) Heal() { e.blocked = nil }

// Violation returns the first invariant violation seen, or nil.
func (e *Env) Violation() error { return e.violation }

// DeliverAt delivers the i-th queued message alone.
func (e *Env) DeliverAt(i int) {
	m := e.Messages[i]
	e.Messages = append(e.Messages[:i], e.Messages[i+1:]...)
	e.deliverOne(m)
}

// DropAt drops the i-th queued message.
func (e *Env) DropAt(i int) { e.Messages = append(e.Messages[:i], e.Messages[i+1:]...) }

// DuplicateAt queues a copy of the i-th message at the end.
func (e *Env) DuplicateAt(i int) { e.Messages = append(e.Messages, e.Messages[i]) }

// Node is one member: the Raft state machine, its WAL on an in-memory disk
// that models crashes, and a toy state machine (the applied payloads).
type Node struct {
	*raftimpl.Node
	ID      raftimpl.NodeID
	Config  raftimpl.Config
	Storage *raftimpl.MemoryStorage
	Dir     *wal.MemDir
	WAL     *wal.WAL
	// Applied lists the payloads of applied normal entries, in order.
	Applied []string
	// Crashed is set between crash and restart.
	Crashed bool
}

// NewEnv returns an empty environment writing its trace to out.
func NewEnv() *Env {
	return &Env{checker: raftimpl.NewChecker(), out: &strings.Builder{}}
}

func (e *Env) printf(format string, args ...any) {
	if !e.quiet {
		fmt.Fprintf(e.out, format, args...)
	}
}

// node returns the member with id, or an error naming it.
func (e *Env) node(id raftimpl.NodeID) (*Node, error) {
	if id == 0 || int(id) > len(e.Nodes) {
		return nil, fmt.Errorf("rafttest: no node %v", id)
	}
	return e.Nodes[id-1], nil
}

// live returns the nodes that are not crashed, in id order.
func (e *Env) live() []*raftimpl.Node {
	out := make([]*raftimpl.Node, 0, len(e.Nodes))
	for _, n := range e.Nodes {
		if !n.Crashed {
			out = append(out, n.Node)
		}
	}
	return out
}

// check runs the invariant checker after a step and reports the first
// violation.
func (e *Env) check() {
	if e.violation != nil {
		return
	}
	for _, n := range e.live() {
		e.commitMax = max(e.commitMax, n.CommitIndex())
	}
	if err := e.checker.Observe(e.live()); err != nil {
		e.violation = err
		e.printf("INVARIANT VIOLATED: %v\n", err)
	}
}

// zeroRand makes every randomized election timeout the minimum, so that
// scripts read simply; scripts that need spread set timeouts per node.
type zeroRand struct{}

func (zeroRand) IntN(int) int { return 0 }

// fixedRand adds a fixed number of ticks to a node's election timeout, so a
// script can say which node times out first.
type fixedRand int

func (f fixedRand) IntN(n int) int { return min(int(f), n-1) }

// Seed is a log a node starts with, written to its WAL before it starts:
// one entry per term in LogTerms (payload "v<index>"), the hard state term
// and commit index.
type Seed struct {
	LogTerms []raftimpl.Term
	Term     raftimpl.Term
	Commit   raftimpl.LogIndex
}

// AddNode creates a member, writes seed to its WAL, and starts it.
func (e *Env) AddNode(cfg raftimpl.Config, seed Seed) error {
	cfg.ID = raftimpl.NodeID(len(e.Nodes) + 1)
	if cfg.Rand == nil {
		cfg.Rand = zeroRand{}
	}
	n := &Node{ID: cfg.ID, Config: cfg, Dir: wal.NewMemDir()}
	e.Nodes = append(e.Nodes, n)
	if len(seed.LogTerms) > 0 || seed.Term > 0 {
		if err := writeSeed(n.Dir, seed); err != nil {
			return err
		}
	}
	return e.start(n)
}

func writeSeed(dir *wal.MemDir, seed Seed) error {
	w, _, err := wal.Open(dir)
	if err != nil {
		return err
	}
	ents := make([]raftimpl.Entry, len(seed.LogTerms))
	for i, t := range seed.LogTerms {
		idx := raftimpl.LogIndex(i + 1)
		ents[i] = raftimpl.Entry{Term: t, Index: idx, Data: []byte("v" + idx.String())}
	}
	hs := raftimpl.HardState{Term: max(seed.Term, 1), Commit: seed.Commit}
	return w.Save(hs, ents, true)
}

// start opens the node's WAL, replays it and builds the Raft state.
func (e *Env) start(n *Node) error {
	w, st, err := wal.Open(n.Dir)
	if err != nil {
		return err
	}
	storage, err := st.Storage()
	if err != nil {
		return err
	}
	cfg := n.Config
	cfg.Logger = func(format string, args ...any) { e.printf("> "+format+"\n", args...) }
	rn, err := raftimpl.New(cfg, storage)
	if err != nil {
		return err
	}
	n.Node, n.Storage, n.WAL, n.Crashed = rn, storage, w, false
	n.Applied = nil
	if !st.Snapshot.IsEmpty() {
		n.Applied = decodeState(st.Snapshot.Data)
	}
	return nil
}

// Crash stops a node: its unsynced WAL bytes are lost, except torn bytes
// of the last write; messages to it are dropped from now on.
func (e *Env) Crash(id raftimpl.NodeID, torn int) error {
	n, err := e.node(id)
	if err != nil {
		return err
	}
	n.Dir.Crash(torn)
	n.Crashed = true
	return nil
}

// Restart replays a crashed node's WAL.
func (e *Env) Restart(id raftimpl.NodeID) error {
	n, err := e.node(id)
	if err != nil {
		return err
	}
	if !n.Crashed {
		return fmt.Errorf("rafttest: node %v is running", id)
	}
	return e.start(n)
}

// ProcessReady handles one Ready of node id as a correct host does,
// through raftimpl's Ready loop (Node.HandleReady): persist (and fsync if
// asked), send, apply, advance.
func (e *Env) ProcessReady(id raftimpl.NodeID) error {
	n, err := e.node(id)
	if err != nil || n.Crashed {
		return err
	}
	if _, err := n.HandleReady(host{e: e, n: n}); err != nil {
		return err
	}
	e.check()
	return nil
}

// host is an Env's raftimpl.Host for one node: its WAL on the in-memory
// disk, the Env's message queue, and the toy state machine.
type host struct {
	e *Env
	n *Node
}

func (h host) Persist(rd *raftimpl.Ready) error {
	if !h.e.quiet {
		h.e.printf("> %v handling Ready\n%s", h.n.ID, indent(raftimpl.DescribeReady(*rd)))
	}
	if !rd.Snapshot.IsEmpty() {
		if err := h.n.WAL.SaveSnapshot(rd.Snapshot); err != nil {
			return err
		}
	}
	return h.n.WAL.Save(rd.HardState, rd.Entries, rd.MustSync)
}

func (h host) Send(msgs []raftimpl.Message) { h.e.Messages = append(h.e.Messages, msgs...) }

func (h host) Apply(rd *raftimpl.Ready) error {
	if !rd.Snapshot.IsEmpty() {
		h.n.Applied = decodeState(rd.Snapshot.Data)
	}
	for _, ent := range rd.CommittedEntries {
		if ent.Type == raftimpl.EntryNormal && len(ent.Data) > 0 {
			h.n.Applied = append(h.n.Applied, string(ent.Data))
		}
	}
	for _, rs := range rd.ReadStates {
		h.e.checkRead(h.n.ID, rs)
	}
	return nil
}

// blockedLink reports whether messages from -> to are cut.
func (e *Env) blockedLink(from, to raftimpl.NodeID) bool {
	for _, l := range e.blocked {
		if l == [2]raftimpl.NodeID{from, to} {
			return true
		}
	}
	return false
}

// Deliver steps every queued message matching f into its recipient, in
// queue order, printing each; unmatched messages stay queued.
func (e *Env) Deliver(f func(m raftimpl.Message) bool) int {
	var keep []raftimpl.Message
	queue := e.Messages
	e.Messages = nil
	n := 0
	for _, m := range queue {
		if !f(m) {
			keep = append(keep, m)
			continue
		}
		n++
		e.deliverOne(m)
	}
	// Stepping a message only queues replies inside the node; they reach
	// Messages at the node's next ProcessReady.
	assertf(len(e.Messages) == 0, "messages queued while delivering")
	e.Messages = keep
	return n
}

func (e *Env) deliverOne(m raftimpl.Message) {
	desc := ""
	if !e.quiet {
		desc = raftimpl.DescribeMessage(m)
	}
	to, err := e.node(m.To)
	switch {
	case err != nil:
		e.printf("%s DROPPED (no such node)\n", desc)
		return
	case to.Crashed:
		e.printf("%s DROPPED (%v is down)\n", desc, m.To)
		return
	case e.blockedLink(m.From, m.To):
		e.printf("%s DROPPED (partition)\n", desc)
		return
	}
	e.printf("%s\n", desc)
	if err := to.Step(m); err != nil && !e.quiet {
		e.printf("  error: %v\n", err)
	}
	e.check()
}

// decodeState and encodeState map the toy state machine to snapshot data.
func decodeState(b []byte) []string {
	if len(b) == 0 {
		return nil
	}
	return strings.Split(string(b), ",")
}

func encodeState(applied []string) []byte { return []byte(strings.Join(applied, ",")) }

func indent(s string) string {
	if s == "" {
		return ""
	}
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	return "  " + strings.Join(lines, "\n  ") + "\n"
}

func assertf(cond bool, format string, args ...any) {
	if !cond {
		panic(fmt.Sprintf("rafttest: assertion failed: "+format, args...))
	}
}

// errStabilizeBound is returned when stabilize does not settle.
var errStabilizeBound = errors.New("rafttest: stabilize did not settle")
