package raftimpl_test

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"

	"etcdsim/raftimpl"
)

// decodeMessages turns fuzz bytes into messages, 16 bytes each: type,
// from, to, term, log term, index, commit, reject, hint, entry count and
// the entries' term.
func decodeMessages(b []byte) []raftimpl.Message {
	var out []raftimpl.Message
	for ; len(b) >= 16; b = b[16:] {
		m := raftimpl.Message{
			Type:       raftimpl.MessageType(b[0] % 20),
			From:       raftimpl.NodeID(b[1] % 5),
			To:         raftimpl.NodeID(b[2] % 4),
			Term:       raftimpl.Term(b[3] % 8),
			LogTerm:    raftimpl.Term(b[4] % 8),
			Index:      raftimpl.LogIndex(binary.LittleEndian.Uint16(b[5:]) % 64),
			Commit:     raftimpl.LogIndex(binary.LittleEndian.Uint16(b[7:]) % 64),
			Reject:     b[9]&1 == 1,
			RejectHint: raftimpl.LogIndex(b[10] % 64),
			Context:    b[11:12],
		}
		for i := range int(b[12] % 4) {
			m.Entries = append(m.Entries, raftimpl.Entry{Term: raftimpl.Term(b[13] % 8),
				Index: m.Index + 1 + raftimpl.LogIndex(i), Data: b[14:16]})
		}
		if b[13]&0x80 != 0 {
			m.Snapshot = &raftimpl.Snapshot{Metadata: raftimpl.SnapshotMetadata{
				Index: m.Index, Term: m.LogTerm,
				ConfState: raftimpl.ConfState{Voters: []raftimpl.NodeID{1, 2, 3}}}}
		}
		out = append(out, m)
	}
	return out
}

// FuzzStep steps arbitrary messages into the members of a running cluster.
// Bad input may return errors but must never panic. (Safety under
// arbitrary input is not checked: a forged message from a "leader" can
// legitimately rewrite a follower's log; Raft assumes honest nodes.)
func FuzzStep(f *testing.F) {
	f.Add([]byte("0123456789abcdef0123456789abcdef"))
	f.Add([]byte{4, 1, 2, 1, 1, 1, 0, 5, 0, 0, 0, 'c', 2, 1, 'x', 'y'})
	f.Add([]byte{5, 2, 1, 1, 0, 9, 0, 0, 0, 1, 3, 'c', 0, 0, 0, 0})
	f.Add([]byte{10, 1, 3, 2, 1, 4, 0, 4, 0, 0, 0, 'c', 0, 0x81, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		env := newCluster(t, 3, nil)
		require.NoError(t, env.Nodes[0].Propose([]byte("a")))
		for _, m := range decodeMessages(data) {
			if m.To == 0 {
				continue
			}
			_ = env.Nodes[m.To-1].Step(m)
			for _, n := range env.Nodes {
				require.NoError(t, env.ProcessReady(n.ID))
			}
		}
	})
}

// FuzzUnmarshalConfChange decodes arbitrary bytes: an error or a change
// that encodes back to the same bytes, never a panic.
func FuzzUnmarshalConfChange(f *testing.F) {
	f.Add(raftimpl.ConfChange{Type: raftimpl.ConfChangeRemoveNode, NodeID: 3}.Marshal())
	f.Add([]byte{})
	f.Add([]byte{9, 0, 0, 0, 0, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		cc, err := raftimpl.UnmarshalConfChange(data)
		if err != nil {
			require.ErrorIs(t, err, raftimpl.ErrInvalidConfChange)
			return
		}
		require.Equal(t, data, cc.Marshal())
	})
}
