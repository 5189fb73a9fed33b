package mvcc

// keyIndex records every revision of one user key, as etcd's key_index.go
// does. A key's life from creation to deletion is a generation; a delete
// appends a tombstone revision to the current generation and opens a new,
// empty one. Example: put@1, put@2, delete@3, put@4 gives
//
//	generations: {created 1, ver 3, revs [1 2 3(t)]}, {created 4, ver 1, revs [4]}
//
// Invariant: generations is never empty; only the last generation may be
// empty, and every earlier one ends with its tombstone.
// Invariant: modified is the largest revision in any generation.
type keyIndex struct {
	key         []byte
	modified    revision
	generations []generation
}

// generation is one life of a key. ver counts the puts of this life
// (including the tombstone); compaction trims revs but never ver.
type generation struct {
	ver     int64
	created revision
	revs    []revision
}

func (g *generation) isEmpty() bool { return g == nil || len(g.revs) == 0 }

// walk visits revs newest first and returns the index where f returned
// false, or -1.
func (g *generation) walk(f func(rev revision) bool) int {
	for i := len(g.revs) - 1; i >= 0; i-- {
		if !f(g.revs[i]) {
			return i
		}
	}
	return -1
}

func newKeyIndex(key []byte) *keyIndex {
	return &keyIndex{key: key, generations: []generation{{}}}
}

// put records a put of the key at rev.
func (ki *keyIndex) put(rev revision) {
	if !(rev.greaterThan(ki.modified)) {
		panicf("put %v not after modified %v of %q", rev, ki.modified, ki.key)
	}
	g := &ki.generations[len(ki.generations)-1]
	if len(g.revs) == 0 {
		g.created = rev
	}
	g.revs = append(g.revs, rev)
	g.ver++
	ki.modified = rev
}

// restore starts a key recovered from the backend, whose oldest kept
// revision is modified, created at created, with version ver.
func (ki *keyIndex) restore(created, modified revision, ver int64) {
	if !(len(ki.generations) == 1 && ki.generations[0].isEmpty()) {
		panicf("restore of non-empty %q", ki.key)
	}
	ki.modified = modified
	ki.generations[0] = generation{created: created, ver: ver, revs: []revision{modified}}
}

// restoreTombstone starts a key recovered from the backend whose only kept
// revision is its tombstone (its puts were compacted), as etcd does since
// PR 19188, so that the next compaction removes the tombstone.
func (ki *keyIndex) restoreTombstone(rev revision) {
	ki.restore(revision{}, rev, 1)
	ki.generations = append(ki.generations, generation{})
}

// tombstone ends the current generation with a delete at rev. It reports
// false when the key is not live (nothing to delete).
func (ki *keyIndex) tombstone(rev revision) bool {
	if ki.generations[len(ki.generations)-1].isEmpty() {
		return false
	}
	ki.put(rev)
	ki.generations = append(ki.generations, generation{})
	return true
}

// isEmpty reports whether nothing of the key remains.
func (ki *keyIndex) isEmpty() bool {
	return len(ki.generations) == 1 && ki.generations[0].isEmpty()
}

// findGeneration returns the generation live at main revision atRev, or nil.
func (ki *keyIndex) findGeneration(atRev int64) *generation {
	last := len(ki.generations) - 1
	for cg := last; cg >= 0; cg-- {
		g := &ki.generations[cg]
		if len(g.revs) == 0 {
			continue
		}
		if cg != last && g.revs[len(g.revs)-1].main <= atRev {
			return nil // deleted at or before atRev
		}
		if g.revs[0].main <= atRev {
			return g
		}
	}
	return nil
}

// get returns the revision of the key's value at atRev, its creation
// revision and version; ok is false when the key is not live at atRev.
func (ki *keyIndex) get(atRev int64) (modified, created revision, ver int64, ok bool) {
	g := ki.findGeneration(atRev)
	if g.isEmpty() {
		return revision{}, revision{}, 0, false
	}
	n := g.walk(func(rev revision) bool { return rev.main > atRev })
	if n == -1 {
		return revision{}, revision{}, 0, false
	}
	return g.revs[n], g.created, g.ver - int64(len(g.revs)-n-1), true
}

// compact drops the revisions that no read at or after atRev can need, and
// adds to keep the revision that stays the key's value at atRev. It mirrors
// etcd's keyIndex.compact since v3.5.15 (etcd PR 18274): a tombstone at
// exactly atRev stays, so that a watch from atRev still sees the delete.
// It reports whether it kept such a tombstone.
func (ki *keyIndex) compact(atRev int64, keep map[revision]struct{}) (keptTombstone bool) {
	genIdx, revIdx := ki.doCompact(atRev, keep)
	g := &ki.generations[genIdx]
	if !g.isEmpty() && revIdx != -1 {
		g.revs = g.revs[revIdx:]
		keptTombstone = genIdx != len(ki.generations)-1 && len(g.revs) == 1
	}
	ki.generations = ki.generations[genIdx:]
	if len(ki.generations) == 0 {
		panicf("compact of %q left no generation", ki.key)
	}
	return keptTombstone
}

// doCompact finds the first generation that reaches atRev and, in it, the
// newest revision at or below atRev (added to keep).
func (ki *keyIndex) doCompact(atRev int64, keep map[revision]struct{}) (genIdx, revIdx int) {
	g := &ki.generations[0]
	for genIdx < len(ki.generations)-1 {
		if tomb := g.revs[len(g.revs)-1].main; tomb >= atRev {
			break
		}
		genIdx++
		g = &ki.generations[genIdx]
	}
	revIdx = g.walk(func(rev revision) bool {
		if rev.main <= atRev {
			keep[rev] = struct{}{}
			return false
		}
		return true
	})
	// A txn can end a generation and start the next in the same main
	// revision (a delete from a key on, then a put of a key in that range:
	// etcd's duplicate-key check misses it). The new generation's first
	// revision is then at or below atRev and is the key's value at atRev:
	// keep it too. etcd drops it and loses the key (etcd-io/etcd#22376;
	// v3.6.5, and v3.6.16 and v3.7.3 by their source); we keep reads at
	// atRev unchanged instead.
	for i := genIdx + 1; i < len(ki.generations); i++ {
		for _, rev := range ki.generations[i].revs {
			if rev.main <= atRev {
				keep[rev] = struct{}{}
			}
		}
	}
	return genIdx, revIdx
}

// checkInvariants asserts the shape described on keyIndex.
func (ki *keyIndex) checkInvariants() {
	if !(len(ki.generations) > 0) {
		panicf("key %q has no generation", ki.key)
	}
	var prev revision
	for i := range ki.generations {
		g := &ki.generations[i]
		last := i == len(ki.generations)-1
		if !(last || len(g.revs) > 0) {
			panicf("key %q: empty generation %d not last", ki.key, i)
		}
		for _, r := range g.revs {
			if !(r.greaterThan(prev) || r == prev && prev == revision{}) {
				panicf("key %q: revs out of order", ki.key)
			}
			prev = r
		}
		if !(g.ver >= int64(len(g.revs))) {
			panicf("key %q: ver %d < %d revs", ki.key, g.ver, len(g.revs))
		}
	}
	assertf(prev == revision{} || prev == ki.modified, "key %q: modified %v != newest %v",
		ki.key, ki.modified, prev)
}
