package wal

import (
	"fmt"
	"strconv"
	"strings"

	"etcdsim/raftimpl"
)

// File names in the WAL's directory. The log is one file; each snapshot is
// its own file named by index, so that a WAL rewrite (one rename) switches
// from one snapshot to the next atomically.
const (
	walName     = "wal"
	walTmpName  = "wal.tmp"
	snapPrefix  = "snap-"
	snapTmpName = "snap.tmp"
)

func snapName(i raftimpl.LogIndex) string { return fmt.Sprintf("%s%016x", snapPrefix, uint64(i)) }

// parseSnapName returns the index in a snapshot file name.
func parseSnapName(name string) (raftimpl.LogIndex, bool) {
	hex, ok := strings.CutPrefix(name, snapPrefix)
	if !ok {
		return 0, false
	}
	i, err := strconv.ParseUint(hex, 16, 64)
	return raftimpl.LogIndex(i), err == nil
}

// WAL is a node's write-ahead log: hard states and entries appended as
// framed, checksummed records, behind an optional snapshot.
type WAL struct {
	dir Dir
	f   File
	// hs is the last hard state written, repeated when the log is rewritten.
	hs raftimpl.HardState
	// snapIndex is the snapshot the log starts from (0: none).
	snapIndex raftimpl.LogIndex
	// buf is reused to encode each Save into one write.
	buf []byte
	// err is the first write error; after it the WAL refuses all writes,
	// since the file's tail is unknown (etcd panics here; we stop).
	err error
}

// Save appends the hard state (if not empty) then the entries in one write,
// then fsyncs if sync is set. Entries that rewrite an index replace the
// earlier ones on replay.
func (w *WAL) Save(hs raftimpl.HardState, ents []raftimpl.Entry, sync bool) error {
	if w.err != nil {
		return fmt.Errorf("%w: %w", ErrClosed, w.err)
	}
	for i := range ents {
		if len(ents[i].Data) > recordBytesMax-entryFixedBytes {
			return fmt.Errorf("%w: entry %v has %d bytes", ErrRecordTooLarge,
				ents[i].Index, len(ents[i].Data))
		}
	}
	// The hard state goes first: a torn write then never keeps entries of
	// a term the node has not durably entered.
	buf := w.buf[:0]
	if !hs.IsEmpty() {
		buf = appendHardState(buf, hs)
	}
	for i := range ents {
		buf = appendEntry(buf, &ents[i])
	}
	w.buf = buf
	if len(buf) == 0 {
		return nil
	}
	if _, err := w.f.Write(buf); err != nil {
		w.err = err
		return fmt.Errorf("wal: append to %s: %w", w.f.Name(), err)
	}
	if !hs.IsEmpty() {
		w.hs = hs
	}
	if sync {
		return w.Sync()
	}
	return nil
}

// Sync fsyncs the log file.
func (w *WAL) Sync() error {
	if w.err != nil {
		return fmt.Errorf("%w: %w", ErrClosed, w.err)
	}
	if err := w.f.Sync(); err != nil {
		w.err = err
		return fmt.Errorf("wal: sync %s: %w", w.f.Name(), err)
	}
	return nil
}

// SaveSnapshot installs a snapshot received from the leader (a Ready's
// Snapshot): it writes the snapshot file, then rewrites the log to start
// from it with no entries (the snapshot replaced them).
func (w *WAL) SaveSnapshot(snap raftimpl.Snapshot) error {
	hs := w.hs
	hs.Commit = max(hs.Commit, snap.Metadata.Index)
	return w.Compact(snap, hs, nil)
}

// Compact rewrites the log behind snap (LogCompact): the snapshot goes to
// its own file (framed, synced), then a new log holding a marker for it,
// hs, and ents (the persisted entries after the snapshot) replaces the old
// one by rename. A crash at any point leaves either the old or the new log,
// each with its snapshot.
func (w *WAL) Compact(snap raftimpl.Snapshot, hs raftimpl.HardState, ents []raftimpl.Entry) error {
	if w.err != nil {
		return fmt.Errorf("%w: %w", ErrClosed, w.err)
	}
	if len(snap.Data) > recordBytesMax-snapshotFixedBytes(&snap) {
		return fmt.Errorf("%w: snapshot of %d bytes", ErrRecordTooLarge, len(snap.Data))
	}
	if snap.Metadata.Index < w.snapIndex {
		return fmt.Errorf("%w: snapshot %v older than %v", raftimpl.ErrSnapOutOfDate,
			snap.Metadata.Index, w.snapIndex)
	}
	if err := w.writeFile(snapTmpName, snapName(snap.Metadata.Index),
		appendSnapshot(nil, &snap)); err != nil {
		return err
	}
	buf := appendSnapMarker(nil, snap.Metadata)
	buf = appendHardState(buf, hs)
	for i := range ents {
		if ents[i].Index > snap.Metadata.Index {
			buf = appendEntry(buf, &ents[i])
		}
	}
	if err := w.writeFile(walTmpName, walName, buf); err != nil {
		return err
	}
	f, err := w.dir.Open(walName)
	if err != nil {
		w.err = err
		return fmt.Errorf("wal: reopen %s: %w", walName, err)
	}
	w.f, w.hs, w.snapIndex = f, hs, snap.Metadata.Index
	w.removeStaleSnapshots()
	return nil
}

// writeFile writes data to tmp, syncs it, and renames it to name.
func (w *WAL) writeFile(tmp, name string, data []byte) error {
	f, err := w.dir.Open(tmp)
	if err == nil {
		err = f.Truncate(0)
	}
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if err == nil {
		err = w.dir.Rename(tmp, name)
	}
	if err != nil {
		w.err = err
		return fmt.Errorf("wal: write %s: %w", name, err)
	}
	return nil
}

// removeStaleSnapshots deletes snapshot files other than the current one
// and leftover temporary files.
func (w *WAL) removeStaleSnapshots() {
	for _, name := range w.dir.List() {
		i, ok := parseSnapName(name)
		if (ok && i != w.snapIndex) || name == snapTmpName || name == walTmpName {
			_ = w.dir.Remove(name) // best effort: a leftover is ignored on open
		}
	}
}
