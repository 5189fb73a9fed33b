package raftimpl

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

// soloNode is a one-member cluster whose node leads term 1.
func soloNode(t *testing.T, id NodeID) (*Node, *MemoryStorage) {
	t.Helper()
	ms := NewMemoryStorage()
	n, err := New(Config{ID: id, Voters: []NodeID{id}, ElectionTicks: 10, HeartbeatTicks: 1,
		Rand: zeroRandInternal{}}, ms)
	require.NoError(t, err)
	require.NoError(t, n.Campaign())
	drain(n)
	require.Equal(t, RoleLeader, n.Role())
	return n, ms
}

type zeroRandInternal struct{}

func (zeroRandInternal) IntN(int) int { return 0 }

// drain handles Readies until the node has none: it persists and applies
// everything.
func drain(n *Node) {
	for n.HasReady() {
		n.Advance(n.Ready())
	}
}

// State Machine Safety must see an entry that a node applied and compacted
// away within one step: before, the checker read applied entries from the
// log, where they were gone, and never recorded them, so another node
// applying a different entry at that index went unreported.
func TestCheckerSeesEntriesCompactedAsTheyApply(t *testing.T) {
	c := NewChecker()
	a, ms := soloNode(t, 1)
	require.NoError(t, c.Observe([]*Node{a}))
	require.NoError(t, a.Propose([]byte("x")))
	drain(a)
	applied := a.r.log.applied
	require.NoError(t, ms.Compact(applied)) // the host compacts within the same step
	require.NoError(t, c.Observe([]*Node{a}))

	other := &nodeTrack{id: 2}
	// Another node applies something else at that index: a different term.
	err := c.checkApplied(other, []appliedEntry{{index: applied, term: 2}})
	require.True(t, errors.Is(err, ErrStateMachineSafety), "%v", err)
	require.NoError(t, c.checkApplied(other, []appliedEntry{{index: applied, term: 1}}))
}

// A node whose stored log runs past its unstable part's start cannot be
// read as one run; the checker reports it instead of panicking inside the
// log's slice.
func TestCheckerReportsAnUnreadableLog(t *testing.T) {
	c := NewChecker()
	a, ms := soloNode(t, 1)
	require.NoError(t, c.Observe([]*Node{a}))
	last := a.r.log.lastIndex()
	// Behind the node's back: the host appends to storage itself.
	require.NoError(t, ms.Append([]Entry{{Index: last + 1, Term: 1}}))
	a.r.log.noteChanged(last + 1)
	var err error
	require.NotPanics(t, func() { err = c.Observe([]*Node{a}) })
	require.True(t, errors.Is(err, ErrLogInconsistent), "%v", err)
}
