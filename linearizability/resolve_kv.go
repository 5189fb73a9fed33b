package linearizability

import (
	"strings"

	"github.com/anishathalye/porcupine"
)

// pinObservedKV pins the indeterminate writes of one per-key partition
// whose effect a determinate read returned: such a write took effect
// before the first of those reads returned, so it gets that return time
// (and a cas, the output "applied"). This is the per-key counterpart of
// pinObservedWrites, and as there it turns an operation the search could
// place anywhere after its call into one with a return.
//
// A read proves a write only when values name their writers. That holds
// for tokenized partitions, which the simulator's clients write: every
// put and cas value is a comma-free token, every append adds "," and a
// comma-free token, and no token is written twice. A value is then the
// last put's token followed by the appended tokens in order, so each
// token it holds names the one operation that wrote it. Other partitions
// (a Jepsen register history may write one value twice) are left alone.
func pinObservedKV(part []porcupine.Operation) []porcupine.Operation {
	writer, ok := tokenWriters(part)
	if !ok {
		return part
	}
	markUnread(part, writer)
	first := make(map[int]int64) // writer's index -> first observing return
	for _, op := range part {
		in := op.Input.(KVInput)
		out, known := op.Output.(KVOutput)
		if in.Kind != KVGet || !known || !out.Found || op.Metadata.(opMeta).unknown {
			continue
		}
		for _, token := range strings.Split(out.Value, ",") {
			w, ok := writer[token]
			if !ok || !part[w].Metadata.(opMeta).unknown {
				continue
			}
			if at, seen := first[w]; !seen || op.Return < at {
				first[w] = op.Return
			}
		}
	}
	for w, at := range first { //det:ok each writer is pinned on its own
		if at <= part[w].Call {
			continue // observed before it was called: leave it to the search
		}
		meta := part[w].Metadata.(opMeta)
		meta.pinned = true
		part[w].Metadata = meta
		part[w].Return = at
		part[w].Output = KVOutput{OK: true}
	}
	return part
}

// tokenWriters maps each token written in part to the index of the
// operation that wrote it, and reports whether part is tokenized.
func tokenWriters(part []porcupine.Operation) (map[string]int, bool) {
	writer := make(map[string]int)
	for i, op := range part {
		in := op.Input.(KVInput)
		token := in.Value
		switch in.Kind {
		case KVPut, KVCAS:
		case KVAppend:
			var ok bool
			if token, ok = strings.CutPrefix(in.Value, ","); !ok {
				return nil, false
			}
		default:
			continue
		}
		if token == "" || strings.Contains(token, ",") {
			return nil, false
		}
		if _, dup := writer[token]; dup {
			return nil, false
		}
		writer[token] = i
	}
	return writer, true
}

// markUnread marks the writes of a tokenized partition whose token no get
// returns and no cas expects. Which of those tokens the key holds can then
// never matter: a value holding one equals no value any get or cas names,
// and stays so as appends extend it, until a put or delete replaces it. So
// the model keeps one state for all of them (kvState.unread), and the
// search treats such indeterminate writes as interchangeable (sameEffect).
// Without this, each order of the indeterminate appends that no read saw
// was a state of its own, and the search tried them all at every level it
// backtracked through.
func markUnread(part []porcupine.Operation, writer map[string]int) {
	mentioned := make(map[string]bool)
	mention := func(v string) {
		for _, token := range strings.Split(v, ",") {
			mentioned[token] = true
		}
	}
	for _, op := range part {
		in := op.Input.(KVInput)
		out, known := op.Output.(KVOutput)
		switch {
		case in.Kind == KVCAS:
			mention(in.Expected)
		case in.Kind == KVGet && known && out.Found:
			mention(out.Value)
		}
	}
	for token, w := range writer { //det:ok each write is marked on its own
		if !mentioned[token] {
			in := part[w].Input.(KVInput)
			in.unread = true
			part[w].Input = in
		}
	}
}

// sameEffect reports whether two indeterminate operations change any state
// alike, so that linearizing one where the other was tried finds nothing
// new: two unread puts or appends (each leaves kvState.unread) to a key,
// or equal requests.
func sameEffect(a, b any) bool {
	x, ok1 := a.(KVInput)
	y, ok2 := b.(KVInput)
	if !ok1 || !ok2 {
		return false
	}
	if x.unread && y.unread && x.Key == y.Key && x.Kind != KVCAS && y.Kind != KVCAS {
		return true
	}
	return x == y
}

// plain returns a copy of part without the unread marks, for reports: the
// model accepts the same orders either way, and without the marks its
// states show the values themselves.
func plain(part []porcupine.Operation) []porcupine.Operation {
	out := append([]porcupine.Operation(nil), part...)
	for i := range out {
		if in, ok := out[i].Input.(KVInput); ok && in.unread {
			in.unread = false
			out[i].Input = in
		}
	}
	return out
}
