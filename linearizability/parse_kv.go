package linearizability

import (
	"fmt"
	"strconv"
	"strings"
)

// ednValue is one value of a flat EDN map: a keyword (":get"), a string,
// an integer or nil.
type ednValue struct {
	kind byte // 'k' keyword, 's' string, 'i' integer, 'n' nil
	text string
}

// parseEDNMap reads a flat EDN map such as
// {:process 0, :type :ok, :f :get, :key "3", :value "x"}.
func parseEDNMap(line string) (map[string]ednValue, error) {
	s, ok := strings.CutPrefix(line, "{")
	if ok {
		s, ok = strings.CutSuffix(s, "}")
	}
	if !ok {
		return nil, fmt.Errorf("%w: not an EDN map: %q", ErrSyntax, line)
	}
	m := make(map[string]ednValue)
	for {
		s = strings.TrimLeft(s, " \t,")
		if s == "" {
			return m, nil
		}
		key, rest, err := ednToken(s)
		if err != nil {
			return nil, err
		}
		if key.kind != 'k' {
			return nil, fmt.Errorf("%w: map key %q is not a keyword", ErrSyntax, key.text)
		}
		val, rest2, err := ednToken(strings.TrimLeft(rest, " \t,"))
		if err != nil {
			return nil, fmt.Errorf("after %s: %w", key.text, err)
		}
		if _, dup := m[key.text]; dup {
			return nil, fmt.Errorf("%w: key %s twice", ErrSyntax, key.text)
		}
		m[key.text] = val
		s = rest2
	}
}

// ednToken reads one token from the start of s.
func ednToken(s string) (ednValue, string, error) {
	if s == "" {
		return ednValue{}, "", fmt.Errorf("%w: missing value", ErrSyntax)
	}
	if s[0] == '"' {
		return ednString(s)
	}
	end := strings.IndexAny(s, " \t,")
	if end < 0 {
		end = len(s)
	}
	tok, rest := s[:end], s[end:]
	switch {
	case tok == "nil":
		return ednValue{kind: 'n'}, rest, nil
	case strings.HasPrefix(tok, ":") && len(tok) > 1:
		return ednValue{kind: 'k', text: tok}, rest, nil
	}
	if _, err := strconv.ParseInt(tok, 10, 64); err != nil {
		return ednValue{}, "", fmt.Errorf("%w: bad token %q", ErrSyntax, tok)
	}
	return ednValue{kind: 'i', text: tok}, rest, nil
}

// ednString reads a double-quoted string with backslash escapes.
func ednString(s string) (ednValue, string, error) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			return ednValue{kind: 's', text: b.String()}, s[i+1:], nil
		case '\\':
			i++
			if i == len(s) {
				return ednValue{}, "", fmt.Errorf("%w: unterminated string", ErrSyntax)
			}
			switch s[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			default:
				b.WriteByte(s[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return ednValue{}, "", fmt.Errorf("%w: unterminated string", ErrSyntax)
}

// parseKVLine reads one line of porcupine's key-value format. :fail means
// the operation did not happen and :info that its outcome is unknown; a
// get of "" or nil read an absent key.
func parseKVLine(l *eventLog, line string) error {
	m, err := parseEDNMap(line)
	if err != nil {
		return err
	}
	proc, typ, f, key := m[":process"], m[":type"], m[":f"], m[":key"]
	if proc.kind != 'i' || typ.kind != 'k' || f.kind != 'k' {
		return fmt.Errorf("%w: want :process <int>, :type <keyword>, :f <keyword>", ErrSyntax)
	}
	if key.kind != 's' && key.kind != 'i' {
		return fmt.Errorf("%w: want :key <string>", ErrSyntax)
	}
	p, err := strconv.Atoi(proc.text)
	if err != nil || p < 0 {
		return fmt.Errorf("%w: process %q", ErrSyntax, proc.text)
	}
	var kind KVKind
	switch f.text {
	case ":get":
		kind = KVGet
	case ":put":
		kind = KVPut
	case ":append":
		kind = KVAppend
	default:
		return fmt.Errorf("%w: %q (want :get, :put or :append)", ErrUnknownKind, f.text)
	}
	val := m[":value"]
	switch typ.text {
	case ":invoke":
		return l.invoke(ClientID(p), KVInput{Kind: kind, Key: key.text, Value: val.text})
	case ":ok":
		return l.complete(ClientID(p), kind, completeOK, KVOutput{Value: val.text, Found: val.text != ""})
	case ":fail":
		return l.complete(ClientID(p), kind, completeFail, KVOutput{})
	case ":info":
		return l.complete(ClientID(p), kind, completeUnknown, KVOutput{})
	}
	return fmt.Errorf("%w: :type %s (want :invoke, :ok, :fail or :info)", ErrSyntax, typ.text)
}
