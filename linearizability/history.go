package linearizability

import (
	"fmt"
	"math"
	"time"
)

// Time is an instant in a history: virtual nanoseconds for simulated runs,
// or any monotonic integer clock for external histories. Only its order
// matters to the checker.
type Time int64

// timeInfinite stands for "never returned": the return time given to
// porcupine for an indeterminate operation, so it may linearize anywhere
// after its call.
const timeInfinite = Time(math.MaxInt64)

// String prints t as a duration since the start of the history.
func (t Time) String() string {
	if t == timeInfinite {
		return "never"
	}
	return time.Duration(t).String()
}

// ClientID names the client (a Jepsen process) that issued an operation.
type ClientID int

// String prints the id as "c<id>".
func (c ClientID) String() string { return fmt.Sprintf("c%d", int(c)) }

// OpID identifies an operation within one history.
type OpID int

// String prints the id as "op<id>".
func (id OpID) String() string { return fmt.Sprintf("op%d", int(id)) }

// History is what a run (or an external tool) records: the client
// operations, the watch streams and what happened to the cluster meanwhile.
type History struct {
	// Ops are the client operations, in any order.
	Ops []Operation
	// Watches are the watch streams opened by clients; they are checked
	// against the linearized order of writes (etcd model only).
	Watches []WatchStream
	// Annotations mark faults, heals and leader changes for the
	// visualization and the explanation. They never change a verdict.
	Annotations []Annotation
	// LineTimes says that times are line numbers of a parsed file rather
	// than nanoseconds; reports print them as such.
	LineTimes bool
}

// Operation is one client request and, unless Unknown, its response.
type Operation struct {
	ID     OpID
	Client ClientID
	// Call is when the client sent the request.
	Call Time
	// Return is when the client received the response. It is ignored when
	// Unknown is set.
	// Invariant: Call <= Return.
	Return Time
	// Unknown marks an indeterminate operation (a timeout, Jepsen's :info):
	// it may or may not have taken effect, at any time after Call.
	Unknown bool
	// Input is a KVInput (per-key model) or an EtcdRequest (etcd model).
	Input Input
	// Output is the matching KVOutput or EtcdResponse; nil when Unknown.
	Output Output
}

// Input is a request the models know: KVInput or EtcdRequest.
type Input interface{ isInput() }

// Output is a response the models know: KVOutput or EtcdResponse.
type Output interface{ isOutput() }

// AnnotationKind says what an annotation marks.
type AnnotationKind uint8

// Annotation kinds. Faults are drawn red, heals green, leader changes blue.
const (
	AnnotationNote AnnotationKind = iota
	AnnotationFault
	AnnotationHeal
	AnnotationLeader
)

var annotationKindNames = [...]string{"note", "fault", "heal", "leader"}

// String prints the kind's lower-case name.
func (k AnnotationKind) String() string {
	if int(k) < len(annotationKindNames) {
		return annotationKindNames[k]
	}
	return fmt.Sprintf("annotation(%d)", uint8(k))
}

// MarshalText writes the kind's name, for JSON reports.
func (k AnnotationKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Annotation is something that happened to the cluster during a history: a
// partition, a crash, a clock jump, its healing, or a new leader.
type Annotation struct {
	// Start and End bound the event; End may equal Start for an instant.
	Start Time `json:"start"`
	End   Time `json:"end"`
	// Node names the member concerned ("n1"), or "" for the whole cluster.
	Node string         `json:"node,omitempty"`
	Kind AnnotationKind `json:"kind"`
	// Text is a one-line description, e.g. "partition {n1} | {n2,n3}".
	Text string `json:"text"`
}

// valid checks the history's structure: ids unique, returns after calls,
// inputs and outputs of known kinds that match each other.
func (h History) valid() error {
	seen := make(map[OpID]bool, len(h.Ops))
	for i := range h.Ops {
		op := &h.Ops[i]
		if seen[op.ID] {
			return fmt.Errorf("%w: %v appears twice", ErrDuplicateID, op.ID)
		}
		seen[op.ID] = true
		if err := op.valid(); err != nil {
			return fmt.Errorf("%v (client %v): %w", op.ID, op.Client, err)
		}
	}
	for i := range h.Watches {
		if err := h.Watches[i].valid(); err != nil {
			return fmt.Errorf("watch %d: %w", i, err)
		}
	}
	return nil
}

// valid checks one operation.
func (op *Operation) valid() error {
	if op.Client < 0 {
		return fmt.Errorf("%w: negative client id %d", ErrBadOperation, int(op.Client))
	}
	if !op.Unknown && op.Return < op.Call {
		return fmt.Errorf("%w: call %v, return %v", ErrReturnBeforeCall, op.Call, op.Return)
	}
	switch in := op.Input.(type) {
	case KVInput:
		return in.validWith(op.Output, op.Unknown)
	case EtcdRequest:
		return in.validWith(op.Output, op.Unknown)
	default:
		return fmt.Errorf("%w: input %T", ErrUnknownKind, op.Input)
	}
}

// callReturn returns the interval porcupine sees: an indeterminate
// operation never returns.
func (op *Operation) callReturn() (Time, Time) {
	if op.Unknown {
		return op.Call, timeInfinite
	}
	return op.Call, op.Return
}
