package linearizability

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"etcdsim/testdata/proptest"
)

// refLine is one non-blank line as the reference reader sees it.
type refLine struct {
	no   int
	text string
}

// refLines is the naive reference of lineReader: split the whole input on
// newlines, trim each line, keep the non-blank ones.
func refLines(input string) []refLine {
	var out []refLine
	for i, l := range strings.Split(input, "\n") {
		if t := strings.TrimSpace(l); t != "" {
			out = append(out, refLine{i + 1, t})
		}
	}
	return out
}

// readAllLines drains a lineReader, returning its lines and its error
// (nil at the end of input).
func readAllLines(input string, lim parseLimits) ([]refLine, error) {
	lr := newLineReader(strings.NewReader(input), lim)
	var out []refLine
	for {
		text, err := lr.next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, refLine{lr.line, text})
	}
}

// requirePrefix requires got to be the first lines of want.
func requirePrefix(t require.TestingT, want, got []refLine) {
	require.LessOrEqual(t, len(got), len(want))
	for i := range got {
		require.Equal(t, want[i], got[i])
	}
}

// genHistoryText draws text made of the bytes that matter to the reader:
// newlines, ASCII blanks, a non-ASCII blank (U+00A0), NULs and letters.
func genHistoryText(t *rapid.T) string {
	parts := rapid.SliceOf(rapid.SampledFrom([]string{
		"\n", "\n", "\n\n\n\n\n\n\n\n\n", " ", "\t", "\r", "\r\n", "\u00a0", "\x00",
		"a", "bc", "defghijklmnopqrstu"})).Draw(t, "parts")
	return strings.Join(parts, "")
}

// unbounded is parseLimits with bounds no test input reaches and the
// smallest read buffer, so that lines and blank runs cross its edge.
var unbounded = parseLimits{lineBytes: 1 << 30, historyBytes: 1 << 40, ops: 1 << 30, readBytes: 16}

func TestLineReaderMatchesReference(t *testing.T) {
	proptest.Check(t, 2000, func(t *rapid.T) {
		input := genHistoryText(t)
		got, err := readAllLines(input, unbounded)
		require.NoError(t, err)
		require.Equal(t, refLines(input), got)
	})
}

// TestLineReaderLineBound: the first line whose text, from its first
// non-blank byte to its newline, is longer than the bound fails and is
// named; the lines before it are read as the reference reads them.
func TestLineReaderLineBound(t *testing.T) {
	proptest.Check(t, 2000, func(t *rapid.T) {
		input := genHistoryText(t)
		lim := unbounded
		lim.lineBytes = rapid.IntRange(1, 40).Draw(t, "lineBytes")
		got, err := readAllLines(input, lim)
		want := refLines(input)
		for i, l := range strings.Split(input, "\n") {
			if rest := strings.TrimLeft(l, " \t\r\v\f"); len(rest) > lim.lineBytes {
				require.ErrorIs(t, err, ErrLineTooLong)
				require.ErrorContains(t, err, fmt.Sprintf("line %d: ", i+1))
				requirePrefix(t, want, got)
				return
			}
		}
		require.NoError(t, err)
		require.Equal(t, want, got)
	})
}

// TestLineReaderInputBound: input longer than the bound fails, naming the
// line that holds the first byte past it; input within it reads whole.
func TestLineReaderInputBound(t *testing.T) {
	proptest.Check(t, 2000, func(t *rapid.T) {
		input := genHistoryText(t)
		lim := unbounded
		lim.historyBytes = int64(rapid.IntRange(0, len(input)+2).Draw(t, "historyBytes"))
		got, err := readAllLines(input, lim)
		if int64(len(input)) <= lim.historyBytes {
			require.NoError(t, err)
			require.Equal(t, refLines(input), got)
			return
		}
		line := 1 + strings.Count(input[:lim.historyBytes], "\n")
		require.ErrorIs(t, err, ErrTooLarge)
		require.ErrorContains(t, err, fmt.Sprintf("line %d: ", line))
		requirePrefix(t, refLines(input), got)
	})
}

func TestParseOpsBound(t *testing.T) {
	var b bytes.Buffer
	for p := range 4 {
		fmt.Fprintf(&b, "%d :invoke :write %d\n", p, p)
	}
	lim := parseLimitsDefault
	lim.ops = 4
	h, err := parseWithin(bytes.NewReader(b.Bytes()), FormatJepsenEtcd, lim)
	require.NoError(t, err)
	require.Len(t, h.Ops, 4)

	lim.ops = 3
	_, err = parseWithin(bytes.NewReader(b.Bytes()), FormatJepsenEtcd, lim)
	require.ErrorIs(t, err, ErrTooLarge)
	require.EqualError(t, err,
		"line 4: linearizability: history too large: over the limit of 3 operations")
}

func TestSizeString(t *testing.T) {
	require.Equal(t, "256 MiB (268435456 bytes)", sizeString(historyBytesMax))
	require.Equal(t, "1 MiB (1048576 bytes)", sizeString(lineBytesMax))
	require.Equal(t, "1000 bytes", sizeString(1000))
}
