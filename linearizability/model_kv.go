package linearizability

import (
	"fmt"
	"sort"

	"github.com/anishathalye/porcupine"
)

// perKeyModel is the porcupine model of independent registers: each key
// is its own partition and its state is one value. It ignores revisions.
var perKeyModel = porcupine.Model{
	Init: func() any { return kvState{} },
	Step: func(state, input, output any) (bool, any) {
		st := state.(kvState)
		if _, end := input.(endOfHistory); end {
			st.ended = true
			return true, st
		}
		in := input.(KVInput)
		o, known := output.(KVOutput)
		if !known {
			ok, next := stepKV(st, in, nil)
			next.ended = st.ended
			return ok && (next != st || st.ended), next
		}
		ok, next := stepKV(st, in, &o)
		next.ended = st.ended
		return ok, next
	},
	Hash: func(state any) uint64 {
		st := state.(kvState)
		h := hashString(hashSeed, st.value)
		if st.exists {
			h = hashInt(h, 1)
		}
		if st.unread {
			h = hashInt(h, 3)
		}
		if st.ended {
			h = hashInt(h, 2)
		}
		return h
	},
	DescribeOperation: func(input, output any) string {
		if _, end := input.(endOfHistory); end {
			return "end of history"
		}
		in := input.(KVInput)
		if o, ok := output.(KVOutput); ok {
			return describeKV(in, &o)
		}
		return describeKV(in, nil)
	},
	DescribeState: func(state any) string {
		st := state.(kvState)
		switch {
		case !st.exists:
			return "nil"
		case st.unread:
			return "a value no read returned"
		}
		return fmt.Sprintf("%q", st.value)
	},
	DescribeOperationMetadata: describeMetadata,
}

// partitionByKey splits per-key operations into one partition per key, in
// key order, so that results and reports are deterministic.
func partitionByKey(ops []porcupine.Operation) ([]string, [][]porcupine.Operation) {
	byKey := make(map[string][]porcupine.Operation)
	for _, op := range ops {
		k := op.Input.(KVInput).Key
		byKey[k] = append(byKey[k], op)
	}
	keys := make([]string, 0, len(byKey))
	for k := range byKey { //det:ok keys are sorted below
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([][]porcupine.Operation, len(keys))
	for i, k := range keys {
		parts[i] = byKey[k]
	}
	return keys, parts
}
