package sim

import (
	"hash/fnv"
	"math/rand/v2"
)

// Rand is one named stream of pseudo-random numbers derived from the world's
// seed. Streams are independent: drawing from one never shifts another, so a
// new fault or a longer workload does not change what the network draws.
type Rand struct {
	name string
	r    *rand.Rand
}

// newRand derives the stream called name from seed. The name is hashed into
// the second PCG word, so equal names give equal streams for equal seeds.
func newRand(seed uint64, name string) *Rand {
	h := fnv.New64a()
	h.Write([]byte(name))
	return &Rand{name: name, r: rand.New(rand.NewPCG(seed, h.Sum64()))}
}

// Name returns the stream's name.
func (r *Rand) Name() string { return r.name }

// Uint64 returns a uniformly distributed 64-bit value.
func (r *Rand) Uint64() uint64 { return r.r.Uint64() }

// IntN returns a uniform int in [0, n). It panics if n <= 0, as math/rand.
func (r *Rand) IntN(n int) int { return r.r.IntN(n) }

// Int64N returns a uniform int64 in [0, n). It panics if n <= 0.
func (r *Rand) Int64N(n int64) int64 { return r.r.Int64N(n) }

// Chance reports true with probability p, drawing one number.
func (r *Rand) Chance(p Prob) bool { return p.hit(r) }

// Perm returns a random permutation of [0, n).
func (r *Rand) Perm(n int) []int { return r.r.Perm(n) }

// Shuffle permutes n elements through swap.
func (r *Rand) Shuffle(n int, swap func(i, j int)) { r.r.Shuffle(n, swap) }

// Prob is a probability kept as parts per million, so that comparisons are
// integer and identical on every platform.
type Prob uint32

// probScale is one in parts per million.
const probScale = 1_000_000

// ProbOf converts p in [0, 1] to a Prob, rounding to the nearest ppm.
// It returns ErrBadProbability for anything else, NaN included.
func ProbOf(p float64) (Prob, error) {
	if !(p >= 0 && p <= 1) {
		return 0, ErrBadProbability
	}
	return Prob(p*probScale + 0.5), nil
}

// Float returns p as a float64 in [0, 1], for reports.
func (p Prob) Float() float64 { return float64(p) / probScale }

// hit draws from r only when p is strictly between 0 and 1: a disabled fault
// consumes no randomness.
func (p Prob) hit(r *Rand) bool {
	switch {
	case p == 0:
		return false
	case p >= probScale:
		return true
	}
	return r.r.Uint32N(probScale) < uint32(p)
}
