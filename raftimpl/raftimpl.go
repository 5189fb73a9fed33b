package raftimpl

import "fmt"

// Node is one Raft member as a pure state machine, after etcd's RawNode.
// Inputs: Tick, Step, Propose, ProposeConfChange, ReadIndex,
// TransferLeadership. Output: Ready, acknowledged with Advance.
//
// Contract: the host MUST NOT call any input method between Ready and
// Advance, and MUST call Advance with the Ready it was given.
type Node struct {
	r        *raft
	prevSoft SoftState
	// prevHard is the hard state the host last persisted.
	prevHard HardState
	// recordApplied is set once a Checker observes the node; then applied
	// lists the entries applied since it last looked. They are recorded as
	// they are applied, because the host may compact them away before the
	// checker looks (State Machine Safety would not see them).
	recordApplied bool
	applied       []appliedEntry
	// handling is the Ready HandleReady is handing to its host, empty
	// otherwise.
	handling Ready
}

// New returns a node over storage. An empty storage starts a new member of
// cfg.Voters/Learners; a storage filled from the WAL restarts one. It
// returns an error wrapping ErrInvalidConfig for a bad config or storage.
func New(cfg Config, storage *MemoryStorage) (*Node, error) {
	r, err := newRaft(cfg, storage)
	if err != nil {
		return nil, err
	}
	hs, _ := storage.InitialState()
	return &Node{r: r, prevSoft: SoftState{Role: r.role}, prevHard: hs}, nil
}

// Tick advances the node's logical clock by one tick.
func (n *Node) Tick() {
	n.r.tick(n.r)
	n.r.checkInvariants()
}

// Campaign makes the node start an election now (as if its timer fired).
func (n *Node) Campaign() error { return n.r.Step(&Message{Type: MsgHup, From: n.r.id}) }

// Step handles a message from the network. A malformed message (wrong
// recipient, no term, entries out of sequence, a local type) returns
// ErrInvalidMessage or ErrStepLocalMsg and changes nothing; a response from
// a non-member returns ErrStepPeerNotFound. A well-formed message that
// claims more than the receiver holds (an acknowledgement or a heartbeat
// commit index past its last index) returns ErrInvalidMessage after the
// term rules have run. Stale messages are ignored without error.
func (n *Node) Step(m Message) error {
	if err := n.r.validMessage(&m); err != nil {
		return err
	}
	err := n.r.Step(&m)
	n.r.checkInvariants()
	return err
}

// Propose asks the cluster to append data. On a follower it is forwarded to
// the known leader. It returns ErrProposalDropped without a leader and
// ErrEntryTooLarge above Config.MaxEntryBytes.
func (n *Node) Propose(data []byte) error {
	if uint64(len(data)) > n.r.cfg.MaxEntryBytes {
		return fmt.Errorf("%w: %d bytes > %d", ErrEntryTooLarge, len(data), n.r.cfg.MaxEntryBytes)
	}
	return n.r.Step(&Message{Type: MsgProp, From: n.r.id,
		Entries: []Entry{{Type: EntryNormal, Data: data}}})
}

// ProposeConfChange proposes a membership change; it takes effect on each
// node when the node's host has applied its entry (Advance). It returns
// ErrConfChangePending while an earlier change is unapplied (on the leader).
func (n *Node) ProposeConfChange(cc ConfChange) error {
	if _, err := UnmarshalConfChange(cc.Marshal()); err != nil {
		return err
	}
	return n.r.Step(&Message{Type: MsgProp, From: n.r.id,
		Entries: []Entry{{Type: EntryConfChange, Data: cc.Marshal()}}})
}

// ReadIndex requests a read index for ctx, which MUST be unique among
// pending reads. The answer arrives as a ReadState in a later Ready. It
// returns ErrReadNotReady when no leader can serve it now.
func (n *Node) ReadIndex(ctx []byte) error {
	return n.r.Step(&Message{Type: MsgReadIndex, From: n.r.id, Context: ctx})
}

// TransferLeadership asks the leader (directly or forwarded) to hand over
// to the voter to (thesis §3.10).
func (n *Node) TransferLeadership(to NodeID) error {
	if !n.r.trk.isVoter(to) {
		return fmt.Errorf("%w: transfer target %v is not a voter", ErrProposalDropped, to)
	}
	return n.r.Step(&Message{Type: MsgTransferLeader, From: to})
}

// HasReady reports whether Ready would ask the host to do anything.
func (n *Node) HasReady() bool {
	r := n.r
	return SoftState{Lead: r.lead, Role: r.role} != n.prevSoft ||
		r.hardState() != n.prevHard || len(r.msgs) > 0 ||
		len(r.log.unstable.entries) > 0 || r.log.unstable.snapshot != nil ||
		len(r.readStates) > 0 || r.log.hasNextCommittedEnts(r.cfg.Bugs)
}

// Ready returns what the host must persist, send and apply (see Ready for
// the order and ownership). Call Advance after handling it.
func (n *Node) Ready() Ready {
	r := n.r
	rd := Ready{
		Entries:          r.log.unstableEntries(),
		CommittedEntries: r.log.nextCommittedEnts(r.cfg.Bugs),
		Messages:         r.msgs,
		ReadStates:       r.readStates,
	}
	if (SoftState{Lead: r.lead, Role: r.role}) != n.prevSoft {
		// Allocated only on a change: the common Ready carries none.
		rd.SoftState = &SoftState{Lead: r.lead, Role: r.role}
	}
	if hs := r.hardState(); hs != n.prevHard {
		rd.HardState = hs
	}
	if s := r.log.unstable.snapshot; s != nil {
		rd.Snapshot = *s
	}
	rd.MustSync = mustSync(r.hardState(), n.prevHard, len(rd.Entries)) || !rd.Snapshot.IsEmpty()
	if r.cfg.Bugs.Has(BugReplyBeforeFsync) {
		rd.MustSync = false
	}
	return rd
}

// Advance records that the host has handled rd: persisted state moves to
// storage, applied entries advance the applied index, and committed
// configuration changes take effect.
func (n *Node) Advance(rd Ready) {
	r := n.r
	if rd.SoftState != nil {
		n.prevSoft = *rd.SoftState
	}
	if !rd.HardState.IsEmpty() {
		n.prevHard = rd.HardState
		r.log.storage.SetHardState(rd.HardState)
	}
	if !rd.Snapshot.IsEmpty() {
		err := r.log.storage.ApplySnapshot(rd.Snapshot)
		if err != nil {
			panicf("apply snapshot %v: %v", rd.Snapshot.Metadata.Index, err)
		}
		r.log.unstable.stableSnapTo(rd.Snapshot.Metadata.Index)
		r.log.appliedTo(rd.Snapshot.Metadata.Index)
	}
	if k := len(rd.Entries); k > 0 {
		err := r.log.storage.Append(rd.Entries)
		if err != nil {
			panicf("storage append: %v", err)
		}
		r.log.stableTo(rd.Entries[k-1].Index, rd.Entries[k-1].Term)
	}
	n.advanceApplied(rd.CommittedEntries)
	// Reuse the array: the host has copied the handed-out messages (see
	// Ready). Messages sent since the Ready move to the front.
	kept := r.msgs[len(rd.Messages):]
	r.msgs = r.msgs[:len(kept)]
	for i := range kept {
		r.msgs[i].assign(&kept[i])
	}
	r.readStates = r.readStates[:copy(r.readStates, r.readStates[len(rd.ReadStates):])]
	r.checkInvariants()
}

// advanceApplied applies configuration changes among ents and moves the
// applied index past them.
func (n *Node) advanceApplied(ents []Entry) {
	if len(ents) == 0 {
		return
	}
	if n.recordApplied {
		for i := range ents {
			e := &ents[i]
			n.applied = append(n.applied, appliedEntry{index: e.Index, term: e.Term})
		}
	}
	for i := range ents {
		if ents[i].Type != EntryConfChange {
			continue
		}
		if cc, err := UnmarshalConfChange(ents[i].Data); err == nil {
			n.r.applyConfChange(cc)
		}
	}
	n.r.log.appliedTo(ents[len(ents)-1].Index)
}

// Status returns a snapshot of the node's state for traces and checks.
func (n *Node) Status() Status { return n.r.status() }

// ProposeBatch proposes many payloads as one message, so the leader appends
// them together and replicates them in one MsgApp per follower. Errors as
// Propose; the batch is all or nothing.
func (n *Node) ProposeBatch(data [][]byte) error {
	ents := make([]Entry, len(data))
	for i, d := range data {
		if uint64(len(d)) > n.r.cfg.MaxEntryBytes {
			return fmt.Errorf("%w: entry %d has %d bytes > %d", ErrEntryTooLarge, i, len(d),
				n.r.cfg.MaxEntryBytes)
		}
		ents[i] = Entry{Type: EntryNormal, Data: d}
	}
	return n.r.Step(&Message{Type: MsgProp, From: n.r.id, Entries: ents})
}
