package raftimpl_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"etcdsim/raftimpl"
	"etcdsim/raftimpl/rafttest"
)

// newCluster returns a hand-driven cluster of n voters with node 1 leading.
func newCluster(t *testing.T, n int, modify func(*raftimpl.Config)) *rafttest.Env {
	t.Helper()
	env := rafttest.NewEnv()
	env.SetQuiet(true)
	cfg := raftimpl.Config{ElectionTicks: 10, HeartbeatTicks: 1}
	for i := range n {
		cfg.Voters = append(cfg.Voters, raftimpl.NodeID(i+1))
	}
	if modify != nil {
		modify(&cfg)
	}
	for range n {
		require.NoError(t, env.AddNode(cfg, rafttest.Seed{}))
	}
	require.NoError(t, env.Nodes[0].Campaign())
	require.NoError(t, env.Stabilize(ids(n)))
	require.Equal(t, raftimpl.RoleLeader, env.Nodes[0].Role())
	return env
}

func ids(n int) []raftimpl.NodeID {
	out := make([]raftimpl.NodeID, n)
	for i := range out {
		out[i] = raftimpl.NodeID(i + 1)
	}
	return out
}

// TestStepRejectsBadInput feeds malformed messages to a follower and a
// leader: each returns the documented error, changes nothing and never
// panics.
func TestStepRejectsBadInput(t *testing.T) {
	env := newCluster(t, 3, nil)
	leader, follower := env.Nodes[0], env.Nodes[1]
	msg := func(typ raftimpl.MessageType, from, to raftimpl.NodeID) raftimpl.Message {
		return raftimpl.Message{Type: typ, From: from, To: to, Term: 1}
	}
	gap := msg(raftimpl.MsgApp, 1, 2)
	gap.Index, gap.Entries = 1, []raftimpl.Entry{{Term: 1, Index: 5}}
	future := msg(raftimpl.MsgApp, 1, 2)
	future.Index, future.Entries = 4, []raftimpl.Entry{{Term: 7, Index: 5}}
	badType := msg(raftimpl.MsgApp, 1, 2)
	badType.Index, badType.Entries = 4, []raftimpl.Entry{{Term: 1, Index: 5, Type: 9}}
	noVoters := msg(raftimpl.MsgSnap, 1, 2)
	noVoters.Snapshot = &raftimpl.Snapshot{Metadata: raftimpl.SnapshotMetadata{Index: 9, Term: 1}}
	tests := []struct {
		name string
		node *rafttest.Node
		m    raftimpl.Message
		err  error
	}{
		{"local message", follower, msg(raftimpl.MsgHup, 1, 2), raftimpl.ErrStepLocalMsg},
		{"wrong recipient", follower, msg(raftimpl.MsgApp, 1, 3), raftimpl.ErrInvalidMessage},
		{"from none", follower, msg(raftimpl.MsgApp, 0, 2), raftimpl.ErrInvalidMessage},
		{"from self", follower, msg(raftimpl.MsgApp, 2, 2), raftimpl.ErrInvalidMessage},
		{"unknown type", follower, msg(99, 1, 2), raftimpl.ErrInvalidMessage},
		{"response from stranger", leader, msg(raftimpl.MsgAppResp, 9, 1),
			raftimpl.ErrStepPeerNotFound},
		{"gap in entries", follower, gap, raftimpl.ErrInvalidMessage},
		{"entry term above message", follower, future, raftimpl.ErrInvalidMessage},
		{"entry type unknown", follower, badType, raftimpl.ErrInvalidMessage},
		{"snapshot without data", follower, msg(raftimpl.MsgSnap, 1, 2),
			raftimpl.ErrInvalidMessage},
		{"snapshot without voters", follower, noVoters, raftimpl.ErrInvalidMessage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := tt.node.Status()
			require.ErrorIs(t, tt.node.Step(tt.m), tt.err)
			require.Equal(t, before, tt.node.Status())
		})
	}
}

// TestStepHandlesOutOfRange covers messages that are well formed but make
// no sense for the receiver's log: they are answered as the protocol says.
func TestStepHandlesOutOfRange(t *testing.T) {
	env := newCluster(t, 3, nil)
	leader, follower := env.Nodes[0], env.Nodes[1]
	last := follower.LastIndex()
	// An append far past our log is rejected with a hint, not applied.
	require.NoError(t, follower.Step(raftimpl.Message{Type: raftimpl.MsgApp, From: 1, To: 2,
		Term: 1, Index: 1000, LogTerm: 1, Commit: 2000}))
	require.Equal(t, last, follower.LastIndex())
	rd := follower.Ready()
	require.Len(t, rd.Messages, 1)
	require.True(t, rd.Messages[0].Reject)
	require.Equal(t, last, rd.Messages[0].RejectHint)
	follower.Advance(rd)
	// An acknowledgement of an index the leader never sent is ignored by
	// the progress (it only ever moves to what the follower proves).
	require.NoError(t, leader.Step(raftimpl.Message{Type: raftimpl.MsgAppResp, From: 2, To: 1,
		Term: 1, Index: 1}))
	// Only forwarded requests travel without a term.
	require.ErrorIs(t, follower.Step(raftimpl.Message{Type: raftimpl.MsgApp, From: 3, To: 2,
		Term: 0, Index: 0}), raftimpl.ErrInvalidMessage)
	// A leader never acknowledges or commits past what the receiver holds.
	require.ErrorIs(t, leader.Step(raftimpl.Message{Type: raftimpl.MsgAppResp, From: 2, To: 1,
		Term: 1, Index: 99}), raftimpl.ErrInvalidMessage)
	require.ErrorIs(t, follower.Step(raftimpl.Message{Type: raftimpl.MsgHeartbeat, From: 1,
		To: 2, Term: 1, Commit: 99}), raftimpl.ErrInvalidMessage)
	require.Equal(t, raftimpl.LogIndex(1), follower.CommitIndex())
	require.NoError(t, env.Violation())
}

func TestProposeErrors(t *testing.T) {
	env := newCluster(t, 3, func(c *raftimpl.Config) { c.MaxEntryBytes = 8 })
	leader, follower := env.Nodes[0], env.Nodes[1]
	require.ErrorIs(t, leader.Propose(make([]byte, 9)), raftimpl.ErrEntryTooLarge)
	require.ErrorIs(t, leader.ProposeBatch([][]byte{{1}, make([]byte, 9)}),
		raftimpl.ErrEntryTooLarge)
	require.NoError(t, leader.Propose(make([]byte, 8)))

	// A follower forwards to the leader it knows.
	require.NoError(t, follower.Propose([]byte("fwd")))
	rd := follower.Ready()
	require.Len(t, rd.Messages, 1)
	require.Equal(t, raftimpl.MsgProp, rd.Messages[0].Type)
	require.Equal(t, raftimpl.NodeID(1), rd.Messages[0].To)
	follower.Advance(rd)

	// Without a known leader, proposals are dropped.
	fresh := rafttest.NewEnv()
	fresh.SetQuiet(true)
	require.NoError(t, fresh.AddNode(raftimpl.Config{ElectionTicks: 10, HeartbeatTicks: 1,
		Voters: []raftimpl.NodeID{1, 2}}, rafttest.Seed{}))
	require.ErrorIs(t, fresh.Nodes[0].Propose([]byte("x")), raftimpl.ErrProposalDropped)
	require.ErrorIs(t, fresh.Nodes[0].ReadIndex([]byte("x")), raftimpl.ErrReadNotReady)

	// Invalid conf changes are refused before they reach the log.
	err := leader.ProposeConfChange(raftimpl.ConfChange{Type: raftimpl.ConfChangeAddNode})
	require.ErrorIs(t, err, raftimpl.ErrInvalidConfChange)
	err = leader.ProposeConfChange(raftimpl.ConfChange{Type: 9, NodeID: 4})
	require.ErrorIs(t, err, raftimpl.ErrInvalidConfChange)
	_, err = raftimpl.UnmarshalConfChange([]byte{1, 2})
	require.ErrorIs(t, err, raftimpl.ErrInvalidConfChange)
}

// TestReadyContract checks what a Ready asks for: MustSync exactly when
// the term, vote or entries changed, messages to send, and entries to
// apply only once committed.
func TestReadyContract(t *testing.T) {
	env := newCluster(t, 3, nil)
	leader := env.Nodes[0]
	require.False(t, leader.HasReady())
	require.NoError(t, leader.Propose([]byte("a")))
	rd := leader.Ready()
	require.True(t, rd.MustSync)
	require.Len(t, rd.Entries, 1)
	require.Empty(t, rd.CommittedEntries, "not committed before a follower acks")
	require.Len(t, rd.Messages, 2)
	env.Messages = append(env.Messages, rd.Messages...)
	leader.Advance(rd)
	require.NoError(t, env.Stabilize(ids(3)))
	require.Equal(t, leader.LastIndex(), leader.CommitIndex())
	require.Equal(t, leader.CommitIndex(), leader.AppliedIndex())

	// A heartbeat round changes no durable state: no sync needed.
	leader.Tick()
	rd = leader.Ready()
	require.False(t, rd.MustSync)
	require.NotEmpty(t, rd.Messages)
	leader.Advance(rd)

	// With reply-before-fsync planted, nothing is ever synced.
	buggy := newCluster(t, 3, func(c *raftimpl.Config) {
		c.Bugs = raftimpl.Bugs(0).With(raftimpl.BugReplyBeforeFsync)
	})
	require.NoError(t, buggy.Nodes[0].Propose([]byte("a")))
	rd = buggy.Nodes[0].Ready()
	require.NotEmpty(t, rd.Entries)
	require.False(t, rd.MustSync)
	buggy.Nodes[0].Advance(rd)
}

// TestDescribe pins the trace format of messages and entries.
func TestDescribe(t *testing.T) {
	m := raftimpl.Message{Type: raftimpl.MsgApp, From: 1, To: 2, Term: 3, LogTerm: 2, Index: 5,
		Commit: 4, Entries: []raftimpl.Entry{{Term: 3, Index: 6, Data: []byte("x y")},
			{Term: 3, Index: 7, Type: raftimpl.EntryConfChange,
				Data: raftimpl.ConfChange{NodeID: 4}.Marshal()}}}
	require.Equal(t, `1->2 MsgApp Term:3 Log:2/5 Commit:4 Entries:[3/6 "x y", 3/7 conf(add 4)]`,
		raftimpl.DescribeMessage(m))
	r := raftimpl.Message{Type: raftimpl.MsgAppResp, From: 2, To: 1, Term: 3, Index: 5,
		Reject: true, RejectHint: 3, LogTerm: 2}
	require.Equal(t, "2->1 MsgAppResp Term:3 Index:5 Rejected (Hint: 2/3)",
		raftimpl.DescribeMessage(r))
	require.True(t, strings.HasPrefix(raftimpl.MessageType(99).String(), "MsgType("))
}

// TestReadIndexHeldUntilLeaderCommits: a new leader's commit index may lag
// until its own empty entry commits, so a read that arrives before that is
// held, then served at an index that includes the entry (thesis §6.4).
func TestReadIndexHeldUntilLeaderCommits(t *testing.T) {
	c := newBenchCluster(t, 3)
	n2 := c.nodes[1]
	require.NoError(t, n2.Campaign())
	// Elect node 2 with node 3's vote only, without delivering its append.
	rd := n2.Ready()
	n2.Advance(rd)
	for _, m := range rd.Messages {
		if m.To == 3 {
			require.NoError(t, c.nodes[2].Step(m))
		}
	}
	rd3 := c.nodes[2].Ready()
	c.nodes[2].Advance(rd3)
	for _, m := range rd3.Messages {
		require.NoError(t, n2.Step(m))
	}
	require.Equal(t, raftimpl.RoleLeader, n2.Role())
	require.Less(t, n2.CommitIndex(), n2.LastIndex(), "its empty entry is not committed yet")

	require.NoError(t, n2.ReadIndex([]byte("early")))
	rd = n2.Ready()
	require.Empty(t, rd.ReadStates, "held until the leader commits in its term")
	c.queue = append(c.queue, rd.Messages...)
	n2.Advance(rd)
	c.settle()
	require.Len(t, c.reads, 1)
	require.Equal(t, "early", string(c.reads[0].RequestCtx))
	require.Equal(t, n2.LastIndex(), c.reads[0].Index)
}

// TestCheckerPrunes runs many entries through a cluster that snapshots:
// the checker's tables stay bounded by the uncompacted log.
func TestCheckerPrunes(t *testing.T) {
	c := newBenchCluster(t, 3)
	checker := raftimpl.NewChecker()
	payload := [][]byte{[]byte("x")}
	for i := range 20000 {
		require.NoError(t, c.nodes[0].ProposeBatch(payload))
		c.settle()
		if i%1000 == 999 {
			for _, n := range c.nodes {
				compactAll(t, n, c.storages[n.ID()-1])
			}
		}
		require.NoError(t, checker.Observe(c.nodes))
	}
	prefixes, applied := checker.Size()
	require.Less(t, prefixes, 8000)
	require.Less(t, applied, 8000)
}

func compactAll(t *testing.T, n *raftimpl.Node, ms *raftimpl.MemoryStorage) {
	at := n.AppliedIndex()
	_, err := ms.CreateSnapshot(at, n.Status().ConfState, nil)
	require.NoError(t, err)
	require.NoError(t, ms.Compact(at))
}
