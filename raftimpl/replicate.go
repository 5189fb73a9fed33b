package raftimpl

import "fmt"

// appendEntries stamps ents with this leader's term and the next indexes,
// appends them, and tries to commit (a single voter commits at once).
func (r *raft) appendEntries(ents ...Entry) {
	last := r.log.lastIndex()
	for i := range ents {
		ents[i].Term = r.term
		ents[i].Index = last + 1 + LogIndex(i)
	}
	last = r.log.append(ents...)
	r.trk.progress(r.id).maybeUpdate(last)
	r.maybeCommit()
}

// maybeCommit raises the commit index to what a quorum holds, counting
// replicas only for an entry of the current term (paper §5.4.2, Figure 8),
// unless BugFigure8Commit is planted.
func (r *raft) maybeCommit() bool {
	mci := r.trk.committed()
	if r.cfg.Bugs.Has(BugFigure8Commit) {
		if mci > r.log.committed {
			r.log.commitTo(mci)
			return true
		}
		return false
	}
	return r.log.maybeCommit(mci, r.term)
}

// bcastAppend sends entries (or a probe) to every member but this one.
func (r *raft) bcastAppend() {
	for _, id := range r.trk.ids {
		if id != r.id {
			r.sendAppend(id)
		}
	}
}

// sendAppend sends what the follower needs next, if it is not paused.
func (r *raft) sendAppend(to NodeID) { r.maybeSendAppend(to, true) }

// maybeSendAppend sends one MsgApp (or MsgSnap) to a follower. With
// sendIfEmpty false it sends nothing when there are no entries to send. It
// returns whether a message was sent.
func (r *raft) maybeSendAppend(to NodeID, sendIfEmpty bool) bool {
	pr := r.trk.progress(to)
	if pr.isPaused() {
		return false
	}
	prevIndex := pr.Next - 1
	prevTerm, errt := r.log.term(prevIndex)
	ents, erre := r.log.entries(pr.Next, r.cfg.MaxSizePerMsg)
	if len(ents) == 0 && !sendIfEmpty {
		return false
	}
	if errt != nil || erre != nil {
		// The entries were compacted: send the snapshot instead (§7).
		return r.maybeSendSnapshot(to, pr)
	}
	r.send(Message{To: to, Type: MsgApp, Index: prevIndex, LogTerm: prevTerm,
		Entries: ents, Commit: r.log.committed})
	last := prevIndex + LogIndex(len(ents))
	pr.sentEntries(last, len(ents))
	return true
}

// maybeSendSnapshot sends the current snapshot to a follower whose next
// entries are compacted.
func (r *raft) maybeSendSnapshot(to NodeID, pr *Progress) bool {
	if !pr.RecentActive {
		r.logf("snapshot to %v delayed: not recently active", to)
		return false
	}
	snap := r.log.snapshot()
	if snap.IsEmpty() {
		panicf("entries for %v compacted but no snapshot", to)
	}
	r.mark(markSnapshotSent)
	r.send(Message{To: to, Type: MsgSnap, Snapshot: &snap})
	pr.becomeSnapshot(snap.Metadata.Index)
	return true
}

// sendHeartbeat sends an empty append carrying the commit index, capped at
// what the follower is known to hold (it may not have the rest yet).
func (r *raft) sendHeartbeat(to NodeID, ctx []byte, round uint64) {
	commit := min(r.trk.progress(to).Match, r.log.committed)
	r.send(Message{To: to, Type: MsgHeartbeat, Commit: commit, Context: ctx, Round: round})
}

// bcastHeartbeat sends one heartbeat round, numbered for the lease when
// lease-bounded reads are on.
func (r *raft) bcastHeartbeat(ctx []byte) {
	round := r.startLeaseRound()
	for _, id := range r.trk.ids {
		if id != r.id {
			r.sendHeartbeat(id, ctx, round)
		}
	}
}

// handleAppendEntries runs the consistency check on a follower (paper §5.3):
// accept if the entry before the new ones matches, then answer with the last
// index verified, or reject with a hint for fast backtracking.
func (r *raft) handleAppendEntries(m *Message) error {
	if m.Index < r.log.committed {
		r.mark(markStaleAppend)
		r.send(Message{To: m.From, Type: MsgAppResp, Index: r.log.committed})
		return nil
	}
	last, ok, err := r.maybeAppend(m)
	if err != nil {
		return err
	}
	if ok {
		r.send(Message{To: m.From, Type: MsgAppResp, Index: last})
		return nil
	}
	hintIndex := min(m.Index, r.log.lastIndex())
	hintIndex, hintTerm := r.log.findConflictByTerm(hintIndex, m.LogTerm)
	r.send(Message{To: m.From, Type: MsgAppResp, Index: m.Index, Reject: true,
		RejectHint: hintIndex, LogTerm: hintTerm})
	return nil
}

// maybeAppend appends the entries of a MsgApp whose previous entry matches,
// cutting only a conflicting suffix, and commits up to what the message
// proved. It returns the last index the message verified.
//
// An append that conflicts with a committed entry cannot come from an
// honest leader (Leader Completeness); it is refused with
// ErrInvalidMessage and changes nothing.
func (r *raft) maybeAppend(m *Message) (LogIndex, bool, error) {
	if !r.log.matchTerm(m.Index, m.LogTerm) {
		return 0, false, nil
	}
	lastNew := m.Index + LogIndex(len(m.Entries))
	if ci := r.log.findConflict(m.Entries); ci != 0 {
		if ci <= r.log.committed {
			return 0, false, fmt.Errorf("%w: append from %v conflicts at %v with committed %v",
				ErrInvalidMessage, m.From, ci, r.log.committed)
		}
		if ci <= r.log.lastIndex() {
			r.mark(markConflictTruncate)
		}
		r.log.append(m.Entries[ci-m.Index-1:]...)
	}
	if r.cfg.Bugs.Has(BugTruncateOnStaleAppend) {
		r.truncateStale(lastNew)
	}
	r.log.commitTo(min(m.Commit, lastNew))
	return lastNew, true, nil
}

// truncateStale is BugTruncateOnStaleAppend: the follower drops everything
// after the last entry of the message, even when the rest matches, so a
// stale, reordered MsgApp erases entries it has acknowledged. To keep the
// node itself running, it stops at its own committed index.
func (r *raft) truncateStale(lastNew LogIndex) {
	keep := max(lastNew, r.log.committed)
	if keep >= r.log.lastIndex() {
		return
	}
	e, err := r.log.slice(keep, keep+1, noLimit)
	if err != nil || len(e) != 1 {
		return // keep is the snapshot index: nothing to rewrite
	}
	r.log.unstable.truncateAndAppend(e[:1:1])
	r.log.noteChanged(keep)
	if r.log.lastIndex() != keep {
		panicf("stale truncate left last %v, want %v",
			r.log.lastIndex(), keep)
	}
}

// handleHeartbeat learns the leader's commit index. A leader never sends a
// commit index past what it knows we hold, so one past our last index is
// refused as invalid.
func (r *raft) handleHeartbeat(m *Message) error {
	commit := m.Commit
	if r.cfg.Bugs.Has(BugTruncateOnStaleAppend) || r.cfg.Bugs.Has(BugReplyBeforeFsync) {
		// These bugs lose entries the leader counts as ours; keep running
		// so that the checkers, not an error, report the damage.
		commit = min(commit, r.log.lastIndex())
	}
	if commit > r.log.lastIndex() {
		return fmt.Errorf("%w: heartbeat commit %v past our last index %v",
			ErrInvalidMessage, commit, r.log.lastIndex())
	}
	r.log.commitTo(commit)
	r.send(Message{To: m.From, Type: MsgHeartbeatResp, Context: m.Context, Round: m.Round})
	return nil
}

// handleSnapshot installs a snapshot from the leader if it is newer than
// what we hold, and answers with our new last index.
func (r *raft) handleSnapshot(m *Message) {
	s := *m.Snapshot
	if r.restore(s) {
		r.mark(markSnapshotRestored)
		r.logf("restored snapshot at index %v term %v", s.Metadata.Index, s.Metadata.Term)
		r.send(Message{To: m.From, Type: MsgAppResp, Index: r.log.lastIndex()})
		return
	}
	r.send(Message{To: m.From, Type: MsgAppResp, Index: r.log.committed})
}

// restore installs snapshot s unless it is stale. If our log already holds
// its last entry, only the commit index moves (etcd raft.restore).
func (r *raft) restore(s Snapshot) bool {
	if s.Metadata.Index <= r.log.committed {
		return false
	}
	if r.log.matchTerm(s.Metadata.Index, s.Metadata.Term) {
		r.log.commitTo(s.Metadata.Index)
		return false
	}
	r.log.restore(s)
	r.trk.setConf(s.Metadata.ConfState)
	for _, id := range r.trk.ids {
		*r.trk.progress(id) = Progress{Next: r.log.lastIndex() + 1,
			IsLearner: r.trk.progress(id).IsLearner,
			inflights: inflights{size: r.cfg.MaxInflightMsgs}}
	}
	return true
}
