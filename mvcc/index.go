package mvcc

import (
	"bytes"
	"sort"
)

// index maps user keys to their keyIndex, as etcd's treeIndex does. Point
// lookups use a map; ranges use a slice kept sorted by key.
//
// Invariant: byKey and sorted hold the same keyIndexes; sorted is strictly
// ascending by key.
// Moves: keys enter only in put/restore, and leave only in compact.
type index struct {
	byKey  map[string]*keyIndex
	sorted []*keyIndex
}

func newIndex() *index {
	return &index{byKey: make(map[string]*keyIndex)}
}

// lookup returns the keyIndex of key, or nil.
func (ix *index) lookup(key []byte) *keyIndex {
	return ix.byKey[string(key)]
}

// getOrCreate returns the keyIndex of key, inserting an empty one if needed.
// key MUST NOT be modified afterwards: the index keeps it.
func (ix *index) getOrCreate(key []byte) *keyIndex {
	if ki := ix.byKey[string(key)]; ki != nil {
		return ki
	}
	ki := newKeyIndex(key)
	ix.byKey[string(key)] = ki
	n := len(ix.sorted)
	if n == 0 || bytes.Compare(ix.sorted[n-1].key, key) < 0 {
		ix.sorted = append(ix.sorted, ki) // common case: keys arrive in order
		return ki
	}
	i := ix.seek(key)
	ix.sorted = append(ix.sorted, nil)
	copy(ix.sorted[i+1:], ix.sorted[i:])
	ix.sorted[i] = ki
	return ki
}

// get returns the value revision, creation revision and version of key at atRev.
func (ix *index) get(key []byte, atRev int64) (modified, created revision, ver int64, ok bool) {
	ki := ix.lookup(key)
	if ki == nil {
		return revision{}, revision{}, 0, false
	}
	return ki.get(atRev)
}

// seek returns the position of the first key >= key in sorted.
func (ix *index) seek(key []byte) int {
	return sort.Search(len(ix.sorted), func(i int) bool {
		return bytes.Compare(ix.sorted[i].key, key) >= 0
	})
}

// visit calls f, in key order, on every keyIndex in [key, end); end empty
// means no upper bound. It stops when f returns false. Point lookups (end ==
// nil) are the caller's job.
func (ix *index) visit(key, end []byte, f func(ki *keyIndex) bool) {
	for i := ix.seek(key); i < len(ix.sorted); i++ {
		ki := ix.sorted[i]
		if len(end) > 0 && bytes.Compare(ki.key, end) >= 0 {
			return
		}
		if !f(ki) {
			return
		}
	}
}

// revisions returns the value revisions of the keys live at atRev in the
// range, at most limit of them when limit > 0, and the total number of live
// keys (etcd's treeIndex.Revisions). end nil means the single key.
func (ix *index) revisions(key, end []byte, atRev int64, limit int) (revs []revision, total int) {
	if end == nil {
		if rev, _, _, ok := ix.get(key, atRev); ok {
			return []revision{rev}, 1
		}
		return nil, 0
	}
	ix.visit(key, end, func(ki *keyIndex) bool {
		if rev, _, _, ok := ki.get(atRev); ok {
			if limit <= 0 || len(revs) < limit {
				revs = append(revs, rev)
			}
			total++
		}
		return true
	})
	return revs, total
}

// countRevisions returns the number of keys live at atRev in the range.
func (ix *index) countRevisions(key, end []byte, atRev int64) int {
	if end == nil {
		if _, _, _, ok := ix.get(key, atRev); ok {
			return 1
		}
		return 0
	}
	total := 0
	ix.visit(key, end, func(ki *keyIndex) bool {
		if _, _, _, ok := ki.get(atRev); ok {
			total++
		}
		return true
	})
	return total
}

// liveKeys returns the keys live at atRev in the range, in key order.
func (ix *index) liveKeys(key, end []byte, atRev int64) [][]byte {
	if end == nil {
		if _, _, _, ok := ix.get(key, atRev); ok {
			return [][]byte{ix.lookup(key).key}
		}
		return nil
	}
	var keys [][]byte
	ix.visit(key, end, func(ki *keyIndex) bool {
		if _, _, _, ok := ki.get(atRev); ok {
			keys = append(keys, ki.key)
		}
		return true
	})
	return keys
}

// compact compacts every key at atRev, drops keys left empty, and returns
// the set of revisions at or below atRev that must stay in the backend and
// how many tombstones at atRev were kept.
func (ix *index) compact(atRev int64) (map[revision]struct{}, int) {
	keep := make(map[revision]struct{})
	kept := ix.sorted[:0]
	tombs := 0
	for _, ki := range ix.sorted {
		if ki.compact(atRev, keep) {
			tombs++
		}
		if ki.isEmpty() {
			delete(ix.byKey, string(ki.key))
			continue
		}
		kept = append(kept, ki)
	}
	clear(ix.sorted[len(kept):])
	ix.sorted = kept
	return keep, tombs
}

// checkInvariants asserts the shape described on index; whole-structure.
func (ix *index) checkInvariants() {
	if !(len(ix.byKey) == len(ix.sorted)) {
		panicf("index: map %d != sorted %d", len(ix.byKey), len(ix.sorted))
	}
	for i, ki := range ix.sorted {
		if i > 0 {
			if !(bytes.Compare(ix.sorted[i-1].key, ki.key) < 0) {
				panicf("index: %q !< %q", ix.sorted[i-1].key, ki.key)
			}
		}
		if !(ix.byKey[string(ki.key)] == ki) {
			panicf("index: %q missing from map", ki.key)
		}
		ki.checkInvariants()
	}
}
