package sim

import (
	"fmt"
	"strings"
)

// Kind says what a trace record reports.
type Kind uint8

// Trace record kinds. Their numeric values enter the trace hash: append new
// kinds at the end and never renumber.
const (
	KindSend      Kind = iota + 1 // a node sent a message
	KindDeliver                   // a message reached its destination
	KindDrop                      // the network or a crash lost a message
	KindDuplicate                 // the network made a second copy
	KindHold                      // a message was held for a scripted test
	KindRelease                   // a held message was let go
	KindTimer                     // a node's timer fired
	KindCall                      // a world-level callback ran
	KindStart                     // a node started for the first time
	KindCrash                     // a node crashed
	KindRestart                   // a node restarted from its disk
	KindPartition                 // the set of blocked links changed
	KindHeal                      // every link was unblocked
	KindSync                      // a node synced a file
	KindLog                       // a node (or the world) logged a line
	KindClock                     // a node's clock offset or drift changed
	KindNetwork                   // network settings changed
)

var kindNames = [...]string{
	KindSend: "send", KindDeliver: "deliver", KindDrop: "drop",
	KindDuplicate: "duplicate", KindHold: "hold", KindRelease: "release",
	KindTimer: "timer", KindCall: "call", KindStart: "start", KindCrash: "crash",
	KindRestart: "restart", KindPartition: "partition", KindHeal: "heal",
	KindSync: "sync", KindLog: "log", KindClock: "clock", KindNetwork: "network",
}

// String returns the kind's name as it appears in printed traces.
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Record is one trace event. Only the fields that matter for its Kind are
// set; the zero value of the others is part of the canonical encoding.
type Record struct {
	Seq   uint64 // 1-based position in the trace
	Time  Time   // true virtual time
	Kind  Kind
	Node  NodeID // where it happened (receiver for deliveries); WorldID: the world
	Peer  NodeID // the other end of a message
	MsgID uint64 // message number, for message kinds
	Size  int    // message bytes, or file bytes for sync
	Text  string // log text, drop reason, file name, or callback label
}

// String prints the record on one line: time, node, kind, then details.
func (r Record) String() string {
	var b strings.Builder
	who := "world"
	if r.Node != WorldID {
		who = r.Node.String()
	}
	fmt.Fprintf(&b, "%s %s %s", r.Time, who, r.Kind)
	switch r.Kind {
	case KindSend, KindDuplicate, KindHold, KindRelease:
		fmt.Fprintf(&b, " ->%s #%d %dB", r.Peer, r.MsgID, r.Size)
	case KindDeliver, KindDrop:
		fmt.Fprintf(&b, " <-%s #%d %dB", r.Peer, r.MsgID, r.Size)
	case KindSync:
		fmt.Fprintf(&b, " %dB", r.Size)
	}
	if r.Text != "" {
		b.WriteString(" ")
		b.WriteString(r.Text)
	}
	return b.String()
}

// Trace hashes every record and optionally keeps them.
type Trace struct {
	// lanes are three hash chains over disjoint fields of every record:
	// the CPU runs them side by side, where one chain of seven multiplies
	// stalled on each. Hash combines them; each is in record order, so
	// together they cover every field of every record, in order.
	lanes [3]uint64
	count uint64
	// keepMax bounds retained records; 0 keeps none.
	keepMax   int
	kept      []Record
	truncated bool
	sink      func(Record)
}

// hashOffset and hashPrime are FNV-1a's 64-bit constants; the mixing step
// below folds in a whole word at a time and then diffuses it.
const (
	hashOffset = 0xcbf29ce484222325
	hashPrime  = 0x100000001b3
)

func mix(h, v uint64) uint64 {
	h = (h ^ v) * hashPrime
	return h ^ (h >> 31)
}

// add appends r to the trace. The canonical encoding is the fixed sequence
// of fields below, split over the lanes; the text is folded in byte by
// byte after its length (which shares a word with the kind, a byte).
func (t *Trace) add(r Record) {
	t.count++
	r.Seq = t.count
	t.lanes[0] = mix(mix(t.lanes[0], uint64(r.Time)), uint64(r.Kind)|uint64(len(r.Text))<<8)
	t.lanes[1] = mix(mix(t.lanes[1], uint64(r.Node)), uint64(r.Peer))
	c := mix(mix(t.lanes[2], r.MsgID), uint64(r.Size))
	for i := 0; i < len(r.Text); i++ {
		c = mix(c, uint64(r.Text[i]))
	}
	t.lanes[2] = c
	if len(t.kept) < t.keepMax {
		t.kept = append(t.kept, r)
	} else if t.keepMax > 0 {
		t.truncated = true
	}
	if t.sink != nil {
		t.sink(r)
	}
}

// Hash returns the running hash of every record so far. Two runs of the
// same seed and scenario MUST produce equal hashes.
func (t *Trace) Hash() uint64 {
	return mix(mix(mix(hashOffset, t.lanes[0]), t.lanes[1]), t.lanes[2])
}

// Len returns how many records the trace has seen.
func (t *Trace) Len() uint64 { return t.count }

// Records returns the retained records (at most Options.TraceKeep) and
// whether later ones were left out. The slice MUST NOT be modified.
func (t *Trace) Records() ([]Record, bool) { return t.kept, t.truncated }

// SetSink makes every future record also go to fn, e.g. to print a trace
// while it happens. nil removes the sink.
func (t *Trace) SetSink(fn func(Record)) { t.sink = fn }
