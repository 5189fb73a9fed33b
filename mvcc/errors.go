package mvcc

import "errors"

// Sentinel errors internal to the store. The errors of etcd's API that the
// store returns (a compacted or future revision, a missing key or lease, a
// bad request, the NOSPACE alarm) are etcdapi's: etcd's own text and gRPC
// code, tested with errors.Is against etcdapi.ErrCompacted and the like.
// The ones below have no etcd API counterpart: a client never sees them.

// Leases.
var (
	// ErrNotPrimary is returned by lease calls that only the primary lessor
	// (the leader's store) may serve.
	ErrNotPrimary = errors.New("mvcc: not a primary lessor")
)

// Watch.
var (
	// ErrEmptyWatcherRange is returned when a watch's RangeEnd is not above its Key.
	ErrEmptyWatcherRange = errors.New("mvcc: watcher range is empty")
	// ErrWatcherDuplicateID is returned when a watch asks for an ID in use.
	ErrWatcherDuplicateID = errors.New("mvcc: duplicate watch ID provided on the WatchStream")
	// ErrWatcherNotExist is returned when Cancel names an unknown watch.
	ErrWatcherNotExist = errors.New("mvcc: watcher does not exist")
	// ErrTooManyWatchers is returned when a stream already holds watchersPerStreamMax.
	ErrTooManyWatchers = errors.New("mvcc: too many watchers on the stream")
)

// Storage and snapshots.
var (
	// ErrSnapshotCorrupt is returned by Restore for a stream that is truncated,
	// fails its checksum or does not decode; nothing is applied.
	ErrSnapshotCorrupt = errors.New("mvcc: snapshot is corrupt")
	// ErrSnapshotVersion is returned by Restore for an unknown format version.
	ErrSnapshotVersion = errors.New("mvcc: unsupported snapshot version")
	// ErrCorruptRecord is returned when a stored revision or key-value record
	// does not decode.
	ErrCorruptRecord = errors.New("mvcc: corrupt record")
	// ErrClosed is returned by calls on a closed store.
	ErrClosed = errors.New("mvcc: store is closed")
)
