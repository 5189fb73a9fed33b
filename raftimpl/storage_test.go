package raftimpl_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"etcdsim/raftimpl"
)

func ents(term raftimpl.Term, lo, hi raftimpl.LogIndex) []raftimpl.Entry {
	var out []raftimpl.Entry
	for i := lo; i <= hi; i++ {
		out = append(out, raftimpl.Entry{Term: term, Index: i, Data: []byte{byte(i)}})
	}
	return out
}

func TestMemoryStorage(t *testing.T) {
	ms := raftimpl.NewMemoryStorage()
	require.NoError(t, ms.Append(ents(1, 1, 5)))
	require.Equal(t, raftimpl.LogIndex(1), ms.FirstIndex())
	require.Equal(t, raftimpl.LogIndex(5), ms.LastIndex())

	held, err := ms.Entries(2, 6, ^uint64(0))
	require.NoError(t, err)
	require.Len(t, held, 4)

	// A conflicting append replaces the tail; slices handed out before
	// keep their contents.
	require.NoError(t, ms.Append(ents(2, 4, 6)))
	require.Equal(t, raftimpl.Term(1), held[2].Term, "old slice must not change")
	tm, err := ms.Term(4)
	require.NoError(t, err)
	require.Equal(t, raftimpl.Term(2), tm)
	require.ErrorIs(t, ms.Append(ents(2, 9, 9)), raftimpl.ErrUnavailable)

	// Size limit: at least one entry.
	one, err := ms.Entries(1, 7, 1)
	require.NoError(t, err)
	require.Len(t, one, 1)

	_, err = ms.Entries(1, 8, 100)
	require.ErrorIs(t, err, raftimpl.ErrUnavailable)
	_, err = ms.Term(7)
	require.ErrorIs(t, err, raftimpl.ErrUnavailable)

	cs := raftimpl.ConfState{Voters: []raftimpl.NodeID{1, 2, 3}}
	snap, err := ms.CreateSnapshot(4, cs, []byte("state"))
	require.NoError(t, err)
	require.Equal(t, raftimpl.Term(2), snap.Metadata.Term)
	_, err = ms.CreateSnapshot(3, cs, nil)
	require.ErrorIs(t, err, raftimpl.ErrSnapOutOfDate)
	require.NoError(t, ms.Compact(4))
	require.ErrorIs(t, ms.Compact(4), raftimpl.ErrCompacted)
	require.ErrorIs(t, ms.Compact(99), raftimpl.ErrUnavailable)
	require.Equal(t, raftimpl.LogIndex(5), ms.FirstIndex())
	_, err = ms.Entries(4, 6, 100)
	require.ErrorIs(t, err, raftimpl.ErrCompacted)
	_, err = ms.Term(3)
	require.ErrorIs(t, err, raftimpl.ErrCompacted)
	tm, err = ms.Term(4)
	require.NoError(t, err)
	require.Equal(t, raftimpl.Term(2), tm, "the compacted index keeps its term")

	// Appending before the first index ignores the compacted part.
	require.NoError(t, ms.Append(ents(2, 3, 7)))
	require.Equal(t, raftimpl.LogIndex(7), ms.LastIndex())

	require.ErrorIs(t, ms.ApplySnapshot(snap), raftimpl.ErrSnapOutOfDate)
	newer := raftimpl.Snapshot{Metadata: raftimpl.SnapshotMetadata{Index: 10, Term: 3,
		ConfState: cs}}
	require.NoError(t, ms.ApplySnapshot(newer))
	require.Equal(t, raftimpl.LogIndex(11), ms.FirstIndex())
	require.Equal(t, raftimpl.LogIndex(10), ms.LastIndex())
	_, got := ms.InitialState()
	require.Equal(t, cs, got)
}
