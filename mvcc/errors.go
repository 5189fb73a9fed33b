package mvcc

import "errors"

// Sentinel errors. Each mirrors the etcd v3.5 error of the same meaning
// (rpctypes.ErrGRPC*, mvcc.Err*, lease.Err*); the text keeps etcd's wording
// with this package's prefix. Test with errors.Is.

// Request validation (etcd's API layer, done here because there is none).
var (
	// ErrEmptyKey is returned when a request names no key (etcd: "key is not provided").
	ErrEmptyKey = errors.New("mvcc: key is not provided")
	// ErrKeyNotFound is returned when IgnoreValue or IgnoreLease finds no key, and
	// for a RequestOp with no operation set, as etcd does.
	ErrKeyNotFound = errors.New("mvcc: key not found")
	// ErrValueProvided is returned when a put sets both IgnoreValue and a value.
	ErrValueProvided = errors.New("mvcc: value is provided")
	// ErrLeaseProvided is returned when a put sets both IgnoreLease and a lease.
	ErrLeaseProvided = errors.New("mvcc: lease is provided")
	// ErrInvalidSortOption is returned for an unknown SortOrder or SortTarget.
	ErrInvalidSortOption = errors.New("mvcc: invalid sort option")
	// ErrDuplicateKey is returned when a txn writes one key twice (etcd's
	// "duplicate key given in txn request").
	ErrDuplicateKey = errors.New("mvcc: duplicate key given in txn request")
	// ErrTooManyOps is returned when a txn has more than Config.MaxTxnOps
	// compares or operations in one list.
	ErrTooManyOps = errors.New("mvcc: too many operations in txn request")
	// ErrRequestTooLarge is returned when a request's encoded size exceeds
	// Config.MaxRequestBytes.
	ErrRequestTooLarge = errors.New("mvcc: request is too large")
)

// Revisions.
var (
	// ErrCompacted is returned when a read, a compaction or a watch asks for a
	// revision that compaction already removed.
	ErrCompacted = errors.New("mvcc: required revision has been compacted")
	// ErrFutureRev is returned when a read or a compaction names a revision
	// above the current one.
	ErrFutureRev = errors.New("mvcc: required revision is a future revision")
)

// Quota and alarms.
var (
	// ErrNoSpace is returned for writes while the NOSPACE alarm is raised, and
	// by the write that exceeds the quota and raises it.
	ErrNoSpace = errors.New("mvcc: database space exceeded")
)

// Leases.
var (
	// ErrLeaseNotFound is returned when a request names a lease that does not exist.
	ErrLeaseNotFound = errors.New("mvcc: lease not found")
	// ErrLeaseExists is returned when LeaseGrant names an ID already in use.
	ErrLeaseExists = errors.New("mvcc: lease already exists")
	// ErrGRPCLeaseTTLTooLarge is returned when LeaseGrant asks a TTL above leaseTTLMax.
	ErrGRPCLeaseTTLTooLarge = errors.New("mvcc: too large lease TTL")
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
