package linearizability

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
)

// Format is an external history format.
type Format uint8

// Formats Parse reads.
const (
	FormatAuto Format = iota
	// FormatJepsenEtcd is Jepsen's etcd register log: lines of
	// "<process> :invoke|:ok|:fail|:info :read|:write|:cas <value>".
	FormatJepsenEtcd
	// FormatPorcupineKV is porcupine's key-value format: one EDN map per
	// line with :process, :type, :f (:get, :put, :append), :key, :value.
	FormatPorcupineKV
)

var formatNames = [...]string{"auto", "jepsen-etcd", "porcupine-kv"}

// String prints the format's name as the CLI spells it.
func (f Format) String() string {
	if int(f) < len(formatNames) {
		return formatNames[f]
	}
	return fmt.Sprintf("format(%d)", uint8(f))
}

// ParseFormat returns the format named name.
func ParseFormat(name string) (Format, error) {
	for i, n := range formatNames {
		if n == name {
			return Format(i), nil
		}
	}
	return 0, fmt.Errorf("%w: %q (want one of %s)", ErrUnknownFormat, name,
		strings.Join(formatNames[:], ", "))
}

// Bounds on parsed input, so that a hostile file fails cleanly.
const (
	parseLineBytesMax = 1 << 20
	parseOpsMax       = 10_000_000
)

// parse is Parse's body.
func parse(r io.Reader, f Format) (History, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return History{}, fmt.Errorf("linearizability: read history: %w", err)
	}
	if f == FormatAuto {
		if f, err = detectFormat(data); err != nil {
			return History{}, err
		}
	}
	var parseLine func(*eventLog, string) error
	switch f {
	case FormatJepsenEtcd:
		parseLine = parseJepsenLine
	case FormatPorcupineKV:
		parseLine = parseKVLine
	default:
		return History{}, fmt.Errorf("%w: %v", ErrUnknownFormat, f)
	}
	return parseLines(data, parseLine)
}

// detectFormat looks at the first non-blank line.
func detectFormat(data []byte) (Format, error) {
	for _, line := range bytes.Split(data, []byte("\n")) {
		s := strings.TrimSpace(string(line))
		switch {
		case s == "":
			continue
		case strings.HasPrefix(s, "{"):
			return FormatPorcupineKV, nil
		case strings.Contains(s, ":invoke") || strings.Contains(s, "jepsen"):
			return FormatJepsenEtcd, nil
		}
		return 0, fmt.Errorf("%w: line 1 is neither an EDN map nor a Jepsen log line", ErrUnknownFormat)
	}
	return 0, ErrEmptyHistory
}

// parseLines feeds each line to parseLine and closes the log.
func parseLines(data []byte, parseLine func(*eventLog, string) error) (History, error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), parseLineBytesMax)
	log := newEventLog()
	for sc.Scan() {
		log.line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		if err := parseLine(log, text); err != nil {
			return History{}, fmt.Errorf("line %d: %w", log.line, err)
		}
		if len(log.ops) > parseOpsMax {
			return History{}, fmt.Errorf("line %d: %w: more than %d operations",
				log.line, ErrSyntax, parseOpsMax)
		}
	}
	if err := sc.Err(); err != nil {
		return History{}, fmt.Errorf("line %d: %w: %v", log.line+1, ErrSyntax, err)
	}
	return log.close()
}
