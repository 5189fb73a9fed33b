// Package wal is a Raft node's write-ahead log on a (simulated) disk, after
// etcd's wal: hard states and entries appended as framed records and
// fsynced before the node sends anything that depends on them, plus a
// snapshot file per snapshot.
//
// # Model
//
// The directory holds "wal" and at most one "snap-<index>". A record is
//
//	┌────────────┬────────────┬──────┬─────────────────┐
//	│ length u32 │ CRC32C u32 │ type │ payload         │
//	└────────────┴────────────┴──────┴─────────────────┘
//	  of payload   over type+payload
//
// with types hard state (term, vote, commit), entry (term, index, type,
// data) and snapshot marker (index, term). Save appends one write per
// Ready: the hard state first, then the entries. An entry at an index
// already present replaces it and everything after it on replay (the
// follower's truncation of a conflicting suffix). Compact (and SaveSnapshot
// for a snapshot received from the leader) writes the snapshot to its own
// file, then writes a new log — marker, hard state, the entries after the
// snapshot — to "wal.tmp", syncs it and renames it over "wal". The rename
// is the commit point: a crash before it leaves the old log and the old
// snapshot, after it the new ones.
//
// # Vocabulary
//
//   - Torn tail: the last, unsynced write cut by a crash. The last record
//     is torn when it is short (its length runs past the end of the file,
//     as the simulated disk's crash leaves it) or when it is whole but
//     its bytes in the sector it ends in are zeros (a sector allocated and
//     never written, as etcd's decoder decides); tail.go states the
//     checks. A torn record is dropped and the file truncated to the last
//     whole record.
//   - Corruption: any other damaged record, the last one included: one
//     that fails its CRC or cannot be decoded, a length or header the
//     writer never writes, a short record whose bytes are already a whole
//     record, a whole one whose damage one byte explains, or anything
//     followed by more data. A flipped bit in a synced record is always
//     corruption, never a tear. Open refuses with ErrCorrupt naming file
//     and byte offset, and neither truncates nor applies anything.
//
// # Invariants
//
// Replayed entries are contiguous from the snapshot index + 1; the
// recovered commit index lies between the snapshot index and the last
// entry; what Open recovered replays identically a second time.
//
// # Usage
//
//	w, st, err := wal.Open(dir)     // replays; st.Storage() feeds raftimpl.New
//	w.Save(rd.HardState, rd.Entries, rd.MustSync)
//	w.SaveSnapshot(rd.Snapshot)     // when a Ready carries one, before Save
//	w.Compact(snap, hs, entriesAfterSnap) // after the application snapshots
//
// # Not modeled
//
// Segment files and preallocation (etcd rolls 64 MB segments), zero-filled
// tails from preallocation or spanning several records (the first damaged
// record is then followed by more data: corruption), sectors of one write
// lost out of order, directory fsync (directory operations are durable at
// once in MemDir), and record-level encryption. Torn and damaged are told
// apart by what a crash can leave, not by knowing what was synced, so some
// damage still passes for a tear: in a last record that ends in zeros of
// its own, damage to two or more bytes before those zeros; in a last
// entry, a grown length plus any other damaged byte (a header checksum
// would close both). The other way round, a torn tail is refused as
// corrupt when a valid frame happens to lie inside it, or (odds about
// size/2^24) when one changed byte would explain its checksum. A length
// field damaged in the middle of the log is told apart from a torn tail
// by scanning for a valid record after it, which a payload that happens
// to contain a valid frame could fool.
package wal
