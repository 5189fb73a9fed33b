package raftimpl

import (
	"errors"
	"fmt"
)

// raftLog is a node's view of the replicated log: the stable prefix in
// storage, the unstable suffix not yet persisted, and the commit and apply
// cursors (paper Figure 2, "volatile state").
type raftLog struct {
	storage  *MemoryStorage
	unstable unstable
	// committed is the highest index known to be committed.
	// Invariant: committed <= lastIndex().
	// Moves: only forward, in commitTo.
	committed LogIndex
	// applied is the highest index handed to the application and advanced.
	// Invariant: applied <= committed (unless BugApplyUncommitted).
	// Moves: only forward, in appliedTo.
	applied LogIndex
	// maxApplyBytes bounds the committed entries handed out per Ready.
	maxApplyBytes uint64
	// changedFrom is the lowest index written (appended, overwritten or
	// replaced by a snapshot) since the Checker last looked, or 0.
	// Moves: set in append and restore, cleared by takeChangedFrom.
	changedFrom LogIndex
}

// noteChanged records that entries from i on were written.
func (l *raftLog) noteChanged(i LogIndex) {
	if l.changedFrom == 0 || i < l.changedFrom {
		l.changedFrom = i
	}
}

// takeChangedFrom returns and clears changedFrom.
func (l *raftLog) takeChangedFrom() LogIndex {
	i := l.changedFrom
	l.changedFrom = 0
	return i
}

// newLog returns a log over storage, with cursors at the snapshot.
func newLog(storage *MemoryStorage, maxApplyBytes uint64) *raftLog {
	l := &raftLog{storage: storage, maxApplyBytes: maxApplyBytes}
	first := storage.FirstIndex()
	l.unstable.offset = storage.LastIndex() + 1
	l.committed = first - 1
	l.applied = first - 1
	return l
}

// String describes the cursors, for traces and assertion messages.
func (l *raftLog) String() string {
	return fmt.Sprintf("committed=%v applied=%v unstable.offset=%v len(unstable)=%d",
		l.committed, l.applied, l.unstable.offset, len(l.unstable.entries))
}

func (l *raftLog) firstIndex() LogIndex {
	if i, ok := l.unstable.maybeFirstIndex(); ok {
		return i
	}
	return l.storage.FirstIndex()
}

func (l *raftLog) lastIndex() LogIndex {
	if i, ok := l.unstable.maybeLastIndex(); ok {
		return i
	}
	return l.storage.LastIndex()
}

func (l *raftLog) lastTerm() Term {
	t, err := l.term(l.lastIndex())
	if err != nil {
		panicf("term of last index %v: %v", l.lastIndex(), err)
	}
	return t
}

// term returns the term of entry i, ErrCompacted before the first index
// minus one and ErrUnavailable past the last.
func (l *raftLog) term(i LogIndex) (Term, error) {
	if t, ok := l.unstable.maybeTerm(i); ok {
		return t, nil
	}
	if i+1 < l.firstIndex() {
		return 0, ErrCompacted
	}
	if i > l.lastIndex() {
		return 0, ErrUnavailable
	}
	return l.storage.Term(i)
}

// zeroTermOnOutOfRange maps a lookup error to term 0, which matches nothing.
func (l *raftLog) termOrZero(i LogIndex) Term {
	t, err := l.term(i)
	if err != nil {
		return 0
	}
	return t
}

func (l *raftLog) matchTerm(i LogIndex, t Term) bool {
	gt, err := l.term(i)
	return err == nil && gt == t
}

// isUpToDate reports whether a log ending at (lasti, term) is at least as
// up-to-date as this one (paper §5.4.1).
func (l *raftLog) isUpToDate(lasti LogIndex, term Term) bool {
	return term > l.lastTerm() || (term == l.lastTerm() && lasti >= l.lastIndex())
}

// findConflict returns the index of the first entry of ents whose term
// differs from ours, or 0 if all of ents are already present. An index past
// our last entry counts as a conflict (a new entry).
func (l *raftLog) findConflict(ents []Entry) LogIndex {
	for i := range ents {
		if !l.matchTerm(ents[i].Index, ents[i].Term) {
			return ents[i].Index
		}
	}
	return 0
}

// findConflictByTerm returns the largest index <= i whose term is <= t, with
// its term: every entry after it in our log has a term above t, so the
// leader can skip them all (fast backtracking, etcd raft 3.5).
func (l *raftLog) findConflictByTerm(i LogIndex, t Term) (LogIndex, Term) {
	for ; i > 0; i-- {
		ourTerm, err := l.term(i)
		if err != nil {
			return i, 0
		}
		if ourTerm <= t {
			return i, ourTerm
		}
	}
	return 0, 0
}

// append adds ents after cutting any conflicting suffix, and returns the new
// last index. ents[0] MUST NOT be at or below committed (that would cut a
// committed entry).
func (l *raftLog) append(ents ...Entry) LogIndex {
	if len(ents) == 0 {
		return l.lastIndex()
	}
	after := ents[0].Index - 1
	if after < l.committed {
		panicf("append after %v cuts committed %v", after, l.committed)
	}
	if after > l.lastIndex() {
		panicf("append after %v leaves a gap after %v", after, l.lastIndex())
	}
	l.unstable.truncateAndAppend(ents)
	l.noteChanged(ents[0].Index)
	return l.lastIndex()
}

// commitTo raises committed to tocommit; it never lowers it.
func (l *raftLog) commitTo(tocommit LogIndex) {
	if l.committed >= tocommit {
		return
	}
	if tocommit > l.lastIndex() {
		panicf("commit %v past last index %v", tocommit, l.lastIndex())
	}
	l.committed = tocommit
}

// maybeCommit commits up to maxIndex if that entry has term t (the Figure 8
// rule: a leader counts replicas only for entries of its own term).
func (l *raftLog) maybeCommit(maxIndex LogIndex, t Term) bool {
	if maxIndex > l.committed && l.termOrZero(maxIndex) == t {
		l.commitTo(maxIndex)
		return true
	}
	return false
}

func (l *raftLog) appliedTo(i LogIndex) {
	if i == 0 || i <= l.applied {
		return
	}
	l.applied = i
}

// stableTo marks entries up to i of term t as persisted.
func (l *raftLog) stableTo(i LogIndex, t Term) { l.unstable.stableTo(i, t) }

// restore replaces the log with snapshot s; the snapshot is committed.
func (l *raftLog) restore(s Snapshot) {
	l.committed = s.Metadata.Index
	l.unstable.restore(s)
	l.noteChanged(s.Metadata.Index)
}

// unstableEntries returns the entries not yet persisted.
func (l *raftLog) unstableEntries() []Entry {
	if len(l.unstable.entries) == 0 {
		return nil
	}
	return l.unstable.entries
}

// applyLimit is the highest index that may be handed to the application:
// committed, or with BugApplyUncommitted every stable entry.
func (l *raftLog) applyLimit(bugs Bugs) LogIndex {
	if bugs.Has(BugApplyUncommitted) {
		return max(l.committed, l.unstable.offset-1)
	}
	return l.committed
}

// hasNextCommittedEnts reports whether there are entries to apply.
func (l *raftLog) hasNextCommittedEnts(bugs Bugs) bool {
	if l.unstable.snapshot != nil {
		return false
	}
	return l.applyLimit(bugs) > max(l.applied, l.firstIndex()-1)
}

// nextCommittedEnts returns the committed entries not yet applied, at most
// maxApplyBytes (and at least one).
func (l *raftLog) nextCommittedEnts(bugs Bugs) []Entry {
	if !l.hasNextCommittedEnts(bugs) {
		return nil
	}
	lo := max(l.applied+1, l.firstIndex())
	ents, err := l.slice(lo, l.applyLimit(bugs)+1, l.maxApplyBytes)
	if err != nil {
		panicf("committed entries [%v, %v]: %v", lo, l.committed, err)
	}
	return ents
}

// entries returns entries from i on, within maxSize bytes.
func (l *raftLog) entries(i LogIndex, maxSize uint64) ([]Entry, error) {
	if i > l.lastIndex() {
		return nil, nil
	}
	return l.slice(i, l.lastIndex()+1, maxSize)
}

// readable reports, wrapping ErrLogInconsistent, why entries from lo to the
// last index cannot be read as one run: slice would panic on it. The
// stored part must reach the unstable part without a gap, and must not
// run past its start while the unstable part holds no entries (then the
// last index comes from storage while slice looks for the tail in the
// unstable part).
func (l *raftLog) readable(lo LogIndex) error {
	u := &l.unstable
	if u.snapshot != nil || (len(u.entries) > 0 && lo >= u.offset) {
		return nil // all from the unstable part, which is one run
	}
	stored := l.storage.LastIndex()
	switch {
	case u.snapshot == nil && len(u.entries) == 0 && stored >= u.offset:
		return fmt.Errorf("%w: stored entries reach %v, past the unstable offset %v",
			ErrLogInconsistent, stored, u.offset)
	case u.snapshot == nil && lo < u.offset && stored+1 < u.offset:
		return fmt.Errorf("%w: stored entries end at %v, unstable ones start at %v",
			ErrLogInconsistent, stored, u.offset)
	}
	return nil
}

// slice returns entries [lo, hi) within maxSize bytes (at least one). It
// returns ErrCompacted if lo is compacted.
func (l *raftLog) slice(lo, hi LogIndex, maxSize uint64) ([]Entry, error) {
	if lo < l.firstIndex() {
		return nil, ErrCompacted
	}
	if lo > hi {
		panicf("slice lo %v > hi %v", lo, hi)
	}
	if hi > l.lastIndex()+1 {
		panicf("slice hi %v past last %v", hi, l.lastIndex())
	}
	if lo == hi {
		return nil, nil
	}
	var ents []Entry
	if lo < l.unstable.offset {
		stored, err := l.storage.Entries(lo, min(hi, l.unstable.offset), maxSize)
		if errors.Is(err, ErrCompacted) {
			return nil, err
		}
		if err != nil {
			panicf("storage entries [%v, %v): %v", lo, hi, err)
		}
		if LogIndex(len(stored)) < min(hi, l.unstable.offset)-lo {
			return stored, nil
		}
		ents = stored
	}
	if hi > l.unstable.offset {
		un := l.unstable.slice(max(lo, l.unstable.offset), hi)
		if len(ents) > 0 {
			joined := make([]Entry, 0, len(ents)+len(un))
			ents = append(append(joined, ents...), un...)
		} else {
			ents = un
		}
	}
	return limitSize(ents, maxSize), nil
}

// snapshot returns the unstable snapshot if any, else storage's.
func (l *raftLog) snapshot() Snapshot {
	if l.unstable.snapshot != nil {
		return *l.unstable.snapshot
	}
	return l.storage.Snapshot()
}
