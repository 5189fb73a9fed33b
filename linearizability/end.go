package linearizability

import "github.com/anishathalye/porcupine"

// endOfHistory is the input of a marker operation appended to every
// partition, called after every other operation was called and every
// determinate one returned.
//
// It keeps indeterminate operations from multiplying the search space. An
// indeterminate operation that would change nothing where it is tried
// (a failed compare, a delete of an absent key) is refused there and only
// accepted after the marker. That is sound: an operation that changed
// nothing at one point can be moved after every observation without
// changing any response. Without the marker, each such operation doubles
// the states porcupine explores, since its state is equal but its
// linearized set differs.
type endOfHistory struct{}

// end returns st with the end marker linearized.
func (st *etcdState) end() *etcdState {
	next := *st
	next.ended = true
	next.rehash()
	return &next
}

// appendEnd adds the marker to a partition, on a client of its own.
func appendEnd(part []porcupine.Operation, client int) []porcupine.Operation {
	last := int64(0)
	for _, op := range part {
		last = max(last, op.Call)
		if op.Return != int64(timeInfinite) {
			last = max(last, op.Return)
		}
	}
	assertf(last < int64(timeInfinite)-2, "history time %d too close to infinity", last)
	return append(part, porcupine.Operation{
		ClientId: client,
		Input:    endOfHistory{},
		Call:     last + 1,
		Return:   last + 2,
		Metadata: opMeta{index: -1, id: -1, client: -1, unknown: true},
	})
}

// isEnd reports whether op is the end marker.
func isEnd(op porcupine.Operation) bool {
	_, end := op.Input.(endOfHistory)
	return end
}
