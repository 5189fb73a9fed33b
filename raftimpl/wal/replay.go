package wal

import (
	"fmt"
	"io"
	"slices"

	"etcdsim/raftimpl"
)

// State is what a WAL held at Open: load it into storage with Storage.
type State struct {
	HardState raftimpl.HardState
	Snapshot  raftimpl.Snapshot
	Entries   []raftimpl.Entry
}

// Storage returns a MemoryStorage holding the recovered state, ready for
// raftimpl.New.
func (st State) Storage() (*raftimpl.MemoryStorage, error) {
	ms := raftimpl.NewMemoryStorage()
	if !st.Snapshot.IsEmpty() {
		if err := ms.ApplySnapshot(st.Snapshot); err != nil {
			return nil, err
		}
	}
	if err := ms.Append(st.Entries); err != nil {
		return nil, err
	}
	ms.SetHardState(st.HardState)
	return ms, nil
}

// Open opens (or creates) the WAL in dir and replays it. A torn write at
// the tail is dropped and the file truncated to the last good record. The
// last record is torn only when it has a crash's shape (the package doc's
// Vocabulary; tail.go states the checks and the etcd behaviour they
// follow): short, with a header the writer could have written and bytes
// that are not already a whole record; or whole, failing its checksum,
// with its bytes in the sector it ends in all zeros and damage to no
// single byte explaining the mismatch. Any other damaged record, at the
// tail or before it, is corruption: Open returns an error wrapping
// ErrCorrupt that names the file and byte offset, and neither truncates
// nor applies anything. A log naming a snapshot its file does not hold
// returns ErrSnapshotMissing.
func Open(dir Dir) (*WAL, State, error) {
	f, err := dir.Open(walName)
	if err != nil {
		return nil, State{}, fmt.Errorf("wal: open %s: %w", walName, err)
	}
	data, err := readAll(f)
	if err != nil {
		return nil, State{}, err
	}
	st, good, err := replay(dir, f.Name(), data)
	if err != nil {
		return nil, State{}, err
	}
	if good < len(data) {
		if err := f.Truncate(int64(good)); err != nil {
			return nil, State{}, fmt.Errorf("wal: truncate torn tail of %s: %w", f.Name(), err)
		}
		if err := f.Sync(); err != nil {
			return nil, State{}, fmt.Errorf("wal: sync %s: %w", f.Name(), err)
		}
	}
	w := &WAL{dir: dir, f: f, hs: st.HardState, snapIndex: st.Snapshot.Metadata.Index}
	w.removeStaleSnapshots()
	return w, st, nil
}

func readAll(f File) ([]byte, error) {
	data := make([]byte, f.Size())
	n, err := f.ReadAt(data, 0)
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("wal: read %s: %w", f.Name(), err)
	}
	if n != len(data) {
		return nil, fmt.Errorf("wal: read %s: %d of %d bytes", f.Name(), n, len(data))
	}
	return data, nil
}

// replay decodes the log and returns the state and the length of the good
// prefix.
func replay(dir Dir, name string, data []byte) (State, int, error) {
	var st State
	corrupt := func(off int, format string, args ...any) error {
		return fmt.Errorf("%w: file %s offset %d: %s", ErrCorrupt, name, off,
			fmt.Sprintf(format, args...))
	}
	off := 0
	for off < len(data) {
		rec, n, status := readFrame(data, off)
		if status == frameTorn {
			if why := shortTailDamage(data, off); why != "" {
				return st, 0, corrupt(off, "%s", why)
			}
			break // a torn write at the tail: drop it
		}
		if status == frameBad && off+n < len(data) {
			return st, 0, corrupt(off, "checksum mismatch")
		}
		if status == frameBad {
			if why := fullTailDamage(data, off, n); why != "" {
				return st, 0, corrupt(off, "%s", why)
			}
			break // a torn write that left its last sector zero-filled
		}
		if err := st.apply(dir, rec); err != nil {
			return st, 0, corrupt(off, "%v", err)
		}
		off += n
	}
	assertf(off <= len(data), "replay ran to %d past %d bytes", off, len(data))
	if c := st.HardState.Commit; c < st.Snapshot.Metadata.Index {
		st.HardState.Commit = st.Snapshot.Metadata.Index
	} else if last := st.lastIndex(); c > last {
		// The commit index is a hint; never trust it past the log.
		st.HardState.Commit = last
	}
	return st, off, nil
}

func (st *State) lastIndex() raftimpl.LogIndex {
	return st.Snapshot.Metadata.Index + raftimpl.LogIndex(len(st.Entries))
}

// apply folds one record into the state.
func (st *State) apply(dir Dir, rec record) error {
	switch rec.typ {
	case recHardState:
		hs, err := decodeHardState(rec.payload)
		st.HardState = hs
		return err
	case recEntry:
		e, err := decodeEntry(rec.payload)
		if err != nil {
			return err
		}
		e.Data = append([]byte(nil), e.Data...)
		first := st.Snapshot.Metadata.Index + 1
		switch {
		case e.Index < first:
			return nil // covered by the snapshot
		case e.Index > st.lastIndex()+1:
			return fmt.Errorf("entry %v leaves a gap after %v", e.Index, st.lastIndex())
		}
		st.Entries = append(st.Entries[:e.Index-first], e)
		return nil
	case recSnapMarker:
		meta, err := decodeSnapMarker(rec.payload)
		if err != nil {
			return err
		}
		snap, err := loadSnapshot(dir, meta)
		if err != nil {
			return err
		}
		st.Snapshot, st.Entries = snap, nil
		return nil
	}
	return fmt.Errorf("unknown record type %d", rec.typ)
}

// hasFrameAfter reports whether a valid frame starts anywhere at or after
// from. It runs at most once per Open, only when the log ends in a record
// that may be torn, to tell a torn tail (nothing valid after) from a
// damaged length field in the middle. Its cost grows with the square of
// that last record's size in the worst case.
func hasFrameAfter(data []byte, from int) bool {
	for o := from; o+headerBytes <= len(data); o++ {
		if _, _, st := readFrame(data, o); st == frameOK {
			return true
		}
	}
	return false
}

// loadSnapshot reads the snapshot file the marker meta names.
func loadSnapshot(dir Dir, meta raftimpl.SnapshotMetadata) (raftimpl.Snapshot, error) {
	name := snapName(meta.Index)
	if !slices.Contains(dir.List(), name) {
		return raftimpl.Snapshot{}, fmt.Errorf("%w: %s not found", ErrSnapshotMissing, name)
	}
	f, err := dir.Open(name)
	if err != nil {
		return raftimpl.Snapshot{}, fmt.Errorf("%w: %v", ErrSnapshotMissing, err)
	}
	data, err := readAll(f)
	if err != nil {
		return raftimpl.Snapshot{}, err
	}
	rec, n, status := readFrame(data, 0)
	if status != frameOK || n != len(data) || rec.typ != recSnapshot {
		return raftimpl.Snapshot{}, fmt.Errorf("%w: file %s offset 0: damaged snapshot",
			ErrCorrupt, f.Name())
	}
	snap, err := decodeSnapshot(rec.payload)
	if err != nil {
		return snap, fmt.Errorf("%w: file %s offset 0: %v", ErrCorrupt, f.Name(), err)
	}
	if snap.Metadata.Index != meta.Index || snap.Metadata.Term != meta.Term {
		return snap, fmt.Errorf("%w: file %s holds %v/%v, want %v/%v", ErrSnapshotMissing,
			f.Name(), snap.Metadata.Index, snap.Metadata.Term, meta.Index, meta.Term)
	}
	return snap, nil
}
