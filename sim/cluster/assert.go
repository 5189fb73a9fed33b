package cluster

import (
	"fmt"
	"sort"
)

// assertf panics when cond is false: a failed assertion is a bug in
// etcdsim. Its arguments are boxed even when cond holds; keep it off paths
// that run per message.
func assertf(cond bool, format string, args ...any) {
	if !cond {
		panic(fmt.Sprintf("cluster: assertion failed: "+format, args...))
	}
}

// sortedKeys returns m's keys in increasing order.
func sortedKeys[V any](m map[uint64]V) []uint64 {
	keys := make([]uint64, 0, len(m))
	for k := range m { //det:ok sorted below
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	return keys
}
