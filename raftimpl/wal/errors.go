package wal

import "errors"

// Opening and replaying (Open).
var (
	// ErrCorrupt is returned when a record fails its checksum, cannot be
	// decoded, or is damaged in a way a torn write cannot explain (the
	// last record included; doc.go's Vocabulary gives the rule); the
	// error names file and offset.
	ErrCorrupt = errors.New("wal: corrupt record")
	// ErrSnapshotMissing is returned when the log refers to a snapshot
	// that the snapshot file does not hold.
	ErrSnapshotMissing = errors.New("wal: snapshot missing")
)

// Writing (Save, SaveSnapshot, Compact).
var (
	// ErrRecordTooLarge is returned for a record above recordBytesMax.
	ErrRecordTooLarge = errors.New("wal: record too large")
	// ErrClosed is returned when the WAL is used after a failed write left
	// it in an unknown state.
	ErrClosed = errors.New("wal: closed after write error")
)
