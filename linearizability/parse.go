package linearizability

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
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

// Bounds on parsed input, so that a hostile or mistaken file (/dev/zero,
// a sparse file, a disk image) fails fast in bounded memory. Parse streams
// its input: besides the operations parsed so far it holds one read buffer
// (parseReadBytes) and at most one line, so these bound its memory.
//
//   - lineBytesMax: Jepsen and porcupine lines are tens to hundreds of
//     bytes (a porcupine :append read lists every value appended, still
//     kilobytes). 1 MiB is a thousand times that, and input without
//     newlines (NULs, binaries) fails after reading it.
//   - historyBytesMax: a Jepsen etcd history of 100k operations is 200k
//     lines of 50-120 bytes, some 25 MB with its logger's other lines;
//     256 MiB leaves ten times that, and streams through in well under a
//     second (blank lines are skipped in bulk, holding nothing).
//   - historyOpsMax: ten times those 100k operations. A parsed operation
//     holds 100-300 bytes (slice growth and the final copy included), so
//     this caps the parsed history at a few hundred MiB; a check that
//     large spends any budget the CLI offers anyway.
const (
	lineBytesMax    = 1 << 20
	historyBytesMax = 256 << 20
	historyOpsMax   = 1 << 20
	parseReadBytes  = 64 << 10
)

// parseLimits are the bounds parse enforces, and its read buffer's size.
// They are fields, not only constants, so that tests can reach each bound
// (and the buffer's edge) with small inputs.
type parseLimits struct {
	lineBytes    int
	historyBytes int64
	ops          int
	readBytes    int
}

var parseLimitsDefault = parseLimits{lineBytes: lineBytesMax, historyBytes: historyBytesMax,
	ops: historyOpsMax, readBytes: parseReadBytes}

// parse is Parse's body.
func parse(r io.Reader, f Format) (History, error) {
	return parseWithin(r, f, parseLimitsDefault)
}

// parseWithin streams r line by line under lim. With FormatAuto the first
// non-blank line picks the format, and is then parsed like any other.
// Errors name the line; besides the parsers' sentinels they wrap
// ErrLineTooLong or ErrTooLarge when r passes a bound.
func parseWithin(r io.Reader, f Format, lim parseLimits) (History, error) {
	parseLine, err := lineParser(f)
	if err != nil {
		return History{}, err
	}
	lr := newLineReader(r, lim)
	log := newEventLog()
	for {
		text, err := lr.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return History{}, err
		}
		log.line = lr.line
		if parseLine == nil {
			if parseLine, err = detectFormat(text); err != nil {
				return History{}, fmt.Errorf("line %d: %w", lr.line, err)
			}
		}
		if err := parseLine(log, text); err != nil {
			return History{}, fmt.Errorf("line %d: %w", lr.line, err)
		}
		if len(log.ops) > lim.ops {
			return History{}, fmt.Errorf("line %d: %w: over the limit of %d operations",
				lr.line, ErrTooLarge, lim.ops)
		}
	}
	return log.close()
}

// lineParser returns format f's line parser; nil for FormatAuto, whose
// parser detectFormat picks.
func lineParser(f Format) (func(*eventLog, string) error, error) {
	switch f {
	case FormatAuto:
		return nil, nil
	case FormatJepsenEtcd:
		return parseJepsenLine, nil
	case FormatPorcupineKV:
		return parseKVLine, nil
	}
	return nil, fmt.Errorf("%w: %v", ErrUnknownFormat, f)
}

// detectFormat picks the parser of the history whose first non-blank
// line is line.
func detectFormat(line string) (func(*eventLog, string) error, error) {
	switch {
	case strings.HasPrefix(line, "{"):
		return parseKVLine, nil
	case strings.Contains(line, ":invoke") || strings.Contains(line, "jepsen"):
		return parseJepsenLine, nil
	}
	return nil, fmt.Errorf("%w: neither an EDN map nor a Jepsen log line", ErrUnknownFormat)
}

// lineReader streams the non-blank lines of a history. It holds one read
// buffer and at most one line: runs of blank lines are skipped in bulk as
// they stream, so a file of newlines costs time but no memory, and a line
// longer than lim.lineBytes is an error, not an allocation.
type lineReader struct {
	br  *bufio.Reader
	lim parseLimits
	// newlines counts the newlines consumed: the line being read is
	// newlines+1.
	newlines int
	// line is the number of the line next returned most recently.
	line int
	// consumed counts the bytes read past.
	// Invariant: consumed <= lim.historyBytes while no error was returned.
	consumed int64
	// long gathers a line longer than br's buffer; its capacity stays
	// within about lim.lineBytes.
	long []byte
}

func newLineReader(r io.Reader, lim parseLimits) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(r, lim.readBytes), lim: lim}
}

// next returns the next non-blank line without its surrounding blanks,
// and io.EOF after the last. Other errors name the line and wrap
// ErrLineTooLong, ErrTooLarge or the reader's error.
func (lr *lineReader) next() (string, error) {
	for {
		if err := lr.skipBlanks(); err != nil {
			return "", err
		}
		raw, err := lr.readLine()
		if err != nil {
			return "", err
		}
		assertf(lr.consumed <= lr.lim.historyBytes, "read %d bytes past the bound %d",
			lr.consumed, lr.lim.historyBytes)
		assertf(lr.line > 0, "line %d returned", lr.line)
		// A line of non-ASCII blanks (U+00A0) gets here: it is blank too.
		if text := strings.TrimSpace(string(raw)); text != "" {
			return text, nil
		}
	}
}

// skipBlanks consumes ASCII blanks and newlines up to the next other byte
// or the end of input, without copying them. It returns io.EOF at the end.
func (lr *lineReader) skipBlanks() error {
	for {
		if _, err := lr.br.Peek(1); err != nil {
			return lr.readErr(err)
		}
		buf, _ := lr.br.Peek(lr.br.Buffered())
		// Scan no further than the input bound, so that an error names
		// the line of the first byte past it.
		scan := buf
		if room := lr.lim.historyBytes - lr.consumed; int64(len(scan)) > room {
			scan = scan[:room]
		}
		n := blankPrefix(scan)
		lr.newlines += bytes.Count(scan[:n], []byte("\n"))
		if _, err := lr.br.Discard(n); err != nil {
			assertf(false, "discard %d of %d buffered bytes: %v", n, len(buf), err)
		}
		if err := lr.count(n); err != nil {
			return err
		}
		switch {
		case n < len(scan):
			return nil
		case n < len(buf):
			return lr.count(1) // the next byte is past the bound
		}
	}
}

// blankTable marks the ASCII bytes strings.TrimSpace trims.
var blankTable = [256]bool{' ': true, '\t': true, '\n': true, '\r': true, '\v': true, '\f': true}

// newlinesWord is eight newlines, read as one little-endian word.
const newlinesWord = 0x0a0a0a0a0a0a0a0a

// blankPrefix returns the length of b's leading run of blankTable bytes.
// Runs of newlines go a word at a time: they are what a flood of blank
// lines is made of.
func blankPrefix(b []byte) int {
	i := 0
	for i+8 <= len(b) && binary.LittleEndian.Uint64(b[i:]) == newlinesWord {
		i += 8
	}
	for ; i < len(b); i++ {
		if !blankTable[b[i]] {
			return i
		}
	}
	return len(b)
}

// readLine returns the rest of the current line, its newline included if
// it has one. The slice is valid until the next call. It MUST be called
// only AFTER skipBlanks found a byte to read.
func (lr *lineReader) readLine() ([]byte, error) {
	lr.long = lr.long[:0]
	for {
		chunk, err := lr.br.ReadSlice('\n')
		if len(lr.long)+len(bytes.TrimSuffix(chunk, []byte("\n"))) > lr.lim.lineBytes {
			return nil, fmt.Errorf("line %d: %w: over the limit of %s",
				lr.newlines+1, ErrLineTooLong, sizeString(int64(lr.lim.lineBytes)))
		}
		if cerr := lr.count(len(chunk)); cerr != nil {
			return nil, cerr
		}
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			lr.long = append(lr.long, chunk...)
			continue
		case err != nil && !errors.Is(err, io.EOF):
			return nil, lr.readErr(err)
		}
		assertf(len(lr.long)+len(chunk) > 0, "line %d read empty", lr.newlines+1)
		lr.line = lr.newlines + 1
		if err == nil {
			lr.newlines++
		}
		if len(lr.long) == 0 {
			return chunk, nil
		}
		return append(lr.long, chunk...), nil
	}
}

// count adds n bytes read past to the total and fails past its bound.
func (lr *lineReader) count(n int) error {
	lr.consumed += int64(n)
	if lr.consumed > lr.lim.historyBytes {
		return fmt.Errorf("line %d: %w: over the limit of %s",
			lr.newlines+1, ErrTooLarge, sizeString(lr.lim.historyBytes))
	}
	return nil
}

// readErr names the line of a read error; io.EOF passes unchanged.
func (lr *lineReader) readErr(err error) error {
	if errors.Is(err, io.EOF) {
		return io.EOF
	}
	return fmt.Errorf("line %d: linearizability: read history: %w", lr.newlines+1, err)
}

// sizeString prints a byte count, in MiB when it is a whole number of them:
// "256 MiB (268435456 bytes)".
func sizeString(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB (%d bytes)", n>>20, n)
	}
	return fmt.Sprintf("%d bytes", n)
}
