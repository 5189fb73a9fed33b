package linearizability

import (
	"bytes"
	"sort"
	"strings"

	"etcdsim/mvcc/etcdapi"
)

// etcdState is the etcd model's state: an immutable multi-version store.
// Steps never modify a state; they build a new one that shares every
// unchanged version chain, so a step costs O(keys) and equal states are
// cheap to recognise (hash first, then pointer-equal chains).
type etcdState struct {
	// rev is the store's current revision; compactRev the last compaction
	// revision, -1 before any (etcd's compactMainRev).
	// Invariant: rev >= 1; compactRev <= rev.
	rev        Revision
	compactRev Revision
	// keys holds every key ever written, sorted, with its version chain.
	keys []keyChain
	// leases holds the granted, unrevoked leases, sorted.
	leases []leaseID
	// ended is set once the end-of-history marker is linearized.
	ended bool
	// hash summarises all of the above (see rehash).
	hash uint64
}

// keyChain is one key's history, newest version first. key is shared with
// the request that first wrote it.
type keyChain struct {
	key  []byte
	head *version
}

// version is one revision of a key: a value, or a tombstone when deleted
// (whose kv holds only Key and ModRevision, as a delete event's does).
// Versions are immutable and shared between states and responses: the
// model's responses point at their kv.
type version struct {
	kv      etcdapi.KeyValue // kv.ModRevision is the revision that wrote this version
	deleted bool
	next    *version
	// hash covers this version and all older ones.
	hash uint64
}

// newVersion builds a version on top of next, hashing it.
func newVersion(kv etcdapi.KeyValue, deleted bool, next *version) *version {
	h := hashBytes(hashSeed, kv.Key)
	h = hashBytes(h, kv.Value)
	h = hashInt(h, kv.CreateRevision)
	h = hashInt(h, kv.ModRevision)
	h = hashInt(h, kv.Version)
	h = hashInt(h, kv.Lease)
	if deleted {
		h = hashInt(h, -1)
	}
	if next != nil {
		h = hashInt(h, int64(next.hash))
	}
	return &version{kv: kv, deleted: deleted, next: next, hash: h}
}

// initialEtcdState is the empty store at revision 1, never compacted.
var initialEtcdState = (&etcdState{rev: 1, compactRev: -1}).rehash()

// rehash recomputes st.hash in place; only for states under construction.
func (st *etcdState) rehash() *etcdState {
	h := hashInt(hashSeed, int64(st.rev))
	h = hashInt(h, int64(st.compactRev))
	for _, kc := range st.keys {
		h = hashInt(h, int64(kc.head.hash))
	}
	for _, l := range st.leases {
		h = hashInt(h, int64(l))
	}
	if st.ended {
		h = hashInt(h, -2)
	}
	st.hash = h
	return st
}

// checkInvariants asserts the state's structure (keys sorted, chain heads
// newest first, revisions within bounds). Older versions were checked
// when they were heads, and versions never change.
func (st *etcdState) checkInvariants() {
	// The checks run on every step: test first, so that the arguments
	// are only boxed for a failing assertion.
	if st.rev < 1 || st.compactRev > st.rev {
		assertf(false, "rev %v, compactRev %v", st.rev, st.compactRev)
	}
	for i, kc := range st.keys {
		if i > 0 && bytes.Compare(st.keys[i-1].key, kc.key) >= 0 {
			assertf(false, "keys unsorted at %q", kc.key)
		}
		v := kc.head
		if v == nil {
			assertf(false, "%q has no versions", kc.key)
		}
		if Revision(v.kv.ModRevision) > st.rev {
			assertf(false, "%q mod %v > rev %v", kc.key, v.kv.ModRevision, st.rev)
		}
		if v.next != nil && v.next.kv.ModRevision >= v.kv.ModRevision {
			assertf(false, "%q chain not newest first", kc.key)
		}
	}
}

// equalStates reports whether two states answer every request alike.
func equalStates(a, b *etcdState) bool {
	if a == b {
		return true
	}
	if a.hash != b.hash || a.rev != b.rev || a.compactRev != b.compactRev || a.ended != b.ended {
		return false
	}
	if len(a.keys) != len(b.keys) || len(a.leases) != len(b.leases) {
		return false
	}
	for i := range a.leases {
		if a.leases[i] != b.leases[i] {
			return false
		}
	}
	for i := range a.keys {
		if !bytes.Equal(a.keys[i].key, b.keys[i].key) ||
			!equalChains(a.keys[i].head, b.keys[i].head) {
			return false
		}
	}
	return true
}

// equalChains compares two version chains, stopping at a shared tail.
func equalChains(x, y *version) bool {
	for x != y {
		if x == nil || y == nil || x.hash != y.hash {
			return false
		}
		if x.deleted != y.deleted || !equalKV(&x.kv, &y.kv) {
			return false
		}
		x, y = x.next, y.next
	}
	return true
}

// find returns the index of key in st.keys and whether it is there.
func (st *etcdState) find(key []byte) (int, bool) {
	i := sort.Search(len(st.keys), func(i int) bool { return bytes.Compare(st.keys[i].key, key) >= 0 })
	return i, i < len(st.keys) && bytes.Equal(st.keys[i].key, key)
}

// at returns the key-value of the chain as of revision rev, or nil. It
// points into an immutable version: callers MUST NOT modify it.
func at(head *version, rev Revision) *etcdapi.KeyValue {
	for v := head; v != nil; v = v.next {
		if Revision(v.kv.ModRevision) <= rev {
			if v.deleted {
				return nil
			}
			return &v.kv
		}
	}
	return nil
}

// inRange reports whether key lies in etcd's range [lo, end): end empty
// means lo alone and end "\x00" means every key >= lo.
func inRange(key, lo, end []byte) bool {
	switch {
	case len(end) == 0:
		return bytes.Equal(key, lo)
	case len(end) == 1 && end[0] == 0:
		return bytes.Compare(key, lo) >= 0
	}
	return bytes.Compare(key, lo) >= 0 && bytes.Compare(key, end) < 0
}

// rangeAt appends to kvs the first limit (0: every; negative: none) live
// key-values of [lo, end) as of rev, in key order, and counts all of them. The
// key-values point into immutable versions: callers MUST NOT modify them.
func (st *etcdState) rangeAt(kvs []*etcdapi.KeyValue, lo, end []byte, rev Revision,
	limit int64) ([]*etcdapi.KeyValue, int64) {
	count := int64(0)
	i, _ := st.find(lo)
	for ; i < len(st.keys) && inRange(st.keys[i].key, lo, end); i++ {
		if kv := at(st.keys[i].head, rev); kv != nil {
			if limit == 0 || count < limit {
				kvs = append(kvs, kv)
			}
			count++
		}
	}
	return kvs, count
}

// hasLease reports whether lease id is granted.
func (st *etcdState) hasLease(id int64) bool {
	i := sort.Search(len(st.leases), func(i int) bool { return st.leases[i] >= leaseID(id) })
	return i < len(st.leases) && st.leases[i] == leaseID(id)
}

// everyKey is the range end of every key from the start key on.
var everyKey = []byte{0}

// describe prints the current key-values for the visualization.
func (st *etcdState) describe() string {
	var b strings.Builder
	b.WriteString(st.rev.String())
	if st.compactRev >= 0 {
		b.WriteString(" compacted@" + st.compactRev.String())
	}
	b.WriteString(" {")
	kvs, _ := st.rangeAt(nil, nil, everyKey, st.rev, 0)
	for i, kv := range kvs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(describeKeyValue(kv))
	}
	b.WriteString("}")
	return b.String()
}
