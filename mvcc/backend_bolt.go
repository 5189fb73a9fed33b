package mvcc

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"etcdsim/mvcc/etcdapi"
)

// Bucket names, as etcd names its buckets.
var (
	bucketKey   = []byte("key")
	bucketMeta  = []byte("meta")
	bucketLease = []byte("lease")
	bucketAlarm = []byte("alarm")
)

const (
	// batchOpsMax is how many writes a batch holds before the store commits
	// it at the next entry boundary (etcd's --backend-batch-limit default).
	batchOpsMax = 10000
	// defragTxBytesMax bounds one copy transaction of Defrag.
	defragTxBytesMax = 64 << 20
	boltFileMode     = 0o600
	// boltLockWait bounds the wait for the file lock, so that opening a file
	// another handle still holds fails instead of hanging.
	boltLockWait = time.Second
)

// boltOptions returns the bbolt options; noSync skips fsync on commit.
func boltOptions(noSync bool) *bolt.Options {
	return &bolt.Options{Timeout: boltLockWait, NoSync: noSync}
}

// boltBackend stores records in bbolt, keyed by encoded revision as etcd
// does. One write transaction stays open as the current batch; commit ends
// it and opens the next. Reads go through the same transaction, so they
// see the batch.
//
// Invariant: tx is open while the backend is.
type boltBackend struct {
	path    string
	noSync  bool
	db      *bolt.DB
	tx      *bolt.Tx
	pending int
	bytes   int64
}

// openBoltBackend opens (creating if needed) the bbolt file at path.
func openBoltBackend(path string, noSync bool) (*boltBackend, error) {
	db, err := bolt.Open(path, boltFileMode, boltOptions(noSync))
	if err != nil {
		return nil, fmt.Errorf("mvcc: open bbolt %s: %w", path, err)
	}
	b := &boltBackend{path: path, noSync: noSync, db: db}
	if err := b.begin(); err != nil {
		_ = db.Close()
		return nil, err
	}
	if err := b.measure(); err != nil {
		_ = b.abandon()
		return nil, err
	}
	return b, nil
}

// begin opens the next batch (a bbolt write transaction) and makes sure
// the buckets exist.
func (b *boltBackend) begin() error {
	tx, err := b.db.Begin(true)
	if err != nil {
		return fmt.Errorf("mvcc: begin bbolt batch: %w", err)
	}
	for _, name := range [][]byte{bucketKey, bucketMeta, bucketLease, bucketAlarm} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("mvcc: create bucket %s: %w", name, err)
		}
	}
	b.tx, b.pending = tx, 0
	return nil
}

// measure computes the logical size of what the file holds.
func (b *boltBackend) measure() error {
	b.bytes = 0
	err := b.scan(revision{}, revision{main: maxRevMain}, func(r *record) bool {
		b.bytes += recordCost(&r.kv)
		return true
	})
	b.bytes += b.leaseCount() * leaseRecordBytes
	return err
}

func (b *boltBackend) get(rev revision) (etcdapi.KeyValue, bool, error) {
	var kb [markedRevLen]byte
	v := b.tx.Bucket(bucketKey).Get(appendRevBytes(kb[:0], rev, false))
	if v == nil {
		return etcdapi.KeyValue{}, false, nil
	}
	kv, err := decodeKV(bytes.Clone(v))
	return kv, err == nil, err
}

func (b *boltBackend) scan(lo, hi revision, f func(r *record) bool) error {
	c := b.tx.Bucket(bucketKey).Cursor()
	var kb [markedRevLen]byte
	for k, v := c.Seek(appendRevBytes(kb[:0], lo, false)); k != nil; k, v = c.Next() {
		rev, tomb, err := decodeRevBytes(k)
		if err != nil {
			return err
		}
		if !hi.greaterThan(rev) {
			return nil
		}
		kv, err := decodeKV(bytes.Clone(v))
		if err != nil {
			return err
		}
		if !f(&record{rev: rev, tomb: tomb, kv: kv}) {
			return nil
		}
	}
	return nil
}

func (b *boltBackend) put(r record) error {
	k := appendRevBytes(make([]byte, 0, markedRevLen), r.rev, r.tomb)
	v := appendKV(nil, &r.kv)
	if err := b.tx.Bucket(bucketKey).Put(k, v); err != nil {
		return fmt.Errorf("mvcc: bbolt put %v: %w", r.rev, err)
	}
	b.pending++
	b.bytes += recordCost(&r.kv)
	return nil
}

// compact deletes, in the batch, the records at or below atRev not in keep.
func (b *boltBackend) compact(atRev int64, keep map[revision]struct{}) error {
	bk := b.tx.Bucket(bucketKey)
	var doomed [][]byte
	c := bk.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		rev, _, err := decodeRevBytes(k)
		if err != nil {
			return err
		}
		if rev.main > atRev {
			break
		}
		if _, ok := keep[rev]; ok {
			continue
		}
		kv, err := decodeKV(v)
		if err != nil {
			return err
		}
		b.bytes -= recordCost(&kv)
		doomed = append(doomed, bytes.Clone(k))
	}
	for _, k := range doomed {
		if err := bk.Delete(k); err != nil {
			return fmt.Errorf("mvcc: bbolt compact: %w", err)
		}
	}
	b.pending += len(doomed)
	return nil
}

func (b *boltBackend) putMeta(k metaKey, v int64) error {
	b.pending++
	return b.tx.Bucket(bucketMeta).Put([]byte(k), binary.BigEndian.AppendUint64(nil, uint64(v)))
}

func (b *boltBackend) getMeta(k metaKey) (int64, bool, error) {
	v := b.tx.Bucket(bucketMeta).Get([]byte(k))
	if v == nil {
		return 0, false, nil
	}
	if len(v) != 8 {
		return 0, false, fmt.Errorf("%w: meta %s of %d bytes", ErrCorruptRecord, k, len(v))
	}
	return int64(binary.BigEndian.Uint64(v)), true, nil
}

func leaseKey(id LeaseID) []byte { return binary.BigEndian.AppendUint64(nil, uint64(id)) }

// putLease stores l, counting it in the size if it is new.
func (b *boltBackend) putLease(l leaseRecord) error {
	bk := b.tx.Bucket(bucketLease)
	if bk.Get(leaseKey(l.id)) == nil {
		b.bytes += leaseRecordBytes
	}
	b.pending++
	return bk.Put(leaseKey(l.id), binary.AppendVarint(nil, l.ttl))
}

// deleteLease removes a lease, if stored.
func (b *boltBackend) deleteLease(id LeaseID) error {
	bk := b.tx.Bucket(bucketLease)
	if bk.Get(leaseKey(id)) != nil {
		b.bytes -= leaseRecordBytes
	}
	b.pending++
	return bk.Delete(leaseKey(id))
}

// leaseCount counts the stored leases (bbolt's bucket stats miss the
// uncommitted batch).
func (b *boltBackend) leaseCount() int64 {
	var n int64
	c := b.tx.Bucket(bucketLease).Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		n++
	}
	return n
}

// leases reads every lease; bbolt iterates keys (big-endian IDs) in order.
func (b *boltBackend) leases() ([]leaseRecord, error) {
	var ls []leaseRecord
	err := b.tx.Bucket(bucketLease).ForEach(func(k, v []byte) error {
		ttl, n := binary.Varint(v)
		if len(k) != 8 || n != len(v) {
			return fmt.Errorf("%w: lease record", ErrCorruptRecord)
		}
		ls = append(ls, leaseRecord{id: LeaseID(binary.BigEndian.Uint64(k)), ttl: ttl})
		return nil
	})
	return ls, err
}

// alarmKey is an alarm's key in its bucket: the type, then the member,
// big-endian (etcd keys its alarm bucket by the marshalled AlarmMember).
func alarmKey(a alarmRecord) []byte {
	k := binary.BigEndian.AppendUint32(nil, uint32(a.alarm))
	return binary.BigEndian.AppendUint64(k, a.member)
}

func (b *boltBackend) putAlarm(a alarmRecord) error {
	b.pending++
	return b.tx.Bucket(bucketAlarm).Put(alarmKey(a), []byte{})
}

func (b *boltBackend) deleteAlarm(a alarmRecord) error {
	b.pending++
	return b.tx.Bucket(bucketAlarm).Delete(alarmKey(a))
}

// alarms reads every alarm, ordered by compareAlarms (the key order puts
// negative types last, so they are sorted again).
func (b *boltBackend) alarms() ([]alarmRecord, error) {
	var as []alarmRecord
	err := b.tx.Bucket(bucketAlarm).ForEach(func(k, v []byte) error {
		if len(k) != 12 || len(v) != 0 {
			return fmt.Errorf("%w: alarm record", ErrCorruptRecord)
		}
		as = append(as, alarmRecord{alarm: etcdapi.AlarmType(int32(binary.BigEndian.Uint32(k))),
			member: binary.BigEndian.Uint64(k[4:])})
		return nil
	})
	slices.SortFunc(as, compareAlarms)
	return as, err
}

func (b *boltBackend) size() int64 { return b.bytes }

func (b *boltBackend) commit() error {
	if err := b.tx.Commit(); err != nil {
		return fmt.Errorf("mvcc: bbolt commit: %w", err)
	}
	return b.begin()
}

// maybeCommit commits once the batch holds batchOpsMax writes.
func (b *boltBackend) maybeCommit() error {
	if b.pending < batchOpsMax {
		return nil
	}
	return b.commit()
}

func (b *boltBackend) close() error {
	if err := b.tx.Commit(); err != nil {
		_ = b.db.Close()
		return fmt.Errorf("mvcc: bbolt commit: %w", err)
	}
	return b.db.Close()
}

func (b *boltBackend) abandon() error {
	_ = b.tx.Rollback()
	return b.db.Close()
}

// reset empties every bucket, in the batch.
func (b *boltBackend) reset() error {
	for _, name := range [][]byte{bucketKey, bucketMeta, bucketLease, bucketAlarm} {
		if err := b.tx.DeleteBucket(name); err != nil {
			return fmt.Errorf("mvcc: reset bucket %s: %w", name, err)
		}
		if _, err := b.tx.CreateBucket(name); err != nil {
			return fmt.Errorf("mvcc: reset bucket %s: %w", name, err)
		}
	}
	b.bytes = 0
	return nil
}

// defrag commits, then rewrites the file compactly with bbolt.Compact and
// reopens it, as etcd's defragmentation does.
func (b *boltBackend) defrag() error {
	if err := b.close(); err != nil {
		return err
	}
	tmp := b.path + ".defrag"
	if err := b.copyCompact(tmp); err != nil {
		_ = os.Remove(tmp)
		if rerr := b.reopen(); rerr != nil {
			return rerr
		}
		return err
	}
	if err := os.Rename(tmp, b.path); err != nil {
		return fmt.Errorf("mvcc: defrag rename: %w", err)
	}
	return b.reopen()
}

// copyCompact writes a compact copy of the file to tmp.
func (b *boltBackend) copyCompact(tmp string) error {
	src, err := bolt.Open(b.path, boltFileMode, boltOptions(b.noSync))
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := bolt.Open(tmp, boltFileMode, boltOptions(b.noSync))
	if err != nil {
		return err
	}
	if err := bolt.Compact(dst, src, defragTxBytesMax); err != nil {
		_ = dst.Close()
		return fmt.Errorf("mvcc: defrag: %w", err)
	}
	return dst.Close()
}

// reopen opens the file again after defrag and takes over its state.
func (b *boltBackend) reopen() error {
	nb, err := openBoltBackend(b.path, b.noSync)
	if err != nil {
		return err
	}
	*b = *nb
	return nil
}

// fileBytes is the bbolt file's size on disk.
func (b *boltBackend) fileBytes() int64 { return b.tx.Size() }

// checkInvariants recomputes the logical size and the revision order from
// the file; whole-structure.
func (b *boltBackend) checkInvariants() {
	var n int64
	var prev revision
	must(b.scan(revision{}, revision{main: maxRevMain}, func(r *record) bool {
		assertf(r.rev.greaterThan(prev), "bolt backend: %v !> %v", r.rev, prev)
		prev = r.rev
		n += recordCost(&r.kv)
		return true
	}))
	n += b.leaseCount() * leaseRecordBytes
	assertf(n == b.bytes, "bolt backend: size %d != %d", b.bytes, n)
}
