package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const historiesDir = "../../testdata/histories/"

// checkCLI runs `etcdsim check ...` in-process.
func checkCLI(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := execute(append([]string{"check"}, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestCheckExitStatusFollowsVerdict(t *testing.T) {
	tests := []struct {
		file    string
		code    int
		verdict string
	}{
		{"jepsen-etcd-ok.txt", exitOK, "linearizable"},
		{"porcupine-kv-ok.txt", exitOK, "linearizable"},
		{"jepsen-etcd-stale-read-bad.txt", exitFailed, "not-linearizable"},
		{"porcupine-kv-lost-write-bad.txt", exitFailed, "not-linearizable"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			code, out, _ := checkCLI(historiesDir + tt.file)
			require.Equal(t, tt.code, code, out)
			require.Equal(t, tt.verdict, strings.SplitN(out, "\n", 2)[0])

			code, out, _ = checkCLI("--json", historiesDir+tt.file)
			require.Equal(t, tt.code, code)
			var doc map[string]any
			require.NoError(t, json.Unmarshal([]byte(out), &doc))
			require.Equal(t, tt.verdict, doc["verdict"])
		})
	}
}

func TestCheckTextShowsKeysAndExplanation(t *testing.T) {
	code, out, _ := checkCLI(historiesDir + "porcupine-kv-lost-write-bad.txt")
	require.Equal(t, exitFailed, code)
	require.Contains(t, out, `key "x": linearizable`)
	require.Contains(t, out, `key "y": not-linearizable`)
	require.Contains(t, out, "anomaly: lost write")
}

func TestCheckUnknownWhenBudgetRunsOut(t *testing.T) {
	code, out, _ := checkCLI("--budget", "1", "--json", historiesDir+"jepsen-etcd-ok.txt")
	require.Equal(t, exitUnknown, code)
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	require.Equal(t, "unknown", doc["verdict"])
	require.EqualValues(t, 9, doc["ops"])

	code, out, _ = checkCLI("--budget", "1", historiesDir+"jepsen-etcd-ok.txt")
	require.Equal(t, exitUnknown, code)
	require.Contains(t, out, "9 operations")
}

func TestCheckBadInputIsUsageError(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.txt")
	require.NoError(t, os.WriteFile(bad, []byte(
		"INFO  jepsen.util - 0\t:invoke\t:write\t1\nINFO  jepsen.util - 0\t:ok\t:write\n"), 0o600))
	code, _, errOut := checkCLI(bad)
	require.Equal(t, exitUsage, code)
	require.Contains(t, errOut, "line 2")

	code, _, errOut = checkCLI("--format", "xml", bad)
	require.Equal(t, exitUsage, code)
	require.Contains(t, errOut, "unknown history format")

	code, _, _ = checkCLI(filepath.Join(dir, "missing.txt"))
	require.Equal(t, exitUsage, code)

	code, _, _ = checkCLI()
	require.Equal(t, exitUsage, code)
}

// With the budget spent the drawing shows the history and the part of it
// linearized: nothing, here.
func TestCheckHTMLWithoutBudgetKeepsTheVerdict(t *testing.T) {
	out := filepath.Join(t.TempDir(), "h.html")
	code, stdout, _ := checkCLI("--budget", "1", "--html", out, historiesDir+"jepsen-etcd-ok.txt")
	require.Equal(t, exitUnknown, code)
	require.Contains(t, stdout, "unknown")
	require.FileExists(t, out)
}

// A report path that cannot be written is a usage error found before the
// check, so no verdict is printed and none is hidden.
func TestCheckUnwritableHTMLIsUsageErrorBeforeTheCheck(t *testing.T) {
	code, stdout, errOut := checkCLI("--html", "/nonexistent/x.html",
		historiesDir+"jepsen-etcd-stale-read-bad.txt")
	require.Equal(t, exitUsage, code)
	require.Empty(t, stdout)
	require.Contains(t, errOut, "--html /nonexistent/x.html")
	dir := t.TempDir()
	code, _, errOut = checkCLI("--html", dir, historiesDir+"jepsen-etcd-ok.txt")
	require.Equal(t, exitUsage, code)
	require.Contains(t, errOut, "is a directory")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries, "no temporary file left behind")
}

func TestCheckWritesHTML(t *testing.T) {
	out := filepath.Join(t.TempDir(), "h.html")
	code, _, _ := checkCLI("--html", out, "--format", "jepsen-etcd",
		historiesDir+"jepsen-etcd-stale-read-bad.txt")
	require.Equal(t, exitFailed, code)
	html, err := os.ReadFile(out)
	require.NoError(t, err)
	require.Contains(t, string(html), "<html")
	st, err := os.Stat(out)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o644), st.Mode().Perm())
}
