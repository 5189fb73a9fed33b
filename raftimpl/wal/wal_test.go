package wal_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"etcdsim/raftimpl"
	"etcdsim/raftimpl/wal"
)

func ents(term raftimpl.Term, lo, hi raftimpl.LogIndex) []raftimpl.Entry {
	var out []raftimpl.Entry
	for i := lo; i <= hi; i++ {
		out = append(out, raftimpl.Entry{Term: term, Index: i, Data: fmt.Appendf(nil, "e%d", i)})
	}
	return out
}

func TestSaveAndReplay(t *testing.T) {
	dir := wal.NewMemDir()
	w, st, err := wal.Open(dir)
	require.NoError(t, err)
	require.Empty(t, st.Entries)
	require.True(t, st.HardState.IsEmpty())

	require.NoError(t, w.Save(raftimpl.HardState{Term: 1, Vote: 1}, ents(1, 1, 5), true))
	// Entries 4-5 are replaced by a later term's entries (a follower
	// truncating a conflicting suffix).
	require.NoError(t, w.Save(raftimpl.HardState{Term: 2, Vote: 3, Commit: 3}, ents(2, 4, 6), true))
	dir.Crash(0)

	_, st, err = wal.Open(dir)
	require.NoError(t, err)
	require.Equal(t, raftimpl.HardState{Term: 2, Vote: 3, Commit: 3}, st.HardState)
	require.Equal(t, append(ents(1, 1, 3), ents(2, 4, 6)...), st.Entries)
	ms, err := st.Storage()
	require.NoError(t, err)
	require.Equal(t, raftimpl.LogIndex(6), ms.LastIndex())
}

// TestTornTailAtEveryLength crashes after an unsynced write, keeping every
// possible prefix of it. Recovery must always succeed, keep the synced
// state, and keep only whole records of the torn write.
func TestTornTailAtEveryLength(t *testing.T) {
	build := func() (*wal.MemDir, int64) {
		dir := wal.NewMemDir()
		w, _, err := wal.Open(dir)
		require.NoError(t, err)
		hs := raftimpl.HardState{Term: 1, Vote: 1, Commit: 2}
		require.NoError(t, w.Save(hs, ents(1, 1, 3), true))
		synced := dir.OpenMem("wal").Size()
		hs.Commit = 3
		require.NoError(t, w.Save(hs, ents(1, 4, 6), false))
		return dir, synced
	}
	_, synced := build()
	dir, _ := build()
	total := dir.OpenMem("wal").Size()
	for torn := 0; torn <= int(total-synced); torn++ {
		dir, _ := build()
		dir.Crash(torn)
		_, st, err := wal.Open(dir)
		require.NoError(t, err, "torn=%d", torn)
		require.GreaterOrEqual(t, len(st.Entries), 3, "torn=%d: synced entries kept", torn)
		require.Equal(t, ents(1, 1, len64(st.Entries)), st.Entries)
		require.LessOrEqual(t, st.HardState.Commit, raftimpl.LogIndex(len(st.Entries)))
		// The file was cut back to whole records: reopening finds the same.
		size := dir.OpenMem("wal").Size()
		_, again, err := wal.Open(dir)
		require.NoError(t, err)
		require.Equal(t, st, again)
		require.Equal(t, size, dir.OpenMem("wal").Size())
	}
}

func len64(e []raftimpl.Entry) raftimpl.LogIndex { return raftimpl.LogIndex(len(e)) }

// TestCorruptMiddle flips each byte of every record but the last: recovery
// must refuse with an error naming the file and the record's offset.
func TestCorruptMiddle(t *testing.T) {
	dir := wal.NewMemDir()
	w, _, err := wal.Open(dir)
	require.NoError(t, err)
	require.NoError(t, w.Save(raftimpl.HardState{Term: 1}, ents(1, 1, 2), true))
	require.NoError(t, w.Save(raftimpl.HardState{Term: 2}, ents(2, 3, 3), true))
	f := dir.OpenMem("wal")
	// Records: hs(33) e1(28) e2(28) hs(33) e3(28).
	starts := []int64{0, 33, 61, 89, 122}
	for k := range len(starts) - 1 {
		for off := starts[k]; off < starts[k+1]; off++ {
			f.Corrupt(off)
			_, _, err := wal.Open(dir)
			require.ErrorIs(t, err, wal.ErrCorrupt, "offset %d", off)
			require.Contains(t, err.Error(), fmt.Sprintf("file wal offset %d", starts[k]))
			f.Corrupt(off) // flip back
		}
	}
	// Damage in the last record is corruption too: a crash only tears
	// the tail short (corrupt_test.go covers the last record).
	f.Corrupt(starts[4] + 12)
	_, _, err = wal.Open(dir)
	require.ErrorIs(t, err, wal.ErrCorrupt)
	require.Contains(t, err.Error(), fmt.Sprintf("file wal offset %d", starts[4]))
}

func TestCompact(t *testing.T) {
	dir := wal.NewMemDir()
	w, _, err := wal.Open(dir)
	require.NoError(t, err)
	hs := raftimpl.HardState{Term: 2, Vote: 1, Commit: 8}
	require.NoError(t, w.Save(hs, ents(2, 1, 10), true))
	cs := raftimpl.ConfState{Voters: []raftimpl.NodeID{1, 2, 3}, Learners: []raftimpl.NodeID{4}}
	snap := raftimpl.Snapshot{Metadata: raftimpl.SnapshotMetadata{Index: 6, Term: 2,
		ConfState: cs}, Data: []byte("state@6")}
	require.NoError(t, w.Compact(snap, hs, ents(2, 1, 10)))
	require.NoError(t, w.Save(raftimpl.HardState{}, ents(2, 11, 11), true))
	require.Equal(t, []string{"snap-0000000000000006", "wal"}, dir.List())
	dir.Crash(0)

	_, st, err := wal.Open(dir)
	require.NoError(t, err)
	require.Equal(t, snap, st.Snapshot)
	require.Equal(t, hs, st.HardState)
	require.Equal(t, ents(2, 7, 11), st.Entries)
	ms, err := st.Storage()
	require.NoError(t, err)
	require.Equal(t, raftimpl.LogIndex(7), ms.FirstIndex())

	older := snap
	older.Metadata.Index = 3
	require.ErrorIs(t, w.Compact(older, hs, nil), raftimpl.ErrSnapOutOfDate)
}

// failDir fails every mutating operation after a budget, as a crash in the
// middle of Compact would stop it.
type failDir struct {
	*wal.MemDir
	budget int
}

var errInjected = errors.New("injected crash")

func (d *failDir) spend() error {
	if d.budget == 0 {
		return errInjected
	}
	d.budget--
	return nil
}

func (d *failDir) Open(name string) (wal.File, error) {
	f, err := d.MemDir.Open(name)
	return &failFile{File: f, d: d}, err
}

func (d *failDir) Rename(from, to string) error {
	if err := d.spend(); err != nil {
		return err
	}
	return d.MemDir.Rename(from, to)
}

func (d *failDir) Remove(name string) error {
	if err := d.spend(); err != nil {
		return err
	}
	return d.MemDir.Remove(name)
}

type failFile struct {
	wal.File
	d *failDir
}

func (f *failFile) Write(p []byte) (int, error) {
	if err := f.d.spend(); err != nil {
		return 0, err
	}
	return f.File.Write(p)
}

func (f *failFile) Sync() error {
	if err := f.d.spend(); err != nil {
		return err
	}
	return f.File.Sync()
}

func (f *failFile) Truncate(n int64) error {
	if err := f.d.spend(); err != nil {
		return err
	}
	return f.File.Truncate(n)
}

// TestCompactIsAtomic crashes Compact after every possible number of disk
// operations: recovery must yield either the old log or the new one.
func TestCompactIsAtomic(t *testing.T) {
	hs := raftimpl.HardState{Term: 1, Vote: 1, Commit: 5}
	snap := raftimpl.Snapshot{Metadata: raftimpl.SnapshotMetadata{Index: 4, Term: 1,
		ConfState: raftimpl.ConfState{Voters: []raftimpl.NodeID{1}}}, Data: []byte("s")}
	for budget := 0; ; budget++ {
		mem := wal.NewMemDir()
		w, _, err := wal.Open(mem)
		require.NoError(t, err)
		require.NoError(t, w.Save(hs, ents(1, 1, 6), true))
		fd := &failDir{MemDir: mem, budget: budget}
		w, _, err = wal.Open(fd)
		require.NoError(t, err)
		err = w.Compact(snap, hs, ents(1, 1, 6))
		mem.Crash(0)
		_, st, oerr := wal.Open(mem)
		require.NoError(t, oerr, "budget %d", budget)
		if st.Snapshot.IsEmpty() {
			require.Equal(t, ents(1, 1, 6), st.Entries, "budget %d: old log", budget)
		} else {
			require.Equal(t, snap, st.Snapshot, "budget %d", budget)
			require.Equal(t, ents(1, 5, 6), st.Entries, "budget %d: new log", budget)
		}
		require.Equal(t, hs, st.HardState)
		if err == nil {
			require.False(t, st.Snapshot.IsEmpty())
			return
		}
		require.ErrorIs(t, err, errInjected)
		// After a failed write the WAL refuses further use.
		require.ErrorIs(t, w.Save(hs, nil, true), wal.ErrClosed)
	}
}

// FuzzOpen replays arbitrary bytes as a WAL: it may fail, never panic, and
// what it recovers replays identically a second time.
func FuzzOpen(f *testing.F) {
	dir := wal.NewMemDir()
	w, _, _ := wal.Open(dir)
	_ = w.Save(raftimpl.HardState{Term: 1, Vote: 1, Commit: 1}, ents(1, 1, 3), true)
	seed := make([]byte, dir.OpenMem("wal").Size())
	_, _ = dir.OpenMem("wal").ReadAt(seed, 0)
	f.Add(seed)
	f.Add(seed[:40])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := wal.NewMemDir()
		_, _ = dir.OpenMem("wal").Write(data)
		_, st, err := wal.Open(dir)
		if err != nil {
			return
		}
		_, again, err := wal.Open(dir)
		require.NoError(t, err)
		require.Equal(t, st, again)
	})
}

// FuzzSnapshotFile replays a log that names a snapshot whose file holds
// arbitrary bytes: Open may refuse, never panic.
func FuzzSnapshotFile(f *testing.F) {
	good := wal.NewMemDir()
	w, _, _ := wal.Open(good)
	snap := raftimpl.Snapshot{Metadata: raftimpl.SnapshotMetadata{Index: 5, Term: 1,
		ConfState: raftimpl.ConfState{Voters: []raftimpl.NodeID{1, 2}}}, Data: []byte("s")}
	_ = w.Compact(snap, raftimpl.HardState{Term: 1, Commit: 5}, nil)
	snapFile := good.OpenMem("snap-0000000000000005")
	seed := make([]byte, snapFile.Size())
	_, _ = snapFile.ReadAt(seed, 0)
	walFile := good.OpenMem("wal")
	log := make([]byte, walFile.Size())
	_, _ = walFile.ReadAt(log, 0)
	f.Add(seed)
	f.Add(seed[:20])
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := wal.NewMemDir()
		_, _ = dir.OpenMem("wal").Write(log)
		_, _ = dir.OpenMem("snap-0000000000000005").Write(data)
		_, st, err := wal.Open(dir)
		if err == nil {
			require.Equal(t, raftimpl.LogIndex(5), st.Snapshot.Metadata.Index)
		}
	})
}
