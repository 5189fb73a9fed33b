package linearizability

import (
	"fmt"
	"sort"

	"github.com/anishathalye/porcupine"

	"etcdsim/mvcc/etcdapi"
)

// opMeta rides along each porcupine operation so that reports can name the
// history's operation.
type opMeta struct {
	index   int // into History.Ops
	id      OpID
	client  ClientID
	unknown bool
	// pinned: an indeterminate operation whose effect a read showed, given
	// a return time and an output (resolve.go, resolve_kv.go).
	pinned bool
}

func describeMetadata(m any) string {
	if om, ok := m.(opMeta); ok {
		s := fmt.Sprintf("%v by %v", om.id, om.client)
		if om.unknown {
			s += " (indeterminate)"
		}
		return s
	}
	return ""
}

// prepared is a history turned into porcupine partitions.
type prepared struct {
	kind  ModelKind
	model porcupine.Model
	keys  []string
	parts [][]porcupine.Operation
}

// partOf returns the index of the partition an operation's input is in.

// chooseModel resolves ModelAuto and checks that every input suits the
// model.
func chooseModel(h History, want ModelKind) (ModelKind, error) {
	kind := want
	for i := range h.Ops {
		var k ModelKind
		switch h.Ops[i].Input.(type) {
		case KVInput:
			k = ModelPerKey
		case EtcdRequest:
			k = ModelEtcd
		}
		if kind == ModelAuto {
			kind = k
		}
		if k != kind {
			return 0, fmt.Errorf("%w: %v is not a %v operation", ErrMixedModels, h.Ops[i].ID, kind)
		}
	}
	switch {
	case kind != ModelAuto:
	case len(h.Watches) > 0:
		kind = ModelEtcd
	default:
		kind = ModelPerKey
	}
	return kind, nil
}

// prepare converts the history for porcupine. Indeterminate reads are
// dropped: whatever they returned, they changed nothing. Clients get dense
// zero-based ids, as porcupine's visualization wants. Indeterminate writes
// that reads show are pinned, and per-key writes no read can see are
// marked (resolve.go, resolve_kv.go).
func prepare(h History, kind ModelKind) prepared { return prepareWith(h, kind, true) }

// prepareWith is prepare, with or without resolving indeterminate writes
// (tests compare the two).
func prepareWith(h History, kind ModelKind, resolve bool) prepared {
	clients := denseClients(h)
	var ops []porcupine.Operation
	for i := range h.Ops {
		op := &h.Ops[i]
		if op.Unknown && isReadOnly(op.Input) {
			continue
		}
		call, ret := op.callReturn()
		ops = append(ops, porcupine.Operation{
			ClientId: clients[op.Client],
			Input:    op.Input,
			Call:     int64(call),
			Output:   op.Output,
			Return:   int64(ret),
			Metadata: opMeta{index: i, id: op.ID, client: op.Client, unknown: op.Unknown},
		})
	}
	// A stable order makes porcupine's search, hence its reports, repeatable.
	sort.SliceStable(ops, func(i, j int) bool {
		return ops[i].Metadata.(opMeta).id < ops[j].Metadata.(opMeta).id
	})
	p := prepared{kind: kind}
	switch kind {
	case ModelEtcd:
		if resolve {
			ops = pinObservedWrites(h, ops)
		}
		claimed, seen := claimedRevisions(h, ops), highestSeenRevision(h, ops)
		p.model = newEtcdModel(claimed, seen, newQuietSpans(h))
		p.keys = []string{""}
		p.parts = [][]porcupine.Operation{ops}
	default:
		p.model = perKeyModel
		p.keys, p.parts = partitionByKey(ops)
		for i := range p.parts {
			if resolve {
				p.parts[i] = pinObservedKV(p.parts[i])
			}
		}
	}
	for i := range p.parts {
		p.parts[i] = appendEnd(p.parts[i], len(clients))
	}
	return p
}

// denseClients maps client ids to 0..n-1 in id order.
func denseClients(h History) map[ClientID]int {
	ids := make([]ClientID, 0, len(h.Ops))
	for i := range h.Ops {
		ids = append(ids, h.Ops[i].Client)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	dense := make(map[ClientID]int)
	for _, c := range ids {
		if _, ok := dense[c]; !ok {
			dense[c] = len(dense)
		}
	}
	return dense
}

// hasIndeterminateWrites reports whether some indeterminate operation
// may have changed the store.
func hasIndeterminateWrites(h History) bool {
	for i := range h.Ops {
		if h.Ops[i].Unknown && !isReadOnly(h.Ops[i].Input) {
			return true
		}
	}
	return false
}

// isReadOnly reports whether an input can never change state.
func isReadOnly(in any) bool {
	switch x := in.(type) {
	case KVInput:
		return x.Kind == KVGet
	case EtcdRequest:
		if x.Range != nil {
			return true
		}
		if x.Txn == nil {
			return false
		}
		for _, ops := range [...][]*etcdapi.RequestOp{x.Txn.Success, x.Txn.Failure} {
			for _, op := range ops {
				if op.RequestRange == nil {
					return false
				}
			}
		}
		return true
	}
	return false
}

// check is Check's body.
func check(h History, opts Options) (*Result, error) {
	if err := h.valid(); err != nil {
		return nil, err
	}
	budget := opts.Budget
	if budget <= 0 {
		budget = BudgetDefault
	}
	kind, err := chooseModel(h, opts.Model)
	if err != nil {
		return nil, err
	}
	if kind != ModelEtcd && len(h.Watches) > 0 {
		return nil, fmt.Errorf("%w: watch streams need the etcd model, not %v", ErrBadWatch, kind)
	}
	p := prepare(h, kind)
	res := &Result{Model: kind, Ops: len(h.Ops), Budget: budget}
	found := runPartitions(p, res)
	res.Verdict = overallVerdict(res.Partitions)
	if res.Verdict == NotLinearizable {
		res.Explanation = explain(h, p, res.Partitions, found)
	}
	res.WatchesUnchecked = res.Verdict == Unknown && len(h.Watches) > 0
	if kind == ModelEtcd && res.Verdict == Linearizable && len(h.Watches) > 0 {
		writes := linearizedWrites(p.parts[0], found[0].order)
		res.WatchViolations = checkWatches(h.Watches, writes, knownCompactions(h.Ops),
			!hasIndeterminateWrites(h))
	}
	if opts.Visualize {
		res.vis, res.visErr = collectVisualization(h, p, found)
	}
	return res, nil
}

// sliceMin is the fewest steps a partition gets per round.
const sliceMin Steps = 10_000

// runPartitions checks the partitions within the budget and returns what
// each one's last search found. A single partition gets the whole budget.
// Several partitions are checked in rounds of doubling step slices, each
// round searching afresh, so that one hard partition cannot starve an easy
// failing one; rounds stop once a partition fails.
func runPartitions(p prepared, res *Result) []searchResult {
	found := make([]searchResult, len(p.parts))
	for i, part := range p.parts {
		n := len(part) - 1 // the end marker is no operation of the history
		res.Partitions = append(res.Partitions, PartitionResult{Key: p.keys[i], Ops: n, Verdict: Unknown})
		res.Checked += n
	}
	left := res.Budget
	slice := max(res.Budget/Steps(8*max(len(p.parts), 1)), sliceMin)
	if len(p.parts) == 1 {
		slice = res.Budget
	}
	for open := len(p.parts) > 0; open; slice *= 2 {
		open = false
		failed := false
		for i, part := range p.parts {
			pr := &res.Partitions[i]
			limit := min(slice, left)
			if pr.Verdict != Unknown || limit <= 0 {
				continue
			}
			found[i] = searchOrFail(p, part, int64(limit))
			pr.Verdict, pr.Steps = found[i].verdict, Steps(found[i].steps)
			left -= pr.Steps
			res.Steps += pr.Steps
			failed = failed || pr.Verdict == NotLinearizable
			open = open || pr.Verdict == Unknown
		}
		open = open && !failed && left > 0
	}
	return found
}

// overallVerdict: one illegal partition decides; otherwise one unknown
// partition leaves the whole unknown.
func overallVerdict(parts []PartitionResult) Verdict {
	v := Linearizable
	for _, p := range parts {
		if p.Verdict == NotLinearizable {
			return NotLinearizable
		}
		if p.Verdict == Unknown {
			v = Unknown
		}
	}
	return v
}

// searchOrFail searches part, unless a response in it reports a revision no
// order can reach: then it fails at once, however many orders of
// indeterminate writes the search would try first.
func searchOrFail(p prepared, part []porcupine.Operation, limit int64) searchResult {
	if p.kind == ModelEtcd {
		if u := unreachableRevision(part); u >= 0 {
			return searchResult{verdict: NotLinearizable, blocker: u + 1}
		}
	}
	return searchPartition(p.model, part, limit)
}
