package sim

// eventKind says what an event does when it runs.
type eventKind uint8

const (
	evTimer   eventKind = iota + 1 // a node's timer fires
	evDeliver                      // a message arrives at a node
	evCall                         // a world-level callback runs
	evStart                        // a node starts or restarts
)

// event is the body of one scheduled event. Bodies live in a slab and are
// recycled, so scheduling allocates nothing once the slab has grown.
type event struct {
	kind eventKind
	// live is false once the event was cancelled; it is skipped when popped.
	live bool
	// node is the dense index of the node the event is for (-1: the world).
	node int32
	// inc is that node's incarnation when the event was scheduled; an event
	// for an older incarnation is stale (the node crashed since).
	inc uint32
	// tag is the node's own label for a timer.
	tag uint64
	// seq is the event's sequence number, to tell a recycled slot apart.
	seq uint64

	from    int32 // sender's dense index, for deliveries
	msgID   uint64
	size    int
	counted bool // the delivery holds a place in its link's queue
	payload any

	fn    func() // for evCall
	label string // for evCall, traced
}

// entry is what the heap orders: (at, seq) is unique and total, which makes
// equal-time events run in insertion order (DESIGN rule 6).
// set copies ev into e field by field. While the GC marks, copying a whole
// event (it holds pointers) goes through a bulk write barrier that costs
// hundreds of instructions; single-field writes take the cheap inline one.
func (e *event) set(ev *event) {
	e.kind, e.live, e.node, e.inc, e.tag, e.seq = ev.kind, ev.live, ev.node, ev.inc, ev.tag, ev.seq
	e.from, e.msgID, e.size, e.counted = ev.from, ev.msgID, ev.size, ev.counted
	e.payload, e.fn, e.label = ev.payload, ev.fn, ev.label
}

type entry struct {
	at   Time
	seq  uint64
	slot uint32
}

func (a entry) before(b entry) bool {
	if a.at != b.at {
		return a.at < b.at
	}
	return a.seq < b.seq
}

// queue is the world's event queue: a binary min-heap of entries over a slab
// of event bodies.
//
// Invariant: every heap entry's slot holds a body; a slot is on the free
// list only when no heap entry names it.
type queue struct {
	heap []entry
	slab []event
	free []uint32
	// seq numbers events in insertion order; 0 is never used.
	seq uint64
}

// push schedules ev at time at and returns its slot and sequence number.
// ev is copied (passed by pointer: it is big).
func (q *queue) push(at Time, ev *event) (uint32, uint64) {
	var slot uint32
	if n := len(q.free); n > 0 {
		slot = q.free[n-1]
		q.free = q.free[:n-1]
	} else {
		slot = uint32(len(q.slab))
		q.slab = append(q.slab, event{})
	}
	q.slab[slot].set(ev)
	q.seq++
	q.slab[slot].seq = q.seq
	q.heap = append(q.heap, entry{at: at, seq: q.seq, slot: slot})
	q.up(len(q.heap) - 1)
	return slot, q.seq
}

// len returns the number of scheduled events, cancelled ones included.
func (q *queue) len() int { return len(q.heap) }

// peek returns the earliest entry. The queue MUST NOT be empty.
func (q *queue) peek() entry { return q.heap[0] }

// pop removes the earliest entry and returns it with its body, which
// stays in its slot (no copy) until the caller calls release, and whether
// it is live. The body is marked dead at once, so that cancel reports a
// running event as already fired. The pointer stays readable even if
// pushes meanwhile grow the slab: it then points into the old array,
// whose copy of the body is the same.
func (q *queue) pop() (entry, *event, bool) {
	top := q.heap[0]
	last := len(q.heap) - 1
	q.heap[0] = q.heap[last]
	q.heap = q.heap[:last]
	if last > 0 {
		q.down(0)
	}
	ev := &q.slab[top.slot]
	live := ev.live
	ev.live = false
	return top, ev, live
}

// release frees the slot of a popped event.
func (q *queue) release(slot uint32) {
	s := &q.slab[slot]
	// Drop references for the GC and mark the slot dead for cancel, field
	// by field: zeroing the whole event costs a bulk write barrier.
	s.live, s.payload, s.fn, s.label = false, nil, nil, ""
	q.free = append(q.free, slot)
}

// cancel marks the event in slot dead if it is still the one numbered seq.
// It reports whether a pending event was cancelled.
func (q *queue) cancel(slot uint32, seq uint64) bool {
	if int(slot) >= len(q.slab) {
		return false
	}
	ev := &q.slab[slot]
	if !ev.live || ev.seq != seq {
		return false // fired, cancelled, or the slot now holds a later event
	}
	ev.live = false
	ev.payload = nil
	ev.fn = nil
	return true
}

func (q *queue) up(i int) {
	h := q.heap
	e := h[i]
	for i > 0 {
		parent := (i - 1) / 2
		if !e.before(h[parent]) {
			break
		}
		h[i] = h[parent]
		i = parent
	}
	h[i] = e
}

func (q *queue) down(i int) {
	h := q.heap
	n := len(h)
	e := h[i]
	for {
		child := 2*i + 1
		if child >= n {
			break
		}
		if right := child + 1; right < n && h[right].before(h[child]) {
			child = right
		}
		if !h[child].before(e) {
			break
		}
		h[i] = h[child]
		i = child
	}
	h[i] = e
}

// checkInvariants verifies the heap order and slab bookkeeping. It is a
// whole-structure check, run in paranoid mode.
func (q *queue) checkInvariants() {
	for i := 1; i < len(q.heap); i++ {
		parent := (i - 1) / 2
		if q.heap[i].before(q.heap[parent]) {
			failf("heap order broken at %d: %v before parent %v", i, q.heap[i], q.heap[parent])
		}
	}
	assertf(len(q.heap)+len(q.free) == len(q.slab),
		"slab accounting: %d queued + %d free != %d slots", len(q.heap), len(q.free), len(q.slab))
}
