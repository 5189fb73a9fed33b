package linearizability

import (
	"fmt"
	"io"
)

// Verdict is the outcome of a check.
type Verdict uint8

// Verdicts. Unknown means the budget ran out first: it is never success.
const (
	Linearizable Verdict = iota
	NotLinearizable
	Unknown
)

var verdictNames = [...]string{"linearizable", "not-linearizable", "unknown"}

// String prints the verdict as the CLI and JSON spell it.
func (v Verdict) String() string {
	if int(v) < len(verdictNames) {
		return verdictNames[v]
	}
	return fmt.Sprintf("verdict(%d)", uint8(v))
}

// ModelKind selects the sequential specification a history is checked
// against.
type ModelKind uint8

// Models. ModelAuto picks ModelPerKey for KVInput histories and ModelEtcd
// for EtcdRequest histories.
const (
	ModelAuto ModelKind = iota
	// ModelPerKey checks each key as an independent register (get, put,
	// delete, cas, append), one porcupine partition per key.
	ModelPerKey
	// ModelEtcd checks the whole keyspace with revisions, leases and
	// compaction, as one partition.
	ModelEtcd
)

var modelNames = [...]string{"auto", "per-key", "etcd"}

// String prints the model's name.
func (m ModelKind) String() string {
	if int(m) < len(modelNames) {
		return modelNames[m]
	}
	return fmt.Sprintf("model(%d)", uint8(m))
}

// Steps counts model steps: one call of a model's step function by the
// search. A check's budget is a number of steps, so that its verdict is a
// function of the history and the budget, never of the machine's load.
type Steps int64

// String prints steps with a decimal suffix, as ParseSteps reads them
// (2500000 prints as 2.5M).
func (s Steps) String() string { return formatSteps(s) }

// BudgetDefault is the step budget of a check whose Options leave it zero.
const BudgetDefault Steps = 20_000_000

// Options tune a check.
type Options struct {
	// Budget bounds the model steps of the check's search; zero means
	// BudgetDefault. Explaining a failure and drawing the visualization
	// repeat searches the check made, and cost at most as much again.
	Budget Steps
	Model  ModelKind
	// Visualize collects what Result.WriteHTML needs. It costs a second,
	// verbose porcupine run when the history has several partitions.
	Visualize bool
}

// PartitionResult is the verdict on one partition: one key under the
// per-key model, the whole keyspace ("") under the etcd model.
type PartitionResult struct {
	Key     string
	Verdict Verdict
	// Ops is the number of operations checked in this partition.
	Ops int
	// Steps is what the search that gave Verdict took.
	Steps Steps
}

// Result is what Check found. Its fields are a function of the history
// and the budget.
type Result struct {
	Verdict Verdict
	Model   ModelKind
	// Ops is the number of operations in the history; Checked excludes
	// the indeterminate reads, which constrain nothing and are dropped.
	Ops, Checked int
	// Partitions are in key order. Once one fails, the others get only
	// the current round of step slices: those still undecided stay
	// Unknown, as do those the budget did not reach.
	Partitions []PartitionResult
	// Explanation is set when Verdict is NotLinearizable.
	Explanation *Explanation
	// WatchViolations lists broken watch guarantees (etcd model, only
	// checked when the operations are linearizable).
	WatchViolations []WatchViolation
	// WatchesUnchecked is set when the budget ran out before the
	// linearization the watch checks need was found.
	WatchesUnchecked bool
	// Budget is the budget the check ran under; Steps is what its
	// searches took (at most Budget).
	Budget, Steps Steps
	vis           *visualization
	visErr        error
}

// Failed reports whether the history shows a violation: operations not
// linearizable or a watch guarantee broken.
func (r *Result) Failed() bool {
	return r.Verdict == NotLinearizable || len(r.WatchViolations) > 0
}

// Parse reads an external history in format f (FormatAuto detects it from
// the first line). Times are line numbers: both formats record only the
// order of events. Operations still pending at the end are indeterminate.
// The input is streamed with bounded memory. Errors name the line and
// wrap ErrSyntax, ErrUnmatchedReturn, ErrPendingInvoke,
// ErrMismatchedReturn, ErrUnknownKind, ErrUnknownFormat, ErrEmptyHistory,
// or ErrLineTooLong and ErrTooLarge past the input's bounds.
func Parse(r io.Reader, f Format) (History, error) {
	return parse(r, f)
}

// String summarises the result on one line, e.g.
// "not-linearizable: stale read (etcd model, 2000 ops)".
func (r *Result) String() string {
	s := r.Verdict.String()
	if e := r.Explanation; e != nil && e.Anomaly != "" {
		s += ": " + e.Anomaly
	}
	s += fmt.Sprintf(" (%v model, %d ops", r.Model, r.Ops)
	if n := len(r.WatchViolations); n > 0 {
		s += fmt.Sprintf(", %d watch violations", n)
	}
	if r.Verdict == Unknown {
		s += fmt.Sprintf(", budget %v spent", r.Budget)
	}
	return s + ")"
}

// Check decides whether h is linearizable under opts.Model within
// opts.Budget steps. It returns an error (ErrDuplicateID, ErrReturnBeforeCall,
// ErrUnknownKind, ErrMixedModels, ErrBadOperation, ErrBadWatch) for a
// history it cannot check; a timed-out check is Unknown, not an error.
func Check(h History, opts Options) (*Result, error) {
	return check(h, opts)
}
