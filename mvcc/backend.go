package mvcc

import "etcdsim/mvcc/etcdapi"

// record is one stored revision of a key: a put (kv complete) or a
// tombstone (kv.Key only).
type record struct {
	rev  revision
	tomb bool
	kv   etcdapi.KeyValue
}

// metaKey names an int64 kept beside the data, in the same batch.
type metaKey string

// Meta keys, named as etcd's meta bucket names them where etcd has one.
const (
	metaConsistentIndex metaKey = "consistent_index"
	metaCompactRev      metaKey = "finishedCompactRev"
)

// leaseRecord is the durable part of a lease: its ID and granted TTL.
type leaseRecord struct {
	id  LeaseID
	ttl int64
}

// backend stores revisions, meta values and leases. Writes go into the
// current batch; commit makes the batch durable. Reads see uncommitted
// writes. A backend is driven from one goroutine.
type backend interface {
	// get returns the put stored at rev.
	get(rev revision) (etcdapi.KeyValue, bool, error)
	// scan calls f on every record with lo <= rev < hi, in revision order,
	// until f returns false. The record is valid only during the call.
	scan(lo, hi revision, f func(r *record) bool) error
	// put stores r. The backend keeps r.kv's slices: they MUST NOT change.
	put(r record) error
	// compact deletes every record with rev.main <= atRev not in keep.
	compact(atRev int64, keep map[revision]struct{}) error
	putMeta(k metaKey, v int64) error
	// getMeta reports ok false for a key never written.
	getMeta(k metaKey) (v int64, ok bool, err error)
	putLease(l leaseRecord) error
	deleteLease(id LeaseID) error
	// leases returns every stored lease in ID order.
	leases() ([]leaseRecord, error)
	// putAlarm stores a raised alarm; deleteAlarm removes one, if stored.
	// Alarms do not count in size (etcd's alarm bucket is a few bytes).
	putAlarm(a alarmRecord) error
	deleteAlarm(a alarmRecord) error
	// alarms returns every stored alarm, ordered by compareAlarms.
	alarms() ([]alarmRecord, error)
	// size is the logical size in bytes of what is stored (for the quota);
	// it is the same on every member that applied the same requests.
	size() int64
	// commit makes the batch durable.
	commit() error
	// close commits and releases resources; abandon drops the uncommitted
	// batch first, as a crash would.
	close() error
	abandon() error
	// reset deletes everything (before a restore), in the current batch.
	reset() error
}
