package linearizability

import "errors"

// Errors returned while validating a history (Check, Validate).
var (
	// ErrReturnBeforeCall is returned when an operation returns before it
	// was called.
	ErrReturnBeforeCall = errors.New("linearizability: return precedes call")
	// ErrDuplicateID is returned when two operations share an id.
	ErrDuplicateID = errors.New("linearizability: duplicate operation id")
	// ErrUnknownKind is returned when an operation's input or output is of
	// a kind no model knows, or when the output does not match the input.
	ErrUnknownKind = errors.New("linearizability: unknown operation kind")
	// ErrMixedModels is returned when one history mixes per-key and etcd
	// operations, or when a forced model cannot read the history's inputs.
	ErrMixedModels = errors.New("linearizability: history mixes model kinds")
	// ErrBadOperation is returned for an operation whose fields contradict
	// each other or that the model does not model (a missing key, a txn op
	// of two kinds, a nested txn, an error the etcd model does not predict).
	ErrBadOperation = errors.New("linearizability: malformed operation")
	// ErrBadWatch is returned for a watch stream that cannot be checked
	// (events without a write history, a stream of an unknown client).
	ErrBadWatch = errors.New("linearizability: malformed watch stream")
)

// Errors returned by ParseSteps.
var (
	// ErrBadBudget is returned for a step budget that is not a positive
	// whole number of steps.
	ErrBadBudget = errors.New("linearizability: bad step budget")
)

// Errors returned by Result.WriteHTML.
var (
	// ErrNoVisualization is returned when the check did not collect
	// visualization data (Options.Visualize unset), or the history is too
	// long to draw.
	ErrNoVisualization = errors.New("linearizability: no visualization collected")
)

// Errors returned by the parsers (Parse, ParseJepsenEtcd, ParsePorcupineKV).
// Each is wrapped with the line number and the offending text.
var (
	// ErrSyntax is returned for a line that matches no known form.
	ErrSyntax = errors.New("linearizability: syntax error")
	// ErrUnmatchedReturn is returned when a completion (:ok, :fail, :info)
	// names a process with no pending invocation.
	ErrUnmatchedReturn = errors.New("linearizability: completion without invocation")
	// ErrPendingInvoke is returned when a process invokes again while its
	// previous operation is still pending.
	ErrPendingInvoke = errors.New("linearizability: invocation while pending")
	// ErrMismatchedReturn is returned when a completion's function differs
	// from its invocation's.
	ErrMismatchedReturn = errors.New("linearizability: completion does not match invocation")
	// ErrUnknownFormat is returned when a file's format cannot be detected
	// or a format name is not known.
	ErrUnknownFormat = errors.New("linearizability: unknown history format")
	// ErrEmptyHistory is returned for a file with no operations.
	ErrEmptyHistory = errors.New("linearizability: empty history")
	// ErrLineTooLong is returned when one line is longer than the parser's
	// line bound (1 MiB): input without newlines, such as /dev/zero or a
	// sparse file, fails with it after reading that much.
	ErrLineTooLong = errors.New("linearizability: line too long")
	// ErrTooLarge is returned when the input is longer than the parser's
	// bound on a history's bytes (256 MiB) or operations (1Mi).
	ErrTooLarge = errors.New("linearizability: history too large")
)
