package raftimpl

// unstable holds what the node has accepted but the host has not yet
// persisted: at most one incoming snapshot and a run of entries after it.
// After etcd's unstable log.
type unstable struct {
	// snapshot is a snapshot received from the leader, not yet persisted.
	snapshot *Snapshot
	// entries are not yet persisted. entries[i].Index == offset + i.
	entries []Entry
	// offset is the index of entries[0] (or where it would go).
	offset LogIndex
}

// maybeFirstIndex returns the first index if there is an unstable snapshot.
func (u *unstable) maybeFirstIndex() (LogIndex, bool) {
	if u.snapshot != nil {
		return u.snapshot.Metadata.Index + 1, true
	}
	return 0, false
}

// maybeLastIndex returns the last index held, if any.
func (u *unstable) maybeLastIndex() (LogIndex, bool) {
	if n := len(u.entries); n != 0 {
		return u.offset + LogIndex(n) - 1, true
	}
	if u.snapshot != nil {
		return u.snapshot.Metadata.Index, true
	}
	return 0, false
}

// maybeTerm returns the term of entry i if the unstable part knows it.
func (u *unstable) maybeTerm(i LogIndex) (Term, bool) {
	if i < u.offset {
		if u.snapshot != nil && u.snapshot.Metadata.Index == i {
			return u.snapshot.Metadata.Term, true
		}
		return 0, false
	}
	last, ok := u.maybeLastIndex()
	if !ok || i > last {
		return 0, false
	}
	return u.entries[i-u.offset].Term, true
}

// stableTo marks entries up to i (of term t) as persisted. A mismatch means
// the entries were replaced meanwhile; then nothing happens.
func (u *unstable) stableTo(i LogIndex, t Term) {
	gt, ok := u.maybeTerm(i)
	if !ok || gt != t || i < u.offset {
		return
	}
	u.entries = u.entries[i+1-u.offset:]
	u.offset = i + 1
	u.shrink()
}

// shrink drops the array when most of it is behind us, so the persisted
// prefix can be collected. It copies: messages may still share the old array.
func (u *unstable) shrink() {
	if len(u.entries) == 0 {
		u.entries = nil
		return
	}
	if len(u.entries)*lenMultipleShrink < cap(u.entries) {
		u.entries = append([]Entry(nil), u.entries...)
	}
}

// lenMultipleShrink: shrink when the array is this many times the length.
const lenMultipleShrink = 2

// stableSnapTo marks the snapshot at i as persisted.
func (u *unstable) stableSnapTo(i LogIndex) {
	if u.snapshot != nil && u.snapshot.Metadata.Index == i {
		u.snapshot = nil
	}
}

// restore replaces everything with snapshot s.
func (u *unstable) restore(s Snapshot) {
	u.offset = s.Metadata.Index + 1
	u.entries = nil
	u.snapshot = &s
}

// truncateAndAppend appends ents, first cutting anything from ents[0].Index.
func (u *unstable) truncateAndAppend(ents []Entry) {
	after := ents[0].Index
	switch {
	case after == u.offset+LogIndex(len(u.entries)):
		u.entries = append(u.entries, ents...)
	case after <= u.offset:
		// Replace everything; the persisted prefix past after is cut by
		// storage.Append when these entries are persisted.
		u.offset = after
		u.entries = append([]Entry(nil), ents...)
	default:
		// Copy the kept prefix: messages may share the old array.
		kept := make([]Entry, 0, int(after-u.offset)+len(ents))
		kept = append(kept, u.entries[:after-u.offset]...)
		u.entries = append(kept, ents...)
	}
}

// slice returns unstable entries [lo, hi). The caller checked the bounds.
func (u *unstable) slice(lo, hi LogIndex) []Entry {
	if lo < u.offset {
		panicf("unstable slice lo %v < offset %v", lo, u.offset)
	}
	if hi > u.offset+LogIndex(len(u.entries)) {
		panicf("unstable slice hi %v out of range", hi)
	}
	return u.entries[lo-u.offset : hi-u.offset : hi-u.offset]
}
