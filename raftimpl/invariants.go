package raftimpl

import (
	"encoding/binary"
	"fmt"
)

// Checker observes every node after every step and checks the five safety
// properties of the Raft paper (Figure 3). It is incremental: each
// observation costs O(nodes) plus the entries written or applied since the
// last one.
//
// Memory: it keeps one prefix hash per distinct (index, term) and one
// identity per applied index, but only above the lowest point any node
// could re-read its log from (the smallest compacted index among all nodes
// ever seen): it grows with the uncompacted log, not with the run.
type Checker struct {
	// leaders maps each term to the leader seen in it (Election Safety).
	leaders map[Term]NodeID
	// prefix maps (index, term) to the hash of the log prefix ending at
	// that entry (Log Matching).
	prefix map[logPos]uint64
	// nodes tracks every node ever observed, in first-seen order; a
	// cluster has a handful, so a scan beats a map.
	nodes []*nodeTrack
	// commits records, for rising commit indexes, the entry's term and the
	// term in which the commit was observed (Leader Completeness).
	// Invariant: index and commitTerm both rise along the slice.
	commits []commitMark
	// applied[i-appliedBase] identifies the entry first applied at index i
	// (State Machine Safety); term 0 means unknown (entries have terms from
	// 1 on).
	applied     []entryID
	appliedBase LogIndex
	// prunedTo: prefix hashes and applied identities at or below it are
	// dropped. Invariant: prunedTo <= every node's floor.
	prunedTo LogIndex
	// observations counts Observe calls, to space out pruning.
	observations uint64
}

type logPos struct {
	index LogIndex
	term  Term
}

type commitMark struct {
	index      LogIndex
	entryTerm  Term
	commitTerm Term
}

// appliedEntry is an entry a node applied, as the node recorded it when it
// applied it (Node.applied), until the checker looks. It holds no pointer:
// recording costs no write barrier and keeps nothing alive.
type appliedEntry struct {
	index LogIndex
	term  Term
}

// entryID identifies an applied entry: its term and, when the checker
// hashed the entry as Log Matching does (prefix set), the prefix hash of
// the log ending at it. An entry that its node compacted before the
// checker looked has no prefix hash, and is compared with other nodes' by
// term only: Log Matching makes the term name the entry.
type entryID struct {
	term   Term
	hash   uint64
	prefix bool
}

// same reports whether two identities may name the same entry.
func (a entryID) same(b entryID) bool {
	return a.term == b.term && (!a.prefix || !b.prefix || a.hash == b.hash)
}

// nodeTrack is what the checker remembers of one node.
type nodeTrack struct {
	id   NodeID
	node *Node
	// hashes[k] is the prefix hash of entry base+k of node's log.
	base   LogIndex
	hashes []uint64
	// leaderTerm/leaderLast: the term this node led at the last
	// observation (0 if it did not) and its last index then.
	leaderTerm Term
	leaderLast LogIndex
	// floor is the node's first index - 1 when last seen: a restart or an
	// installed snapshot re-reads its log from no lower than this.
	floor LogIndex
}

// hashTrimSlack is how far a node's cached hashes may trail its first
// index before the checker drops the compacted part; pruneSlack is how far
// the global tables may trail every node's floor before they are pruned.
// Small slacks keep the tables that every observation touches small (they
// were 4096; at 512 the paced benchmark was 4% faster, within noise).
const (
	hashTrimSlack = 512
	pruneSlack    = 512
	pruneEvery    = 64
)

// NewChecker returns a checker that has seen nothing.
func NewChecker() *Checker {
	return &Checker{leaders: map[Term]NodeID{}, prefix: map[logPos]uint64{}}
}

// Observe checks the nodes' current states, in the given order. Crashed
// nodes are left out; a restarted node is a new *Node and is re-read in
// full. It returns an error wrapping the violated invariant's sentinel
// (ErrElectionSafety, ErrLeaderAppendOnly, ErrLogMatching,
// ErrLeaderCompleteness, ErrStateMachineSafety).
func (c *Checker) Observe(nodes []*Node) error {
	for _, n := range nodes {
		if err := c.observe(n); err != nil {
			return err
		}
	}
	// Pruning only bounds memory: looking every pruneEvery observations
	// instead of every one keeps the per-event cost to the nodes observed.
	if c.observations++; c.observations%pruneEvery == 0 {
		c.maybePrune()
	}
	return nil
}

// maybePrune drops global entries that no node can compare against again:
// those below the lowest floor of all nodes ever seen, crashed ones
// included (a restart re-reads from its snapshot, at or above its floor).
func (c *Checker) maybePrune() {
	low := LogIndex(0)
	first := true
	for _, t := range c.nodes {
		if first || t.floor < low {
			low, first = t.floor, false
		}
	}
	if low < c.prunedTo+pruneSlack {
		return
	}
	// Keep (low, term): a node reseeds its hash chain there.
	for pos := range c.prefix { //det:ok deleting; order cannot matter
		if pos.index < low {
			delete(c.prefix, pos)
		}
	}
	drop := min(low-c.appliedBase, LogIndex(len(c.applied)))
	c.applied = c.applied[:copy(c.applied, c.applied[drop:])] // private: reuse the array
	c.appliedBase = low
	c.prunedTo = low
}

func (c *Checker) observe(n *Node) error {
	t := c.track(n.r.id)
	from := n.r.log.takeChangedFrom()
	if t.node != n {
		// First sight of this node, or of a new incarnation: read it all.
		*t = nodeTrack{id: n.r.id, node: n}
		from = n.r.log.firstIndex()
		n.recordApplied = true
	}
	t.floor = n.r.log.firstIndex() - 1
	// Most observations find nothing new to hash, commit or apply: test
	// for that here, where it costs no call.
	if from != 0 {
		if err := c.checkLogMatching(t, from); err != nil {
			return err
		}
	}
	if err := c.checkLeader(t, from); err != nil {
		return err
	}
	if k := len(c.commits); k == 0 || n.r.log.committed > c.commits[k-1].index {
		c.noteCommit(n)
	}
	if len(n.applied) > 0 {
		err := c.checkApplied(t, n.applied)
		n.applied = n.applied[:0]
		return err
	}
	return nil
}

// track returns the track of node id, adding an empty one if new.
func (c *Checker) track(id NodeID) *nodeTrack {
	for _, t := range c.nodes {
		if t.id == id {
			return t
		}
	}
	t := &nodeTrack{id: id}
	c.nodes = append(c.nodes, t)
	return t
}

// Size reports how many prefix hashes and applied identities the checker
// holds, to watch its memory in long runs.
func (c *Checker) Size() (prefixes, applied int) { return len(c.prefix), len(c.applied) }

// entryHash mixes one entry into a prefix hash: FNV-1a's step over 64-bit
// words (eight data bytes at a time, the length folded in), then a shift
// so that high bits reach low ones.
func entryHash(h uint64, e *Entry) uint64 {
	h = hashStep(h, uint64(e.Index))
	h = hashStep(h, uint64(e.Term))
	h = hashStep(h, uint64(e.Type)<<32|uint64(len(e.Data)))
	d := e.Data
	for ; len(d) >= 8; d = d[8:] {
		h = hashStep(h, binary.LittleEndian.Uint64(d))
	}
	var tail uint64
	for i, b := range d {
		tail |= uint64(b) << (8 * i)
	}
	return hashStep(h, tail)
}

func hashStep(h, x uint64) uint64 {
	h = (h ^ x) * 1099511628211
	return h ^ h>>29
}

// checkLogMatching hashes the entries written since from and compares each
// prefix hash with any other log's at the same (index, term).
func (c *Checker) checkLogMatching(t *nodeTrack, from LogIndex) error {
	l := t.node.r.log
	start := max(from, l.firstIndex())
	if start > l.lastIndex() {
		start = l.lastIndex() + 1
	}
	// Re-seed from the entry before start when the cached hashes do not
	// cover it, or when entries changed below the first index: a conflict
	// replaced them and a compaction removed them within one observation,
	// so the cached hash of start-1 belongs to the replaced entry.
	if len(t.hashes) == 0 || start-1 < t.base || start-1 >= t.base+LogIndex(len(t.hashes)) ||
		from < l.firstIndex() {
		pos := logPos{start - 1, l.termOrZero(start - 1)}
		seed, ok := c.prefix[pos]
		if !ok {
			seed = entryHash(0, &Entry{Index: pos.index, Term: pos.term})
		}
		t.base, t.hashes = start-1, append(t.hashes[:0], seed)
	} else {
		t.hashes = t.hashes[:start-t.base]
	}
	if err := l.readable(start); err != nil {
		return fmt.Errorf("node %v: %w", t.id, err)
	}
	ents, err := l.slice(start, l.lastIndex()+1, noLimit)
	if err != nil {
		return fmt.Errorf("%w: node %v: entries [%v, %v]: %v", ErrLogInconsistent, t.id,
			start, l.lastIndex(), err)
	}
	for i := range ents {
		e := &ents[i]
		h := entryHash(t.hashes[len(t.hashes)-1], e)
		pos := logPos{e.Index, e.Term}
		if old, ok := c.prefix[pos]; !ok {
			c.prefix[pos] = h
		} else if old != h {
			return fmt.Errorf("%w: node %v entry %v/%v has a different prefix than another log",
				ErrLogMatching, t.node.r.id, e.Index, e.Term)
		}
		t.hashes = append(t.hashes, h)
	}
	if first := l.firstIndex(); first-1 > t.base+hashTrimSlack {
		drop := min(first-1-t.base, LogIndex(len(t.hashes)-1))
		t.hashes = t.hashes[:copy(t.hashes, t.hashes[drop:])] // private: reuse the array
		t.base += drop
	}
	return nil
}

// checkLeader checks Election Safety, Leader Append-Only, and, when a node
// is first seen leading a term, Leader Completeness.
func (c *Checker) checkLeader(t *nodeTrack, from LogIndex) error {
	r := t.node.r
	if r.role != RoleLeader {
		t.leaderTerm = 0
		return nil
	}
	if t.leaderTerm == r.term {
		// Seen leading this term before: Election Safety and Leader
		// Completeness were checked then.
		if from != 0 && from <= t.leaderLast {
			return fmt.Errorf("%w: leader %v of term %v rewrote its log from index %v (last was %v)",
				ErrLeaderAppendOnly, r.id, r.term, from, t.leaderLast)
		}
	} else {
		if other, ok := c.leaders[r.term]; ok && other != r.id {
			return fmt.Errorf("%w: term %v has leaders %v and %v",
				ErrElectionSafety, r.term, other, r.id)
		}
		c.leaders[r.term] = r.id
		if err := c.checkCompleteness(t); err != nil {
			return err
		}
	}
	t.leaderTerm, t.leaderLast = r.term, r.log.lastIndex()
	return nil
}

// checkCompleteness checks that a new leader holds the latest entry
// committed in an earlier term (Log Matching covers the prefix before it).
func (c *Checker) checkCompleteness(t *nodeTrack) error {
	r := t.node.r
	for k := len(c.commits) - 1; k >= 0; k-- {
		m := c.commits[k]
		if m.commitTerm >= r.term {
			continue
		}
		if m.index+1 < r.log.firstIndex() {
			return nil // inside the leader's snapshot, hence present
		}
		if got, err := r.log.term(m.index); err != nil || got != m.entryTerm {
			return fmt.Errorf("%w: leader %v of term %v lacks entry %v/%v committed in term %v",
				ErrLeaderCompleteness, r.id, r.term, m.index, m.entryTerm, m.commitTerm)
		}
		return nil
	}
	return nil
}

// noteCommit records n's commit index, higher than any seen before.
func (c *Checker) noteCommit(n *Node) {
	r := n.r
	ci := r.log.committed
	m := commitMark{index: ci, entryTerm: r.log.termOrZero(ci), commitTerm: r.term}
	if k := len(c.commits) - 1; k >= 0 && c.commits[k].commitTerm >= m.commitTerm {
		m.commitTerm = c.commits[k].commitTerm
		c.commits[k] = m
		return
	}
	c.commits = append(c.commits, m)
}

// checkApplied compares the entries a node applied since the last look with
// what any node applied at the same indexes. The node recorded them as it
// applied them (Node.applied): the host may have compacted them since.
func (c *Checker) checkApplied(t *nodeTrack, ents []appliedEntry) error {
	for i := range ents {
		e := &ents[i]
		if e.index < c.appliedBase {
			continue // pruned: every node's log starts past it
		}
		id := entryID{term: e.term}
		if e.index > t.base && e.index < t.base+LogIndex(len(t.hashes)) {
			id.hash, id.prefix = t.hashes[e.index-t.base], true
		}
		k := e.index - c.appliedBase
		for LogIndex(len(c.applied)) <= k {
			c.applied = append(c.applied, entryID{})
		}
		if old := c.applied[k]; old.term != 0 && !old.same(id) {
			return fmt.Errorf("%w: node %v applied entry %v of term %v, "+
				"another node one of term %v", ErrStateMachineSafety, t.id, e.index, e.term, old.term)
		}
		if c.applied[k].term == 0 || (id.prefix && !c.applied[k].prefix) {
			c.applied[k] = id
		}
	}
	return nil
}
