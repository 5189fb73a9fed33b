package linearizability

import (
	"fmt"
	"sort"
	"strings"

	"github.com/anishathalye/porcupine"
)

// Bounds on an explanation's size, so that it stays readable.
const (
	explainBeforeOpsMax = 6
	explainStuckOpsMax  = 8
	explainFaultsMax    = 10
)

// Explanation says where a failing history stops being linearizable.
type Explanation struct {
	// Partition is the smallest failing partition's key ("" for the
	// whole keyspace), and PartitionOps its size.
	Partition    string `json:"partition"`
	PartitionOps int    `json:"partition_ops"`
	// Linearized is the length of the longest linearizable prefix found.
	Linearized int `json:"linearized"`
	// Anomaly names the violation when it can be told ("stale read",
	// "lost write", ...), else "". Detail says why in one sentence.
	Anomaly string `json:"anomaly,omitempty"`
	Detail  string `json:"detail,omitempty"`
	// State is the model's state after the prefix.
	State string `json:"state"`
	// Before are the prefix's last operations, each with its state after.
	Before []ExplainedOp `json:"before"`
	// Stuck are the operations pending where the search got stuck; the
	// first is the one that had to take effect next and could not.
	Stuck []ExplainedOp `json:"stuck"`
	// Faults are the annotations around that point.
	Faults []Annotation `json:"faults,omitempty"`
	// LineTimes: times are line numbers (History.LineTimes).
	LineTimes bool `json:"line_times,omitempty"`
}

// ExplainedOp is one operation as an explanation shows it.
type ExplainedOp struct {
	ID      OpID     `json:"id"`
	Client  ClientID `json:"client"`
	Call    Time     `json:"call"`
	Return  Time     `json:"return"`
	Unknown bool     `json:"unknown,omitempty"`
	Text    string   `json:"text"`
	// StateAfter is the model's state after the operation (prefix only).
	StateAfter string `json:"state_after,omitempty"`
}

// String prints the explanation as a short multi-line report.
func (e *Explanation) String() string {
	var b strings.Builder
	where := "the whole keyspace"
	if e.Partition != "" {
		where = fmt.Sprintf("key %q", e.Partition)
	}
	fmt.Fprintf(&b, "no linearization of %s (%d ops); longest prefix %d ops\n",
		where, e.PartitionOps, e.Linearized)
	if e.Anomaly != "" {
		fmt.Fprintf(&b, "anomaly: %s: %s\n", e.Anomaly, e.Detail)
	}
	b.WriteString("last linearized:\n")
	for _, op := range e.Before {
		fmt.Fprintf(&b, "  %s  => %s\n", op.line(e.LineTimes), op.StateAfter)
	}
	fmt.Fprintf(&b, "state: %s\ncould not linearize:\n", e.State)
	for _, op := range e.Stuck {
		fmt.Fprintf(&b, "  %s\n", op.line(e.LineTimes))
	}
	for _, a := range e.Faults {
		fmt.Fprintf(&b, "meanwhile: [%v..%v] %s %v: %s\n", a.Start, a.End, a.Node, a.Kind, a.Text)
	}
	return b.String()
}

// line prints the operation on one line, its interval as times or as the
// lines of its call and return.
func (op ExplainedOp) line(lineTimes bool) string {
	ret := op.Return.String()
	if lineTimes {
		ret = fmt.Sprint(int64(op.Return))
	}
	if op.Unknown {
		ret = "?"
	}
	span := fmt.Sprintf("[%v, %s]", op.Call, ret)
	if lineTimes {
		span = fmt.Sprintf("lines %d..%s", op.Call, ret)
	}
	return fmt.Sprintf("%v %v %s %s", op.ID, op.Client, span, op.Text)
}

// explain builds the explanation of the smallest failing partition from
// the longest linearizable prefix its search found.
func explain(h History, p prepared, results []PartitionResult, found []searchResult) *Explanation {
	pi := -1
	for i, r := range results {
		if r.Verdict == NotLinearizable && (pi < 0 || r.Ops < results[pi].Ops) {
			pi = i
		}
	}
	assertf(pi >= 0, "explaining a history with no failing partition")
	part := plain(p.parts[pi])
	e := &Explanation{Partition: p.keys[pi], PartitionOps: len(part) - 1, LineTimes: h.LineTimes}
	order := found[pi].order
	e.Linearized = len(order)
	st, inPrefix := e.replayPrefix(p.model, part, order)
	blocker := pickBlocker(part, inPrefix)
	if b := found[pi].blocker; b > 0 {
		blocker = b - 1
	}
	if blocker < 0 {
		return e
	}
	e.Stuck = stuckOps(p.model, part, inPrefix, blocker)
	e.Anomaly, e.Detail = classify(p.kind, part[:len(part)-1], blocker, st)
	e.Faults = faultsAround(h.Annotations, e.Before, e.Stuck)
	return e
}

// replayPrefix steps the model through order, keeping the last few
// operations, and returns the final state and the set of ops replayed.
func (e *Explanation) replayPrefix(m porcupine.Model, part []porcupine.Operation,
	order []int) (any, map[int]bool) {
	st := m.Init()
	in := make(map[int]bool, len(order))
	for k, i := range order {
		ok, next := step(m, st, part[i])
		assertf(ok, "porcupine's prefix fails to replay at step %d", k)
		st = next
		in[i] = true
		if k >= len(order)-explainBeforeOpsMax {
			op := explainedOp(m, part[i])
			op.StateAfter = m.DescribeState(st)
			e.Before = append(e.Before, op)
		}
	}
	e.State = m.DescribeState(st)
	return st, in
}

// pickBlocker returns the unlinearized determinate op that returned
// first: the prefix cannot be extended past its return.
func pickBlocker(part []porcupine.Operation, in map[int]bool) int {
	best := -1
	for i, op := range part {
		if in[i] || op.Metadata.(opMeta).unknown {
			continue
		}
		if best < 0 || op.Return < part[best].Return {
			best = i
		}
	}
	return best
}

// stuckOps lists the blocker, then the other pending ops called before it
// returned, by call time.
func stuckOps(m porcupine.Model, part []porcupine.Operation, in map[int]bool,
	blocker int) []ExplainedOp {
	var idx []int
	for i, op := range part {
		if !in[i] && i != blocker && op.Call <= part[blocker].Return {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return part[idx[a]].Call < part[idx[b]].Call })
	out := []ExplainedOp{explainedOp(m, part[blocker])}
	for _, i := range idx {
		if len(out) == explainStuckOpsMax {
			break
		}
		out = append(out, explainedOp(m, part[i]))
	}
	return out
}

func explainedOp(m porcupine.Model, op porcupine.Operation) ExplainedOp {
	meta := op.Metadata.(opMeta)
	return ExplainedOp{ID: meta.id, Client: meta.client, Call: Time(op.Call),
		Return: Time(op.Return), Unknown: meta.unknown,
		Text: m.DescribeOperation(op.Input, op.Output)}
}

// faultsAround returns the annotations overlapping the explained window,
// plus the last one that started before it (often its cause).
func faultsAround(anns []Annotation, before, stuck []ExplainedOp) []Annotation {
	if len(anns) == 0 || len(stuck) == 0 {
		return nil
	}
	lo, hi := stuck[0].Call, stuck[0].Return
	for _, op := range append(append([]ExplainedOp(nil), before...), stuck...) {
		lo = min(lo, op.Call)
		if !op.Unknown {
			hi = max(hi, op.Return)
		}
	}
	sorted := append([]Annotation(nil), anns...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Start < sorted[j].Start })
	var out []Annotation
	for i, a := range sorted {
		overlaps := a.Start <= hi && max(a.End, a.Start) >= lo
		cause := a.Start < lo && (i+1 == len(sorted) || sorted[i+1].Start >= lo)
		if (overlaps || cause) && len(out) < explainFaultsMax {
			out = append(out, a)
		}
	}
	return out
}
