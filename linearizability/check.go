package linearizability

import (
	"fmt"
	"sort"
	"time"

	"github.com/anishathalye/porcupine"
)

// opMeta rides along each porcupine operation so that reports can name the
// history's operation.
type opMeta struct {
	index   int // into History.Ops
	id      OpID
	client  ClientID
	unknown bool
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
// zero-based ids, as porcupine's visualization wants.
func prepare(h History, kind ModelKind) prepared {
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
		ops = pinObservedWrites(h, ops)
		claimed, seen := claimedRevisions(h, ops), highestSeenRevision(h, ops)
		p.model = newEtcdModel(claimed, seen, newQuietSpans(h))
		p.keys = []string{""}
		p.parts = [][]porcupine.Operation{ops}
	default:
		p.model = perKeyModel
		p.keys, p.parts = partitionByKey(ops)
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
		for _, ops := range [][]TxnOp{x.Txn.Success, x.Txn.Failure} {
			for _, op := range ops {
				if op.Range == nil {
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
	dl := newDeadline(budget)
	kind, err := chooseModel(h, opts.Model)
	if err != nil {
		return nil, err
	}
	if kind != ModelEtcd && len(h.Watches) > 0 {
		return nil, fmt.Errorf("%w: watch streams need the etcd model, not %v", ErrBadWatch, kind)
	}
	p := prepare(h, kind)
	res := &Result{Model: kind, Ops: len(h.Ops), Budget: budget}
	runPartitions(p, dl, res)
	res.Verdict = overallVerdict(res.Partitions)
	// full is porcupine's verbose info on every partition, once computed.
	var full *porcupine.LinearizationInfo
	if res.Verdict == NotLinearizable {
		var info *porcupine.LinearizationInfo
		res.Explanation, info = explain(h, p, res.Partitions, dl)
		if len(p.parts) == 1 {
			full = info
		}
	}
	if kind == ModelEtcd && res.Verdict == Linearizable && len(h.Watches) > 0 {
		full = verboseRun(p, dl)
		writes := linearizedWrites(p.parts[0], full)
		res.WatchesUnchecked = writes == nil
		if writes != nil {
			res.WatchViolations = checkWatches(h.Watches, writes, knownCompactions(h.Ops),
				!hasIndeterminateWrites(h))
		}
	}
	if opts.Visualize {
		res.vis = collectVisualization(h, p, full, dl)
	}
	return res, nil
}

// sliceMin is the smallest time slice a partition gets per round.
const sliceMin = 5 * time.Millisecond

// runPartitions checks the partitions against the shared deadline. A
// single partition gets the whole budget. Several partitions are checked
// in rounds of doubling time slices, so that one hard partition cannot
// starve an easy failing one; rounds stop once a partition fails. The
// runs are not verbose: porcupine's verbose mode walks its whole stack at
// every backtrack, which grows with the square of the history.
func runPartitions(p prepared, dl deadline, res *Result) {
	for i, part := range p.parts {
		n := len(part) - 1 // the end marker is no operation of the history
		res.Partitions = append(res.Partitions, PartitionResult{Key: p.keys[i], Ops: n, Verdict: Unknown})
		res.Checked += n
	}
	switch len(p.parts) {
	case 0:
		return
	case 1:
		if left := dl.remaining(); left > 0 {
			cr := porcupine.CheckOperationsTimeout(p.model, p.parts[0], left)
			res.Partitions[0].Verdict = verdictOf(cr)
		}
		return
	}
	slice := max(res.Budget/time.Duration(8*len(p.parts)), sliceMin)
	for open := true; open; slice *= 2 {
		open = false
		failed := false
		for i, part := range p.parts {
			pr := &res.Partitions[i]
			left := min(slice, dl.remaining())
			if pr.Verdict != Unknown || left <= 0 {
				continue
			}
			pr.Verdict = verdictOf(porcupine.CheckOperationsTimeout(p.model, part, left))
			failed = failed || pr.Verdict == NotLinearizable
			open = open || pr.Verdict == Unknown
		}
		open = open && !failed && dl.remaining() > 0
	}
}

// verboseRun checks every partition again, verbosely, for the
// linearizations the watch checks, the explanation and the HTML need. It
// returns nil when no budget is left.
func verboseRun(p prepared, dl deadline) *porcupine.LinearizationInfo {
	left := dl.remaining()
	if left <= 0 {
		return nil
	}
	m := p.model
	parts := p.parts
	m.Partition = func([]porcupine.Operation) [][]porcupine.Operation { return parts }
	_, info := porcupine.CheckOperationsVerbose(m, nil, left)
	return &info
}

func verdictOf(cr porcupine.CheckResult) Verdict {
	switch cr {
	case porcupine.Ok:
		return Linearizable
	case porcupine.Illegal:
		return NotLinearizable
	}
	return Unknown
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
