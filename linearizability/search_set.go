package linearizability

import (
	"slices"
)

// linSet is the set of operations a search has linearized. Besides the
// set itself it keeps what lets a configuration be cached in space
// proportional to the operations in flight rather than to the history:
// the determinate operations linearized form a prefix (the words below
// lo, where every determinate operation is in) and a window above it;
// the indeterminate ones, few, are listed apart. A plain copy of the set
// per cached configuration cost memory with the square of the history:
// 16 GB for a two-minute run of 100 clients.
type linSet struct {
	bits bitset
	// done marks, per word, the bits that never hold a determinate
	// operation to linearize: indeterminate operations and the padding
	// past the last operation.
	done    bitset
	unknown bitset
	// lo is the first word with a determinate operation not linearized;
	// hi is one past the last word with one linearized.
	lo, hi int
	// hash is the Zobrist hash of the determinate operations linearized.
	hash uint64
	// consumed lists the indeterminate operations linearized, in the
	// order they were (the search undoes them in reverse).
	consumed []int
}

func newLinSet(n int, unknown bitset) linSet {
	s := linSet{bits: newBitset(n), done: unknown.clone(), unknown: unknown}
	for i := n; i < 64*len(s.done); i++ {
		s.done.set(i)
	}
	s.advanceLo()
	return s
}

// zobrist is operation i's random word in the hash (splitmix64).
func zobrist(i int) uint64 {
	z := uint64(i) + 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (s *linSet) has(i int) bool { return s.bits.has(i) }

func (s *linSet) set(i int) {
	assertf(!s.bits.has(i), "op %d linearized twice", i)
	s.bits.set(i)
	if s.unknown.has(i) {
		s.consumed = append(s.consumed, i)
		return
	}
	s.hash ^= zobrist(i)
	s.hi = max(s.hi, i/64+1)
	s.advanceLo()
}

// clear undoes set(i); the search undoes in the reverse order.
func (s *linSet) clear(i int) {
	assertf(s.bits.has(i), "op %d not linearized", i)
	s.bits.clear(i)
	if s.unknown.has(i) {
		last := len(s.consumed) - 1
		assertf(last >= 0 && s.consumed[last] == i, "indeterminate op %d undone out of order", i)
		s.consumed = s.consumed[:last]
		return
	}
	s.hash ^= zobrist(i)
	s.lo = min(s.lo, i/64)
	for s.hi > 0 && s.bits[s.hi-1]&^s.unknown[s.hi-1] == 0 {
		s.hi--
	}
}

func (s *linSet) advanceLo() {
	for s.lo < len(s.bits) && s.bits[s.lo]|s.done[s.lo] == ^uint64(0) {
		s.lo++
	}
}

// linKey is a cached copy of a linSet.
type linKey struct {
	lo int
	// window holds the determinate operations linearized in words lo to
	// hi-1 (empty when hi <= lo).
	window []uint64
	// consumed is sorted.
	consumed []int
}

// key copies the set for the cache.
func (s *linSet) key() linKey {
	k := linKey{lo: s.lo}
	for w := s.lo; w < s.hi; w++ {
		k.window = append(k.window, s.bits[w]&^s.unknown[w])
	}
	if len(s.consumed) > 0 {
		k.consumed = slices.Clone(s.consumed)
		slices.Sort(k.consumed)
	}
	return k
}

// sameDeterminate reports whether k holds exactly the determinate
// operations s holds.
func (s *linSet) sameDeterminate(k *linKey) bool {
	if k.lo != s.lo || len(k.window) != max(s.hi-s.lo, 0) {
		return false
	}
	for j, w := range k.window {
		if w != s.bits[s.lo+j]&^s.unknown[s.lo+j] {
			return false
		}
	}
	return true
}

// consumedIn reports whether every indeterminate operation of k is in s,
// and whether they are the same ones.
func (s *linSet) consumedIn(k *linKey) (subset, equal bool) {
	for _, i := range k.consumed {
		if !s.bits.has(i) {
			return false, false
		}
	}
	return true, len(k.consumed) == len(s.consumed)
}
