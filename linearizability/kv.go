package linearizability

import (
	"fmt"
	"strconv"
)

// KVKind is the function of a per-key operation.
type KVKind uint8

// Per-key operation kinds, as in Jepsen's register and porcupine's
// key-value tests.
const (
	KVGet KVKind = iota + 1
	KVPut
	KVDelete
	// KVCAS sets Value if the key exists and holds Expected.
	KVCAS
	// KVAppend appends Value to the key's value (creating it if absent).
	KVAppend
)

var kvKindNames = [...]string{"?", "get", "put", "delete", "cas", "append"}

// String prints the kind's lower-case name.
func (k KVKind) String() string {
	if int(k) < len(kvKindNames) {
		return kvKindNames[k]
	}
	return "kv(" + strconv.Itoa(int(k)) + ")"
}

// KVInput is a request of the per-key model: one function on one key.
type KVInput struct {
	Kind KVKind
	Key  string
	// Value is written by put, cas and append.
	Value string
	// Expected is the value cas compares against.
	Expected string
	// unread is set by the checker on a write whose token no operation of
	// the partition reads or compares against (resolve_kv.go): the model
	// then tracks only that the key holds such a token.
	unread bool
}

func (KVInput) isInput() {}

// KVOutput is a response of the per-key model.
type KVOutput struct {
	// Value and Found are what a get read. The per-key model treats an
	// absent key and an empty value alike, as porcupine's key-value
	// format cannot tell them apart.
	Value string
	Found bool
	// OK reports whether a cas applied. A cas that did not apply claims
	// the key did not hold Expected at its linearization point.
	OK bool
}

func (KVOutput) isOutput() {}

// String prints the request in the visualization's words.
func (in KVInput) String() string {
	switch in.Kind {
	case KVGet:
		return fmt.Sprintf("get(%q)", in.Key)
	case KVDelete:
		return fmt.Sprintf("delete(%q)", in.Key)
	case KVCAS:
		return fmt.Sprintf("cas(%q, %q->%q)", in.Key, in.Expected, in.Value)
	default:
		return fmt.Sprintf("%v(%q, %q)", in.Kind, in.Key, in.Value)
	}
}

// validWith checks the request and that out is a KVOutput (or absent for
// an indeterminate operation).
func (in KVInput) validWith(out Output, unknown bool) error {
	if in.Kind < KVGet || in.Kind > KVAppend {
		return fmt.Errorf("%w: kv kind %d", ErrUnknownKind, int(in.Kind))
	}
	if unknown {
		if out != nil {
			return fmt.Errorf("%w: indeterminate %v has an output", ErrBadOperation, in)
		}
		return nil
	}
	if _, ok := out.(KVOutput); !ok {
		return fmt.Errorf("%w: %v answered by %T", ErrUnknownKind, in, out)
	}
	return nil
}

// kvState is the per-key model's state: the value of one key.
type kvState struct {
	value  string
	exists bool
	// unread is set when the value holds a token written by an unread
	// write: no get or cas of the partition can match it, so which value
	// it is does not matter, and all such values are one state.
	// Invariant: unread implies exists and an empty value.
	unread bool
	// ended is set once the end-of-history marker is linearized.
	ended bool
}

// unreadState is the state after an unread write.
var unreadState = kvState{exists: true, unread: true}

// matches reports whether the key holds exactly v.
func (st kvState) matches(v string) bool { return st.exists && !st.unread && st.value == v }

// stepKV applies in to st. A nil out (indeterminate) accepts any result.
func stepKV(st kvState, in KVInput, out *KVOutput) (bool, kvState) {
	switch in.Kind {
	case KVGet:
		if out == nil {
			return true, st
		}
		if out.Found {
			return st.matches(out.Value), st
		}
		return !st.exists || st.matches(""), st
	case KVPut:
		return true, written(in, in.Value)
	case KVDelete:
		return true, kvState{}
	case KVCAS:
		applies := st.matches(in.Expected)
		next := st
		if applies {
			next = written(in, in.Value)
		}
		return out == nil || out.OK == applies, next
	case KVAppend:
		if st.unread {
			return true, unreadState
		}
		return true, written(in, st.value+in.Value)
	}
	assertf(false, "kv kind %v passed validation", in.Kind)
	return false, st
}

// written is the state after in writes value.
func written(in KVInput, value string) kvState {
	if in.unread {
		return unreadState
	}
	return kvState{value: value, exists: true}
}

// describeKV prints an operation for the visualization.
func describeKV(in KVInput, out *KVOutput) string {
	if out == nil {
		return in.String() + " -> ?"
	}
	switch in.Kind {
	case KVGet:
		if !out.Found {
			return in.String() + " -> nil"
		}
		return fmt.Sprintf("%v -> %q", in, out.Value)
	case KVCAS:
		return fmt.Sprintf("%v -> %t", in, out.OK)
	default:
		return in.String()
	}
}
