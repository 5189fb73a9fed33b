package linearizability_test

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	lin "etcdsim/linearizability"
)

// repeatReader yields fill bytes of one byte value, lazily: it never holds
// more than the caller's buffer. With fill < 0 it never ends.
type repeatReader struct {
	b     byte
	fill  int64
	read  int64
	block []byte // b repeated, copied out
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.fill >= 0 && r.read >= r.fill {
		return 0, io.EOF
	}
	if left := r.fill - r.read; r.fill >= 0 && int64(len(p)) > left {
		p = p[:left]
	}
	// A parser that holds all its input fails here, not by exhausting the
	// machine: no bound of Parse lets it read past 1 GiB.
	if r.read+int64(len(p)) > 1<<30 {
		return 0, errors.New("repeatReader: read past 1 GiB")
	}
	if len(r.block) == 0 {
		r.block = bytes.Repeat([]byte{r.b}, 64<<10)
	}
	n := 0
	for n < len(p) {
		n += copy(p[n:], r.block)
	}
	r.read += int64(n)
	return n, nil
}

// allocated returns the bytes fn allocated on the heap.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// boundedAllocBytes is more than Parse needs for any of the inputs below
// (a read buffer and one line of at most 1 MiB) and far less than any of
// them.
const boundedAllocBytes = 16 << 20

// TestParseBlankLinesHoldNoMemory streams 400 MB of newlines: the parser
// skips them as they come, allocating nothing per line, and stops at the
// input bound with an error that names it. 100 MB of newlines is within
// the bound and is an empty history.
func TestParseBlankLinesHoldNoMemory(t *testing.T) {
	tests := []struct {
		name  string
		fill  int64
		want  error
		names []string
	}{
		{"400MB", 400_000_000, lin.ErrTooLarge, []string{"256 MiB", "line 268435457"}},
		{"100MB", 100_000_000, lin.ErrEmptyHistory, nil},
		{"endless", -1, lin.ErrTooLarge, []string{"256 MiB"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &repeatReader{b: '\n', fill: tt.fill}
			var err error
			alloc := allocated(func() { _, err = lin.Parse(r, lin.FormatAuto) })
			require.ErrorIs(t, err, tt.want)
			for _, s := range tt.names {
				require.Contains(t, err.Error(), s)
			}
			require.Less(t, alloc, uint64(boundedAllocBytes), "heap bytes allocated")
			require.LessOrEqual(t, r.read, int64(256<<20+64<<10), "read past the bound")
		})
	}
}

// TestParseEndlessZerosFailFast is /dev/zero or a sparse file: NULs and no
// newline, one endless line. It must fail on the line bound after reading
// about 1 MiB, whatever the format.
func TestParseEndlessZerosFailFast(t *testing.T) {
	for _, f := range []lin.Format{lin.FormatAuto, lin.FormatJepsenEtcd, lin.FormatPorcupineKV} {
		r := &repeatReader{b: 0, fill: -1}
		var err error
		alloc := allocated(func() { _, err = lin.Parse(r, f) })
		require.ErrorIs(t, err, lin.ErrLineTooLong, "%v", f)
		require.Contains(t, err.Error(), "line 1: ")
		require.Contains(t, err.Error(), "1 MiB (1048576 bytes)")
		require.Less(t, r.read, int64(2<<20), "%v: read %d bytes", f, r.read)
		require.Less(t, alloc, uint64(boundedAllocBytes), "%v: heap bytes allocated", f)
	}
}

// TestParseLongLine: a line one byte over 1 MiB fails and names its line;
// one of exactly 1 MiB (a long porcupine value) parses.
func TestParseLongLine(t *testing.T) {
	invoke := "{:process 0, :type :invoke, :f :put, :key \"k\", :value \""
	head := "\n" + invoke + "v\"}\n"
	pad := 1<<20 - len(invoke) - len("\"}")
	ok := head + invoke + strings.Repeat("x", pad) + "\"}\n"
	_, err := lin.Parse(strings.NewReader(ok), lin.FormatAuto)
	require.ErrorIs(t, err, lin.ErrPendingInvoke, "the 1 MiB line was read and parsed")
	require.Contains(t, err.Error(), "line 3: ")

	long := head + invoke + strings.Repeat("x", pad+1) + "\"}\n"
	_, err = lin.Parse(strings.NewReader(long), lin.FormatAuto)
	require.ErrorIs(t, err, lin.ErrLineTooLong)
	require.Contains(t, err.Error(), "line 3: ")
	require.Contains(t, err.Error(), "limit of 1 MiB")
}

// TestParseAutoDetectsAfterBlankLines: detection reads the first non-blank
// line as it streams, and times stay line numbers, blank lines included.
func TestParseAutoDetectsAfterBlankLines(t *testing.T) {
	log := "\r\n  \n\t\n" +
		"INFO  jepsen.util - 0\t:invoke\t:write\t1\r\n" +
		"\n" +
		"INFO  jepsen.util - 0\t:ok\t:write\t1" // no final newline
	h, err := lin.Parse(strings.NewReader(log), lin.FormatAuto)
	require.NoError(t, err)
	require.Len(t, h.Ops, 1)
	require.Equal(t, lin.Time(4), h.Ops[0].Call)
	require.Equal(t, lin.Time(6), h.Ops[0].Return)

	_, err = lin.Parse(strings.NewReader("\n\n\nhello\n"), lin.FormatAuto)
	require.ErrorIs(t, err, lin.ErrUnknownFormat)
	require.Contains(t, err.Error(), "line 4: ")
}

// errReader fails after yielding its text.
type errReader struct{ text string }

func (r *errReader) Read(p []byte) (int, error) {
	if r.text == "" {
		return 0, errors.New("disk on fire")
	}
	n := copy(p, r.text)
	r.text = r.text[n:]
	return n, nil
}

func TestParseReadErrorNamesTheLine(t *testing.T) {
	_, err := lin.Parse(&errReader{"INFO  jepsen.util - 0\t:invoke\t:write\t1\n\n"},
		lin.FormatAuto)
	require.ErrorContains(t, err, "line 3: linearizability: read history: disk on fire")
}
