package linearizability_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	lin "etcdsim/linearizability"
)

// TestHistoriesGetTheirVerdicts checks every testdata history: *-ok.txt
// must be linearizable and *-bad.txt not.
func TestHistoriesGetTheirVerdicts(t *testing.T) {
	files, err := filepath.Glob("../testdata/histories/*.txt")
	require.NoError(t, err)
	checked := 0
	for _, path := range files {
		var want lin.Verdict
		switch {
		case strings.HasSuffix(path, "-ok.txt"):
			want = lin.Linearizable
		case strings.HasSuffix(path, "-bad.txt"):
			want = lin.NotLinearizable
		default:
			continue
		}
		t.Run(filepath.Base(path), func(t *testing.T) {
			f, err := os.Open(path)
			require.NoError(t, err)
			defer f.Close()
			h, err := lin.Parse(f, lin.FormatAuto)
			require.NoError(t, err)
			res, err := lin.Check(h, lin.Options{})
			require.NoError(t, err)
			require.Equal(t, want, res.Verdict, "%v", res.Explanation)
		})
		checked++
	}
	require.GreaterOrEqual(t, checked, 4)
}

func TestParseJepsenSemantics(t *testing.T) {
	log := "INFO  jepsen.util - 0\t:invoke\t:write\t1\n" +
		"INFO  jepsen.util - 1\t:invoke\t:cas\t[1 2]\n" +
		"INFO  jepsen.util - 0\t:ok\t:write\t1\n" +
		"INFO  jepsen.util - 1\t:fail\t:cas\t[1 2]\n" +
		"INFO  jepsen.util - 2\t:invoke\t:write\t3\n" +
		"INFO  jepsen.util - 2\t:fail\t:write\t3\n" +
		"INFO  jepsen.util - 3\t:invoke\t:write\t4\n" +
		"INFO  jepsen.util - 3\t:info\t:write\t:timed-out\n" +
		"INFO  jepsen.util - 4\t:invoke\t:read\tnil\n" +
		"INFO  jepsen.util - 4\t:ok\t:read\tnil\n" +
		"INFO  jepsen.util - 5\t:invoke\t:read\tnil\n"
	h, err := lin.Parse(strings.NewReader(log), lin.FormatJepsenEtcd)
	require.NoError(t, err)
	require.Len(t, h.Ops, 5, "the failed write is dropped")
	require.Equal(t, lin.KVOutput{OK: false}, h.Ops[1].Output, "a failed cas is a definite no")
	require.True(t, h.Ops[2].Unknown, ":info is indeterminate")
	require.Equal(t, lin.KVOutput{}, h.Ops[3].Output, "nil reads nothing")
	require.True(t, h.Ops[4].Unknown, "pending at the end is indeterminate")
	require.Equal(t, lin.Time(1), h.Ops[0].Call)
	require.Equal(t, lin.Time(3), h.Ops[0].Return)
}

func TestParseErrorsNameTheLine(t *testing.T) {
	tests := []struct {
		name, format, text string
		want               error
		line               string
	}{
		{"jepsen garbage", "jepsen-etcd", "INFO  jepsen.util - 0\t:invoke\t:write\t1\nhello world\n",
			lin.ErrSyntax, "line 2"},
		{"jepsen unknown f", "jepsen-etcd", "INFO  jepsen.util - 0\t:invoke\t:add\t1\n",
			lin.ErrUnknownKind, "line 1"},
		{"jepsen bad cas", "jepsen-etcd", "\nINFO  jepsen.util - 0\t:invoke\t:cas\t[1]\n",
			lin.ErrSyntax, "line 2"},
		{"jepsen ok without invoke", "jepsen-etcd", "INFO  jepsen.util - 0\t:ok\t:write\t1\n",
			lin.ErrUnmatchedReturn, "line 1"},
		{"jepsen invoke twice", "jepsen-etcd",
			"INFO  jepsen.util - 0\t:invoke\t:write\t1\nINFO  jepsen.util - 0\t:invoke\t:write\t2\n",
			lin.ErrPendingInvoke, "line 2"},
		{"jepsen mismatched completion", "jepsen-etcd",
			"INFO  jepsen.util - 0\t:invoke\t:write\t1\nINFO  jepsen.util - 0\t:ok\t:read\t1\n",
			lin.ErrMismatchedReturn, "line 2"},
		{"kv not a map", "porcupine-kv",
			"{:process 0, :type :invoke, :f :get, :key \"1\", :value nil}\n[1 2]\n",
			lin.ErrSyntax, "line 2"},
		{"kv unterminated string", "porcupine-kv", "{:process 0, :type :invoke, :f :get, :key \"1}\n",
			lin.ErrSyntax, "line 1"},
		{"kv unknown f", "porcupine-kv", "{:process 0, :type :invoke, :f :cas, :key \"1\", :value nil}\n",
			lin.ErrUnknownKind, "line 1"},
		{"kv unknown type", "porcupine-kv",
			"{:process 0, :type :maybe, :f :get, :key \"1\", :value nil}\n",
			lin.ErrSyntax, "line 1"},
		{"kv missing process", "porcupine-kv", "{:type :invoke, :f :get, :key \"1\", :value nil}\n",
			lin.ErrSyntax, "line 1"},
		{"auto empty", "auto", "\n\n", lin.ErrEmptyHistory, ""},
		{"auto unknown", "auto", "hello\n", lin.ErrUnknownFormat, "line 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := lin.ParseFormat(tt.format)
			require.NoError(t, err)
			_, err = lin.Parse(strings.NewReader(tt.text), f)
			require.ErrorIs(t, err, tt.want)
			require.Contains(t, err.Error(), tt.line)
		})
	}
}

func TestParseFormatNames(t *testing.T) {
	for _, f := range []lin.Format{lin.FormatAuto, lin.FormatJepsenEtcd, lin.FormatPorcupineKV} {
		got, err := lin.ParseFormat(f.String())
		require.NoError(t, err)
		require.Equal(t, f, got)
	}
	_, err := lin.ParseFormat("edn")
	require.ErrorIs(t, err, lin.ErrUnknownFormat)
}

// fuzzParse feeds arbitrary bytes to a parser: it must return a history
// that Check accepts, or an error; never panic.
func fuzzParse(f *testing.F, format lin.Format, seeds ...string) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		h, err := lin.Parse(strings.NewReader(text), format)
		if err != nil {
			return
		}
		if len(h.Ops) > 200 {
			return // keep each input cheap to check
		}
		res, err := lin.Check(h, lin.Options{Budget: 1_000_000})
		require.NoError(t, err, "a parsed history must be valid")
		require.Equal(t, len(h.Ops), res.Ops)
	})
}

func FuzzParseJepsenEtcd(f *testing.F) {
	fuzzParse(f, lin.FormatJepsenEtcd,
		"INFO  jepsen.util - 0\t:invoke\t:read\tnil\nINFO  jepsen.util - 0\t:ok\t:read\t3\n",
		"INFO  jepsen.util - 2\t:invoke\t:cas\t[4 0]\nINFO  jepsen.util - 2\t:fail\t:cas\t[4 0]\n",
		"INFO  jepsen.util - 1\t:invoke\t:write\t4\nINFO  jepsen.util - 1\t:info\t:write\t:timed-out\n",
		"0 :invoke :write 1\n0 :ok :write 1\n",
		"INFO  jepsen.core - noise\n")
}

func FuzzParsePorcupineKV(f *testing.F) {
	fuzzParse(f, lin.FormatPorcupineKV,
		"{:process 0, :type :invoke, :f :get, :key \"6\", :value nil}\n"+
			"{:process 0, :type :ok, :f :get, :key \"6\", :value \"x 0 1 y\"}\n",
		"{:process 1, :type :invoke, :f :append, :key \"3\", :value \"x\\\"y\"}\n",
		"{:process 2, :type :invoke, :f :put, :key \"1\", :value \"a\"}\n"+
			"{:process 2, :type :info, :f :put, :key \"1\", :value \"a\"}\n",
		"{}\n", "{:process}\n")
}
