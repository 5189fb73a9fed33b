package linearizability

import (
	"fmt"
	"sort"
)

// completion is how an event-log operation ended.
type completion uint8

const (
	completeOK      completion = iota // took effect with this result
	completeFail                      // surely did not take effect
	completeUnknown                   // may or may not have taken effect
)

// eventLog turns invoke/complete events into operations.
type eventLog struct {
	line int
	ops  []Operation
	// dropped marks operations that failed and are left out.
	dropped map[int]bool
	// pending maps a process to the index of its open operation.
	pending map[ClientID]int
}

func newEventLog() *eventLog {
	return &eventLog{dropped: make(map[int]bool), pending: make(map[ClientID]int)}
}

// invoke opens an operation for process p.
func (l *eventLog) invoke(p ClientID, in KVInput) error {
	if i, busy := l.pending[p]; busy {
		return fmt.Errorf("%w: process %d invoked while %v is pending",
			ErrPendingInvoke, int(p), l.ops[i].Input)
	}
	l.pending[p] = len(l.ops)
	l.ops = append(l.ops, Operation{ID: OpID(len(l.ops)), Client: p, Call: Time(l.line), Input: in})
	return nil
}

// pendingInput returns process p's open operation's input.
func (l *eventLog) pendingInput(p ClientID) (KVInput, bool) {
	i, ok := l.pending[p]
	if !ok {
		return KVInput{}, false
	}
	return l.ops[i].Input.(KVInput), true
}

// complete closes process p's open operation of kind k.
func (l *eventLog) complete(p ClientID, k KVKind, how completion, out KVOutput) error {
	i, ok := l.pending[p]
	if !ok {
		return fmt.Errorf("%w: process %d", ErrUnmatchedReturn, int(p))
	}
	op := &l.ops[i]
	if got := op.Input.(KVInput).Kind; got != k {
		return fmt.Errorf("%w: process %d invoked %v, completed %v", ErrMismatchedReturn, int(p), got, k)
	}
	delete(l.pending, p)
	op.Return = Time(l.line)
	switch how {
	case completeOK:
		op.Output = out
	case completeFail:
		l.dropped[i] = true
	case completeUnknown:
		op.Unknown = true
	}
	return nil
}

// checkInvariants asserts that every pending operation is open: it has
// neither an output nor a return time yet.
func (l *eventLog) checkInvariants() {
	for p, i := range l.pending { //det:ok assertions only
		op := &l.ops[i]
		if op.Client != p || op.Output != nil || op.Unknown || op.Return != 0 {
			assertf(false, "pending %v of process %d is closed", op.ID, int(p))
		}
	}
}

// close makes the still-pending operations indeterminate and returns the
// history without the failed operations.
func (l *eventLog) close() (History, error) {
	l.checkInvariants()
	procs := make([]ClientID, 0, len(l.pending))
	for p := range l.pending { //det:ok sorted below
		procs = append(procs, p)
	}
	sort.Slice(procs, func(i, j int) bool { return procs[i] < procs[j] })
	for _, p := range procs {
		l.ops[l.pending[p]].Unknown = true
	}
	h := History{LineTimes: true}
	for i, op := range l.ops {
		if !l.dropped[i] {
			h.Ops = append(h.Ops, op)
		}
	}
	if len(l.ops) == 0 {
		return History{}, ErrEmptyHistory
	}
	return h, nil
}
