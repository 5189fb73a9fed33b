package linearizability

import (
	"fmt"
	"strconv"
	"strings"
)

// jepsenRegisterKey is the key the single Jepsen register is checked as.
const jepsenRegisterKey = "register"

// parseJepsenLine reads one line of a Jepsen etcd register log, e.g.
//
//	INFO  jepsen.util - 2	:invoke	:cas	[4 0]
//
// Logger lines of other namespaces are skipped. Semantics follow Jepsen:
// :fail means the operation did not happen, except that a failed cas is a
// definite "compare failed"; :info means the outcome is unknown.
func parseJepsenLine(l *eventLog, line string) error {
	fields := strings.Fields(line)
	at := -1
	for i, f := range fields {
		if f == ":invoke" || f == ":ok" || f == ":fail" || f == ":info" {
			at = i
			break
		}
	}
	if at < 0 {
		if isLogNoise(fields) {
			return nil
		}
		return fmt.Errorf("%w: no :invoke, :ok, :fail or :info in %q", ErrSyntax, line)
	}
	if at == 0 || at+1 >= len(fields) {
		return fmt.Errorf("%w: want \"<process> <type> <f> <value>\" in %q", ErrSyntax, line)
	}
	proc, err := strconv.Atoi(fields[at-1])
	if err != nil || proc < 0 {
		return fmt.Errorf("%w: process %q is not a number", ErrSyntax, fields[at-1])
	}
	kind, err := jepsenKind(fields[at+1])
	if err != nil {
		return err
	}
	value := strings.Join(fields[at+2:], " ")
	if fields[at] == ":invoke" {
		in, err := jepsenInput(kind, value)
		if err != nil {
			return err
		}
		return l.invoke(ClientID(proc), in)
	}
	return jepsenComplete(l, ClientID(proc), kind, fields[at], value)
}

// isLogNoise reports whether a line is another logger's output.
func isLogNoise(fields []string) bool {
	if len(fields) < 2 {
		return false
	}
	switch fields[0] {
	case "INFO", "WARN", "DEBUG", "ERROR", "TRACE":
		return fields[1] != "jepsen.util"
	}
	return false
}

func jepsenKind(f string) (KVKind, error) {
	switch f {
	case ":read":
		return KVGet, nil
	case ":write":
		return KVPut, nil
	case ":cas":
		return KVCAS, nil
	}
	return 0, fmt.Errorf("%w: %q (want :read, :write or :cas)", ErrUnknownKind, f)
}

// jepsenInput reads an invocation's argument.
func jepsenInput(kind KVKind, value string) (KVInput, error) {
	in := KVInput{Kind: kind, Key: jepsenRegisterKey}
	switch kind {
	case KVGet:
		if value != "nil" && value != "" {
			return in, fmt.Errorf("%w: read invoked with %q, want nil", ErrSyntax, value)
		}
	case KVPut:
		v, err := jepsenInt(value)
		if err != nil {
			return in, err
		}
		in.Value = v
	case KVCAS:
		from, to, err := jepsenPair(value)
		if err != nil {
			return in, err
		}
		in.Expected, in.Value = from, to
	}
	return in, nil
}

// jepsenComplete applies a completion line.
func jepsenComplete(l *eventLog, p ClientID, kind KVKind, typ, value string) error {
	switch {
	case typ == ":info":
		return l.complete(p, kind, completeUnknown, KVOutput{})
	case typ == ":fail" && kind == KVCAS:
		return l.complete(p, kind, completeOK, KVOutput{OK: false})
	case typ == ":fail":
		return l.complete(p, kind, completeFail, KVOutput{})
	case kind == KVGet && value == "nil":
		return l.complete(p, kind, completeOK, KVOutput{})
	case kind == KVGet:
		v, err := jepsenInt(value)
		if err != nil {
			return err
		}
		return l.complete(p, kind, completeOK, KVOutput{Value: v, Found: true})
	}
	// An :ok write or cas echoes its invocation's argument.
	echo, err := jepsenInput(kind, value)
	if err != nil {
		return err
	}
	if in, ok := l.pendingInput(p); ok && in != echo {
		return fmt.Errorf("%w: process %d invoked %v, completed %v",
			ErrMismatchedReturn, int(p), in, echo)
	}
	return l.complete(p, kind, completeOK, KVOutput{OK: true})
}

func jepsenInt(s string) (string, error) {
	if s == "" {
		return "", fmt.Errorf("%w: missing value", ErrSyntax)
	}
	if _, err := strconv.ParseInt(s, 10, 64); err != nil {
		return "", fmt.Errorf("%w: %q is not an integer", ErrSyntax, s)
	}
	return s, nil
}

// jepsenPair reads "[a b]".
func jepsenPair(s string) (string, string, error) {
	inner, ok := strings.CutPrefix(s, "[")
	if ok {
		inner, ok = strings.CutSuffix(inner, "]")
	}
	parts := strings.Fields(inner)
	if !ok || len(parts) != 2 {
		return "", "", fmt.Errorf("%w: cas argument %q, want [from to]", ErrSyntax, s)
	}
	from, err := jepsenInt(parts[0])
	if err != nil {
		return "", "", err
	}
	to, err := jepsenInt(parts[1])
	return from, to, err
}
