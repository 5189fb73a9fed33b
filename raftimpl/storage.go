package raftimpl

import "fmt"

// MemoryStorage holds the stable part of a node's log in memory, after
// etcd's MemoryStorage: entries already written to the WAL, the latest
// snapshot, and the hard state. The node appends to it in Advance; the host
// fills it from the WAL on restart and calls CreateSnapshot and Compact.
//
// Slices it returns are read-only and stay valid: a later truncation copies
// instead of writing over them.
type MemoryStorage struct {
	hardState HardState
	snapshot  Snapshot
	// ents[0] is a dummy entry holding the snapshot's index and term.
	// Invariant: ents[i].Index == ents[0].Index + i.
	ents []Entry
	// offset is ents[0].Index, kept here because the first and last index
	// are read on nearly every step: through ents[0] they cost a load from
	// a cache line far from the log's hot tail.
	// Invariant: offset == ents[0].Index.
	offset LogIndex
}

// NewMemoryStorage returns an empty storage.
func NewMemoryStorage() *MemoryStorage {
	return &MemoryStorage{ents: make([]Entry, 1, 64)}
}

// InitialState returns the stored hard state and configuration.
func (ms *MemoryStorage) InitialState() (HardState, ConfState) {
	return ms.hardState, ms.snapshot.Metadata.ConfState
}

// HardState returns the stored hard state.
func (ms *MemoryStorage) HardState() HardState { return ms.hardState }

// SetHardState records hs.
func (ms *MemoryStorage) SetHardState(hs HardState) { ms.hardState = hs }

// Snapshot returns the latest snapshot.
func (ms *MemoryStorage) Snapshot() Snapshot { return ms.snapshot }

// FirstIndex returns the index of the first entry still held.
func (ms *MemoryStorage) FirstIndex() LogIndex { return ms.offset + 1 }

// LastIndex returns the index of the last entry, or the snapshot's index.
func (ms *MemoryStorage) LastIndex() LogIndex {
	return ms.offset + LogIndex(len(ms.ents)) - 1
}

// Term returns the term of entry i. It returns ErrCompacted for an index
// before the snapshot and ErrUnavailable past the last entry.
func (ms *MemoryStorage) Term(i LogIndex) (Term, error) {
	offset := ms.offset
	if i < offset {
		return 0, ErrCompacted
	}
	if i > ms.LastIndex() {
		return 0, ErrUnavailable
	}
	return ms.ents[i-offset].Term, nil
}

// Entries returns entries [lo, hi), at most maxSize bytes but at least one
// entry. It returns ErrCompacted or ErrUnavailable when out of range.
func (ms *MemoryStorage) Entries(lo, hi LogIndex, maxSize uint64) ([]Entry, error) {
	offset := ms.offset
	if lo <= offset {
		return nil, ErrCompacted
	}
	if hi > ms.LastIndex()+1 {
		return nil, fmt.Errorf("%w: entries [%v, %v) past last index %v",
			ErrUnavailable, lo, hi, ms.LastIndex())
	}
	ents := ms.ents[lo-offset : hi-offset : hi-offset]
	return limitSize(ents, maxSize), nil
}

// Append adds entries that the host has written to the WAL. Entries before
// FirstIndex are ignored; an entry that conflicts replaces the tail from its
// index on. Entries MUST be contiguous and MUST NOT leave a gap.
func (ms *MemoryStorage) Append(ents []Entry) error {
	if len(ents) == 0 {
		return nil
	}
	first := ms.FirstIndex()
	if last := ents[len(ents)-1].Index; last < first {
		return nil
	}
	if ents[0].Index < first {
		ents = ents[first-ents[0].Index:]
	}
	offset := ents[0].Index - ms.offset
	switch {
	case LogIndex(len(ms.ents)) > offset:
		// Copy the kept prefix: readers may hold slices of the old array.
		kept := make([]Entry, offset, offset+LogIndex(len(ents))+64)
		copy(kept, ms.ents[:offset])
		ms.ents = append(kept, ents...)
	case LogIndex(len(ms.ents)) == offset:
		ms.ents = append(ms.ents, ents...)
	default:
		return fmt.Errorf("%w: append at %v leaves a gap after %v",
			ErrUnavailable, ents[0].Index, ms.LastIndex())
	}
	return nil
}

// ApplySnapshot replaces the storage's contents with snap. It returns
// ErrSnapOutOfDate if snap is older than the snapshot held.
func (ms *MemoryStorage) ApplySnapshot(snap Snapshot) error {
	if snap.Metadata.Index <= ms.snapshot.Metadata.Index && !ms.snapshot.IsEmpty() {
		return ErrSnapOutOfDate
	}
	ms.snapshot = snap
	ms.ents = make([]Entry, 1, 64)
	ms.ents[0] = Entry{Index: snap.Metadata.Index, Term: snap.Metadata.Term}
	ms.offset = snap.Metadata.Index
	return nil
}

// CreateSnapshot records the application's snapshot at applied index i with
// configuration cs. Log entries are kept until Compact. It returns
// ErrSnapOutOfDate for an index at or before the current snapshot and
// ErrUnavailable past the last entry.
func (ms *MemoryStorage) CreateSnapshot(i LogIndex, cs ConfState, data []byte) (Snapshot, error) {
	if i <= ms.snapshot.Metadata.Index {
		return Snapshot{}, ErrSnapOutOfDate
	}
	t, err := ms.Term(i)
	if err != nil {
		return Snapshot{}, err
	}
	ms.snapshot = Snapshot{
		Metadata: SnapshotMetadata{Index: i, Term: t, ConfState: cloneConfState(cs)},
		Data:     data,
	}
	return ms.snapshot, nil
}

// Compact discards entries up to and including i (LogCompact). i MUST NOT
// exceed the applied index; the host compacts behind a snapshot. It returns
// ErrCompacted if i is already compacted, ErrUnavailable past the last entry.
func (ms *MemoryStorage) Compact(i LogIndex) error {
	offset := ms.offset
	if i <= offset {
		return ErrCompacted
	}
	if i > ms.LastIndex() {
		return fmt.Errorf("%w: compact %v past last index %v", ErrUnavailable, i, ms.LastIndex())
	}
	// Reserve the length the log had: it likely grows back to it before
	// the next compaction, and regrowing by doubling allocates twice.
	kept := make([]Entry, 1, max(LogIndex(len(ms.ents))-(i-offset)+64, LogIndex(len(ms.ents))))
	kept[0] = Entry{Index: i, Term: ms.ents[i-offset].Term}
	ms.ents = append(kept, ms.ents[i-offset+1:]...)
	ms.offset = i
	return nil
}

// limitSize returns the longest prefix of ents within maxSize bytes, and at
// least one entry.
func limitSize(ents []Entry, maxSize uint64) []Entry {
	if len(ents) == 0 {
		return ents
	}
	size := ents[0].size()
	n := 1
	for ; n < len(ents); n++ {
		size += ents[n].size()
		if size > maxSize {
			break
		}
	}
	return ents[:n]
}

// cloneConfState returns a deep copy of cs.
func cloneConfState(cs ConfState) ConfState {
	return ConfState{
		Voters:   append([]NodeID(nil), cs.Voters...),
		Learners: append([]NodeID(nil), cs.Learners...),
	}
}
