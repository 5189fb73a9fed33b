package linearizability

import (
	"sort"
	"strings"
)

// etcdState is the etcd model's state: an immutable multi-version store.
// Steps never modify a state; they build a new one that shares every
// unchanged version chain, so a step costs O(keys) and equal states are
// cheap to recognise (hash first, then pointer-equal chains).
type etcdState struct {
	// rev is the store's current revision.
	// Invariant: rev >= 1; compactRev <= rev.
	rev        Revision
	compactRev Revision
	// keys holds every key ever written, sorted, with its version chain.
	keys []keyChain
	// leases holds the granted, unrevoked leases, sorted.
	leases []LeaseID
	// ended is set once the end-of-history marker is linearized.
	ended bool
	// hash summarises all of the above (see rehash).
	hash uint64
}

// keyChain is one key's history, newest version first.
type keyChain struct {
	key  string
	head *version
}

// version is one revision of a key: a value, or a tombstone when deleted.
// Versions are immutable and shared between states.
type version struct {
	kv      KeyValue // kv.ModRevision is the revision that wrote this version
	deleted bool
	next    *version
	// hash covers this version and all older ones.
	hash uint64
}

// newVersion builds a version on top of next, hashing it.
func newVersion(kv KeyValue, deleted bool, next *version) *version {
	h := hashString(hashSeed, kv.Key)
	h = hashString(h, kv.Value)
	h = hashInt(h, int64(kv.CreateRevision))
	h = hashInt(h, int64(kv.ModRevision))
	h = hashInt(h, kv.Version)
	h = hashInt(h, int64(kv.Lease))
	if deleted {
		h = hashInt(h, -1)
	}
	if next != nil {
		h = hashInt(h, int64(next.hash))
	}
	return &version{kv: kv, deleted: deleted, next: next, hash: h}
}

// initialEtcdState is the empty store at revision 1.
var initialEtcdState = (&etcdState{rev: 1}).rehash()

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
		if i > 0 && st.keys[i-1].key >= kc.key {
			assertf(false, "keys unsorted at %q", kc.key)
		}
		v := kc.head
		if v == nil {
			assertf(false, "%q has no versions", kc.key)
		}
		if v.kv.ModRevision > st.rev {
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
		if a.keys[i].key != b.keys[i].key || !equalChains(a.keys[i].head, b.keys[i].head) {
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
		if x.deleted != y.deleted || x.kv != y.kv {
			return false
		}
		x, y = x.next, y.next
	}
	return true
}

// find returns the index of key in st.keys and whether it is there.
func (st *etcdState) find(key string) (int, bool) {
	i := sort.Search(len(st.keys), func(i int) bool { return st.keys[i].key >= key })
	return i, i < len(st.keys) && st.keys[i].key == key
}

// at returns the key-value of the chain as of revision rev, or nil. It
// points into an immutable version: callers MUST NOT modify it.
func at(head *version, rev Revision) *KeyValue {
	for v := head; v != nil; v = v.next {
		if v.kv.ModRevision <= rev {
			if v.deleted {
				return nil
			}
			return &v.kv
		}
	}
	return nil
}

// inRange reports whether key lies in etcd's range [lo, end): end "" means
// lo alone and end "\x00" means every key >= lo.
func inRange(key, lo, end string) bool {
	switch end {
	case "":
		return key == lo
	case "\x00":
		return key >= lo
	}
	return key >= lo && key < end
}

// rangeAt lists the live key-values of [lo, end) as of rev, in key order.
func (st *etcdState) rangeAt(lo, end string, rev Revision) []KeyValue {
	var kvs []KeyValue
	i, _ := st.find(lo)
	for ; i < len(st.keys) && inRange(st.keys[i].key, lo, end); i++ {
		if kv := at(st.keys[i].head, rev); kv != nil {
			kvs = append(kvs, *kv)
		}
	}
	return kvs
}

// hasLease reports whether lease id is granted.
func (st *etcdState) hasLease(id LeaseID) bool {
	i := sort.Search(len(st.leases), func(i int) bool { return st.leases[i] >= id })
	return i < len(st.leases) && st.leases[i] == id
}

// describe prints the current key-values for the visualization.
func (st *etcdState) describe() string {
	var b strings.Builder
	b.WriteString(st.rev.String())
	if st.compactRev > 0 {
		b.WriteString(" compacted@" + st.compactRev.String())
	}
	b.WriteString(" {")
	first := true
	for _, kv := range st.rangeAt("", "\x00", st.rev) {
		if !first {
			b.WriteString(", ")
		}
		first = false
		b.WriteString(describeKeyValue(kv))
	}
	b.WriteString("}")
	return b.String()
}
