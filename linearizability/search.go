package linearizability

import (
	"sort"

	"github.com/anishathalye/porcupine"
)

// The search that decides a partition. It is porcupine's algorithm (Wing
// and Gong's depth-first search for a linearization, with Lowe's cache of
// configurations already explored) on porcupine's models, run on the
// caller's goroutine, with two additions:
//
//   - A budget counted in model steps. The verdict is then a function of
//     the history and the budget, never of the machine's load; porcupine
//     only offers a wall-clock timeout.
//   - Dominance between configurations that differ only by indeterminate
//     operations. A configuration is the set of operations linearized so
//     far and the model state they lead to. Take two with equal state and
//     equal determinate operations, where the first has linearized only a
//     subset of the second's indeterminate ones. Every way to complete the
//     second completes the first too: the same operations in the same
//     order, then the extra indeterminate ones after the end marker, where
//     they change nothing (an indeterminate operation has no return, so
//     leaving it pending constrains no order). So once the first has been
//     explored in full without success, the second is pruned. Porcupine's
//     cache compares linearized sets exactly, so each indeterminate write
//     placed and then overwritten doubled its search; with tens of them a
//     search of seconds took minutes.
//
// To meet the first of two such configurations before the second, each
// level tries the determinate candidates before the indeterminate ones.

// searchResult is what the search of one partition found.
type searchResult struct {
	verdict Verdict
	// steps is how many model steps the search took.
	steps int64
	// order is a complete linearization, as indices into the partition,
	// when verdict is Linearizable; otherwise the longest linearizable
	// prefix the search found (the first it found of that length).
	order []int
	// blocker, when not 0, is 1 + the index of an operation known to fail
	// wherever it goes, found without a search.
	blocker int
}

// searchNode is one event of a partition in the search's linked list: an
// operation's call, or a determinate operation's return.
type searchNode struct {
	op   int
	call bool
	// ret is a call's return node (nil for an indeterminate operation,
	// which never returns).
	ret        *searchNode
	prev, next *searchNode
}

// searchFrame is one linearized operation on the search's stack.
type searchFrame struct {
	node *searchNode
	// state is the model state before the operation.
	state any
	// indeterminate: the operation is, and so was found in the pass over
	// indeterminate candidates, where the search resumes after
	// backtracking to it. forced: it was a forced move (tryStep), so its
	// level has nothing else to try.
	indeterminate, forced bool
	entry                 *configEntry
}

// configEntry is a cached configuration.
type configEntry struct {
	linearized linKey
	state      any
	// onStack is set while the configuration is on the search's path: a
	// configuration there is still being explored, not known to fail.
	onStack bool
}

// searcher is the state of one search.
type searcher struct {
	model porcupine.Model
	part  []porcupine.Operation
	// unknown marks the indeterminate operations; end is the marker's index.
	unknown bitset
	end     int
	head    searchNode
	cache   map[uint64][]*configEntry
	// cached counts the entries in cache.
	cached int
	// linearized marks the operations on the stack.
	linearized linSet
	// current is the model state after the operations on the stack.
	current any
	stack   []searchFrame
	// tried[d] holds the inputs of the indeterminate operations tried at
	// depth d for the configuration there now.
	tried [][]any
	// best is the prefix with the most determinate operations seen, once
	// the search backtracked from it, without the indeterminate ones after
	// its last determinate one (any number of those fit anywhere, and say
	// nothing about where the history fails). settled counts the
	// determinate operations on the stack, deepest its most so far, and
	// bestSettled best's.
	best                          []int
	settled, deepest, bestSettled int
	// bestShared is how many operations at the bottom of the stack best
	// still shares: noteBest copies only the rest, so that recording the
	// best prefix costs no more than the pushes (a copy of the whole
	// stack at each record was quadratic in a long history).
	bestShared int
	left       int64
	steps      int64
}

// searchPartition searches part (whose last operation is the end marker)
// for a linearization, taking at most limit model steps.
func searchPartition(model porcupine.Model, part []porcupine.Operation, limit int64) searchResult {
	s := newSearcher(model, part, limit)
	verdict := s.run()
	res := searchResult{verdict: verdict, steps: s.steps}
	switch verdict {
	case Linearizable:
		res.order = s.completeOrder()
	default:
		s.noteBest() // a search cut short may stand at its deepest
		res.order = s.best
	}
	return res
}

func newSearcher(model porcupine.Model, part []porcupine.Operation, limit int64) *searcher {
	n := len(part)
	assertf(n > 0 && isEnd(part[n-1]), "partition without its end marker")
	s := &searcher{model: model, part: part, unknown: newBitset(n), end: n - 1,
		cache: make(map[uint64][]*configEntry), left: limit, current: model.Init()}
	if s.model.Equal == nil {
		s.model.Equal = func(a, b any) bool { return a == b }
	}
	for i := range part {
		if meta := part[i].Metadata.(opMeta); meta.unknown && !meta.pinned && i != s.end {
			s.unknown.set(i)
		}
	}
	s.linearized = newLinSet(n, s.unknown)
	s.link()
	return s
}

// link builds the event list in time order, calls before returns at equal
// times (they overlap, as porcupine has it), then by operation.
func (s *searcher) link() {
	type event struct {
		at   int64
		ret  bool
		node *searchNode
	}
	events := make([]event, 0, 2*len(s.part))
	for i, op := range s.part {
		call := &searchNode{op: i, call: true}
		events = append(events, event{at: op.Call, node: call})
		if !s.unknown.has(i) {
			call.ret = &searchNode{op: i}
			events = append(events, event{at: op.Return, ret: true, node: call.ret})
		}
	}
	sort.SliceStable(events, func(a, b int) bool {
		if events[a].at != events[b].at {
			return events[a].at < events[b].at
		}
		return !events[a].ret && events[b].ret
	})
	prev := &s.head
	for _, e := range events {
		e.node.prev, prev.next = prev, e.node
		prev = e.node
	}
}

// run is the search loop. At each level the candidates are the calls
// before the first return still in the list: first the determinate ones,
// then, in a second pass, the indeterminate ones. The end marker's return
// stays in the list until the marker is linearized, which ends the search
// (every operation left is indeterminate and may follow it).
func (s *searcher) run() Verdict {
	node, indeterminate := s.head.next, false
	for {
		if !node.call && !indeterminate {
			node, indeterminate = s.head.next, true
			continue
		}
		if !node.call {
			var more bool
			if node, indeterminate, more = s.backtrack(); !more {
				return NotLinearizable
			}
			continue
		}
		if s.unknown.has(node.op) != indeterminate {
			node = node.next
			continue
		}
		if indeterminate && s.triedAlike(node) {
			node = node.next
			continue
		}
		if s.left <= 0 {
			return Unknown
		}
		switch s.tryStep(node, indeterminate) {
		case stepPushed:
			if node.op == s.end {
				return Linearizable
			}
			node, indeterminate = s.head.next, false
		case stepRefused:
			node = node.next
		case stepLevelFails:
			var more bool
			if node, indeterminate, more = s.backtrack(); !more {
				return NotLinearizable
			}
		}
	}
}

// stepOutcome is what trying one candidate did.
type stepOutcome uint8

const (
	// stepPushed: the operation is linearized next, on the stack.
	stepPushed stepOutcome = iota
	// stepRefused: not here; the next candidate may be tried.
	stepRefused
	// stepLevelFails: no candidate at this level can succeed.
	stepLevelFails
)

// tryStep steps the model through node's operation and, when the step is
// legal and leads to a configuration not explored yet, pushes it.
//
// A determinate operation that never changes any state (a read, a cas
// that failed), accepted here, is a forced move: if any linearization
// continues from here, one continues with it. It changes no state where
// it is or where it goes, so it can move ahead of whatever a
// linearization placed first (a put of the value the key holds would not
// do: it may change the state where a linearization has it);
// and it is a candidate, called before every pending operation returned,
// so moving it ahead breaks no real-time order. So once it is pushed no
// other candidate of this level is tried (backtrack goes on past it), and
// if its configuration was explored already the level fails at once.
// Histories of many clients reading are where this counts: without it,
// each level with several concurrent reads tried their orders.
func (s *searcher) tryStep(node *searchNode, indeterminate bool) stepOutcome {
	s.left--
	s.steps++
	op := &s.part[node.op]
	ok, next := s.model.Step(s.current, op.Input, op.Output)
	if !ok || (indeterminate && s.masks(op, next)) {
		return stepRefused
	}
	forced := !indeterminate && neverChanges(op) && s.model.Equal(next, s.current)
	s.linearized.set(node.op)
	entry := s.visit(next)
	if entry == nil {
		s.linearized.clear(node.op)
		if forced {
			return stepLevelFails
		}
		return stepRefused
	}
	s.stack = append(s.stack, searchFrame{node: node, state: s.current,
		indeterminate: indeterminate, forced: forced, entry: entry})
	s.current = next
	s.lift(node)
	if depth := len(s.stack); depth < len(s.tried) {
		s.tried[depth] = s.tried[depth][:0] // a new configuration at this depth
	}
	if !indeterminate {
		s.settled++
		s.deepest = max(s.deepest, s.settled)
	}
	return stepPushed
}

// neverChanges reports whether op leaves every state it is accepted in
// as it was: a read-only request, or a cas whose response says it did not
// apply.
func neverChanges(op *porcupine.Operation) bool {
	if isReadOnly(op.Input) {
		return true
	}
	in, ok1 := op.Input.(KVInput)
	out, ok2 := op.Output.(KVOutput)
	return ok1 && ok2 && in.Kind == KVCAS && !out.OK
}

// triedAlike reports whether an indeterminate operation with the same
// effect (sameEffect) was tried already at this level, and if not notes
// node's. Then the configurations it leads to are the other's with the two
// operations swapped: both were called before this point and neither ever
// returns, so any completion of one is one of the other.
func (s *searcher) triedAlike(node *searchNode) bool {
	depth := len(s.stack)
	for len(s.tried) <= depth {
		s.tried = append(s.tried, nil)
	}
	in := s.part[node.op].Input
	for _, other := range s.tried[depth] {
		if sameEffect(other, in) {
			return true
		}
	}
	s.tried[depth] = append(s.tried[depth], in)
	return false
}

// masks reports whether an indeterminate operation, stepped to next
// right after another indeterminate one, leads to the same state without
// it (a blind write after a blind write). Then the configuration is
// dominated by the one without the first, which the level below tries
// too: the second was pending there already, since an indeterminate
// operation has no return to end the candidates. It costs a step.
func (s *searcher) masks(op *porcupine.Operation, next any) bool {
	if len(s.stack) == 0 || s.left <= 0 {
		return false
	}
	top := &s.stack[len(s.stack)-1]
	if !top.indeterminate {
		return false
	}
	s.left--
	s.steps++
	ok, alt := s.model.Step(top.state, op.Input, op.Output)
	return ok && s.model.Equal(alt, next)
}

// backtrack pops the top operation and returns where the search resumes:
// after that operation's call, in the pass that found it. A forced move's
// level has nothing else to try, so it pops on past those. It returns
// false when no level is left: there is no linearization.
func (s *searcher) backtrack() (*searchNode, bool, bool) {
	s.noteBest()
	for len(s.stack) > 0 {
		top := s.stack[len(s.stack)-1]
		s.stack = s.stack[:len(s.stack)-1]
		s.bestShared = min(s.bestShared, len(s.stack))
		top.entry.onStack = false
		s.current = top.state
		s.linearized.clear(top.node.op)
		s.unlift(top.node)
		if !top.indeterminate {
			s.settled--
		}
		if !top.forced {
			return top.node.next, top.indeterminate, true
		}
	}
	return nil, false, false
}

// noteBest keeps the stack as the best prefix when it holds the most
// determinate operations the search has reached. It runs before a pop, so
// a prefix is copied once per new record, not at every push.
func (s *searcher) noteBest() {
	if s.deepest <= s.bestSettled || s.settled != s.deepest {
		return
	}
	order := s.best[:s.bestShared]
	for _, f := range s.stack[s.bestShared:] {
		order = append(order, f.node.op)
	}
	for len(order) > 0 && s.unknown.has(order[len(order)-1]) {
		order = order[:len(order)-1]
	}
	s.best, s.bestSettled, s.bestShared = order, s.settled, len(order)
}

// stackOrder lists the operations on the stack, bottom first.
func (s *searcher) stackOrder() []int {
	order := make([]int, len(s.stack), len(s.part))
	for i, f := range s.stack {
		order[i] = f.node.op
	}
	return order
}

// completeOrder is the linearization found: the stack (ending with the
// end marker), then the indeterminate operations left, which take effect
// after it, in partition order.
func (s *searcher) completeOrder() []int {
	order := s.stackOrder()
	for i := range s.part {
		if !s.linearized.has(i) {
			assertf(s.unknown.has(i), "op %d is determinate and not linearized", i)
			order = append(order, i)
		}
	}
	return order
}

// lift takes node's operation out of the list (its call and its return).
func (s *searcher) lift(node *searchNode) {
	node.prev.next = node.next
	if node.next != nil {
		node.next.prev = node.prev
	}
	if r := node.ret; r != nil {
		r.prev.next = r.next
		if r.next != nil {
			r.next.prev = r.prev
		}
	}
}

// unlift puts node's operation back, in the reverse order of lift.
func (s *searcher) unlift(node *searchNode) {
	if r := node.ret; r != nil {
		r.prev.next = r
		if r.next != nil {
			r.next.prev = r
		}
	}
	node.prev.next = node
	if node.next != nil {
		node.next.prev = node
	}
}

// visit looks up the configuration (linearized, state) and returns nil
// when it needs no exploring: it was explored before, or a configuration
// that dominates it (see the top of this file) was explored in full.
// Otherwise it caches the configuration, on the stack, and returns it.
func (s *searcher) visit(state any) *configEntry {
	key := s.linearized.hash
	if s.model.Hash != nil {
		key ^= s.model.Hash(state)
	}
	bucket := s.cache[key]
	for _, e := range bucket {
		if !s.linearized.sameDeterminate(&e.linearized) || !s.model.Equal(e.state, state) {
			continue
		}
		subset, equal := s.linearized.consumedIn(&e.linearized)
		if equal || (subset && !e.onStack) {
			return nil
		}
	}
	e := &configEntry{linearized: s.linearized.key(), state: state, onStack: true}
	if s.cached < cacheEntriesMax {
		s.cache[key] = append(bucket, e)
		s.cached++
	}
	return e
}

// cacheEntriesMax bounds the configurations one search caches, so that its
// memory is bounded as its steps are (each holds a model state and a copy
// of the operations in flight: some hundreds of bytes). Past it the search
// goes on without caching new ones, which costs steps, never correctness:
// the cache only spares re-exploring.
const cacheEntriesMax = 2_000_000

// bitset is a set of operation indices.
type bitset []uint64

func newBitset(n int) bitset { return make(bitset, (n+63)/64) }

func (b bitset) set(i int)      { b[i/64] |= 1 << (i % 64) }
func (b bitset) clear(i int)    { b[i/64] &^= 1 << (i % 64) }
func (b bitset) has(i int) bool { return b[i/64]&(1<<(i%64)) != 0 }

func (b bitset) clone() bitset { return append(bitset(nil), b...) }
