package cluster

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"

	"etcdsim/raftimpl"
)

// stateMachine is what a member applies the committed log to: the seam
// between the Ready loop, which knows no KV, and the store behind it
// (statemachine_mvcc.go). Implementations apply each index at most once
// and remember the last one applied, so that replaying the log after a
// restart (or over a store that outlived the crash on its own file) is
// harmless.
type stateMachine interface {
	// apply applies the command payload committed at index and returns
	// its result for the client that waits on it.
	// BEFORE: index == appliedIndex()+1.
	apply(index raftimpl.LogIndex, payload []byte) any
	// skip consumes index without effect: an empty or configuration
	// entry, or a command its session has seen.
	skip(index raftimpl.LogIndex)
	// appliedIndex is the last index applied or skipped.
	appliedIndex() raftimpl.LogIndex
	// snapshot encodes the whole state at appliedIndex().
	snapshot() ([]byte, error)
	// restore replaces the whole state with a snapshot's, refusing a
	// damaged one without changing anything.
	restore(data []byte) error
	// crash drops what a crash loses (an unsynced batch) and releases the
	// store; the machine is unusable afterwards.
	crash()
}

// sessions sits in front of the state machine and applies each client
// command once, as the Raft thesis' client sessions do (§6.3): a client
// numbers its requests and has one outstanding, so the last applied seq
// per client tells a duplicate. etcd has no sessions because its transport
// never duplicates a proposal; the simulated network does (and a follower
// forwards a proposal as a message), so without them a duplicated
// MsgProp would apply twice.
//
// The table is part of the replicated state: its snapshot travels with the
// store's, and replaying the log rebuilds it exactly.
type sessions struct {
	sm stateMachine
	// last maps a client to the last seq applied for it.
	last map[uint64]uint64
	// members is the cluster's membership (member_list.go), replicated
	// with the table: configuration changes and published attributes.
	members *memberList
}

// newSessions returns empty sessions with an empty membership; a member
// sets its cluster's bootstrap membership before applying.
func newSessions(sm stateMachine) *sessions {
	return &sessions{sm: sm, last: map[uint64]uint64{}, members: newMemberList(0)}
}

// apply applies the committed entry at index. It returns the result and
// whether the command took effect now (false for a duplicate, an entry
// without a command, or one the store applied before a restart).
func (s *sessions) apply(e *raftimpl.Entry) (c command, result any, applied bool, err error) {
	if e.Type == raftimpl.EntryConfChange {
		s.skipOrTrack(e.Index)
		return c, nil, false, s.applyConfChange(e) // member_cluster.go
	}
	if e.Type != raftimpl.EntryNormal || len(e.Data) == 0 {
		s.skipOrTrack(e.Index)
		return c, nil, false, nil
	}
	c, err = decodeCommand(e.Data)
	if err != nil {
		s.skipOrTrack(e.Index)
		return c, nil, false, fmt.Errorf("entry %v: %w", e.Index, err)
	}
	if c.client == memberAttrClient {
		s.skipOrTrack(e.Index)
		return c, nil, false, s.applyAttributes(e.Index, c.payload) // member_cluster.go
	}
	if c.seq != 0 {
		if last, ok := s.last[c.client]; ok && c.seq <= last {
			s.skipOrTrack(e.Index)
			return c, nil, false, nil
		}
		s.last[c.client] = c.seq
	}
	if e.Index <= s.sm.appliedIndex() {
		return c, nil, false, nil // the store's own file kept it
	}
	return c, s.sm.apply(e.Index, c.payload), true, nil
}

// skipOrTrack skips index in the store unless the store is past it.
func (s *sessions) skipOrTrack(index raftimpl.LogIndex) {
	if index > s.sm.appliedIndex() {
		s.sm.skip(index)
	}
}

// snapshot frames the membership and the session table before the
// store's snapshot:
//
//	member section | uvarint n | n × (uvarint client, uvarint seq) |
//	crc32c of the table u32 | store snapshot
//
// The member section (member_list.go) and the store's snapshot carry
// their own checksums.
func (s *sessions) snapshot() ([]byte, error) {
	head := s.members.appendMemberSection(nil)
	buf := binary.AppendUvarint(nil, uint64(len(s.last)))
	for _, client := range sortedKeys(s.last) {
		buf = binary.AppendUvarint(buf, client)
		buf = binary.AppendUvarint(buf, s.last[client])
	}
	buf = binary.BigEndian.AppendUint32(buf, crc32.Checksum(buf, castagnoli))
	store, err := s.sm.snapshot()
	if err != nil {
		return nil, err
	}
	return append(append(head, buf...), store...), nil
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// restore replaces sessions and store from a snapshot; an empty snapshot
// (a member that never took one) leaves both empty. Nothing changes when
// either part is damaged.
func (s *sessions) restore(data []byte) error {
	if len(data) == 0 {
		return nil
	}
	members, data, err := decodeMemberSection(data)
	if err != nil {
		return err
	}
	last, rest, err := decodeSessions(data)
	if err != nil {
		return err
	}
	if err := s.sm.restore(rest); err != nil {
		return err
	}
	s.last, s.members = last, members
	return nil
}

// restoreSessions takes only the membership and the session table from a
// snapshot, for a store that kept its own state (a bbolt file) at or past
// the snapshot: replaying the log from the snapshot on brings both level
// with the store (apply updates them even for entries the store has).
func (s *sessions) restoreSessions(data []byte) error {
	if len(data) == 0 {
		return nil
	}
	members, data, err := decodeMemberSection(data)
	if err != nil {
		return err
	}
	last, _, err := decodeSessions(data)
	if err != nil {
		return err
	}
	s.last, s.members = last, members
	return nil
}

// sessionsMax bounds the clients a snapshot may name (the cluster's
// client limit, plus the lessor).
const sessionsMax = 1 << 16

func decodeSessions(data []byte) (map[uint64]uint64, []byte, error) {
	bad := func(what string) error { return fmt.Errorf("%w: snapshot sessions: %s", errBadCommand, what) }
	n, off := binary.Uvarint(data)
	if off <= 0 || n > sessionsMax {
		return nil, nil, bad("count")
	}
	last := make(map[uint64]uint64, n)
	for range n {
		client, a := binary.Uvarint(data[off:])
		if a <= 0 {
			return nil, nil, bad("client")
		}
		seq, b := binary.Uvarint(data[off+a:])
		if b <= 0 {
			return nil, nil, bad("seq")
		}
		last[client] = seq
		off += a + b
	}
	if len(data) < off+4 {
		return nil, nil, bad("checksum missing")
	}
	if crc32.Checksum(data[:off], castagnoli) != binary.BigEndian.Uint32(data[off:]) {
		return nil, nil, bad("checksum mismatch")
	}
	return last, data[off+4:], nil
}
