package linearizability

// FNV-1a, inlined so that hashing a state allocates nothing. Hashes only
// speed up porcupine's state cache; equality always decides.
const (
	hashSeed  uint64 = 14695981039346656037
	hashPrime uint64 = 1099511628211
)

// hashString folds s into h.
func hashString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= hashPrime
	}
	h ^= 0xff // terminator, so "ab","c" differs from "a","bc"
	h *= hashPrime
	return h
}

// hashInt folds v into h, byte by byte.
func hashInt(h uint64, v int64) uint64 {
	u := uint64(v)
	for i := 0; i < 8; i++ {
		h ^= u & 0xff
		h *= hashPrime
		u >>= 8
	}
	return h
}

// hashBytes folds b into h, as hashString folds the same text.
func hashBytes(h uint64, b []byte) uint64 {
	for _, c := range b {
		h ^= uint64(c)
		h *= hashPrime
	}
	h ^= 0xff
	h *= hashPrime
	return h
}
