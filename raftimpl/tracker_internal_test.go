package raftimpl

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"etcdsim/testdata/proptest"
)

// TestCommittedIsQuorumMedian compares tracker.committed with a naive
// reference: the largest index that at least a majority of voters hold.
func TestCommittedIsQuorumMedian(t *testing.T) {
	proptest.Check(t, 10000, func(rt *rapid.T) {
		n := rapid.IntRange(1, 9).Draw(rt, "voters")
		matches := rapid.SliceOfN(rapid.Uint64Range(0, 20), n, n).Draw(rt, "matches")
		cs := ConfState{}
		for i := range n {
			cs.Voters = append(cs.Voters, NodeID(i+1))
		}
		cs.Learners = []NodeID{NodeID(n + 1)}
		trk := newTracker(cs)
		for i, m := range matches {
			trk.progress(NodeID(i + 1)).Match = LogIndex(m)
		}
		trk.progress(NodeID(n + 1)).Match = 100 // learners never count
		var want LogIndex
		for _, c := range matches {
			holders := 0
			for _, m := range matches {
				if m >= c {
					holders++
				}
			}
			if holders > n/2 {
				want = max(want, LogIndex(c))
			}
		}
		require.Equal(rt, want, trk.committed())
	})
}

// TestTallyVotes checks election outcomes against the majority rule.
func TestTallyVotes(t *testing.T) {
	proptest.Check(t, 10000, func(rt *rapid.T) {
		n := rapid.IntRange(1, 7).Draw(rt, "voters")
		cs := ConfState{}
		for i := range n {
			cs.Voters = append(cs.Voters, NodeID(i+1))
		}
		trk := newTracker(cs)
		answers := rapid.SliceOfN(rapid.IntRange(0, 2), n, n).Draw(rt, "answers")
		yes, no := 0, 0
		for i, a := range answers {
			switch a {
			case 1:
				trk.recordVote(NodeID(i+1), true)
				yes++
			case 2:
				trk.recordVote(NodeID(i+1), false)
				no++
			}
		}
		g, r, res := trk.tallyVotes()
		require.Equal(rt, yes, g)
		require.Equal(rt, no, r)
		switch {
		case yes > n/2:
			require.Equal(rt, voteWon, res)
		case n-no <= n/2:
			require.Equal(rt, voteLost, res)
		default:
			require.Equal(rt, votePending, res)
		}
		require.True(rt, slices.IsSorted(trk.ids))
	})
}
