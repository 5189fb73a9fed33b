package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestCheckEndlessInputFailsFast: /dev/zero and a 1 GiB sparse file are
// NULs without a newline, one endless line. check streams its input, so
// it fails on the line bound after reading about 1 MiB, naming the file,
// the line and the limit, with exit status 2.
func TestCheckEndlessInputFailsFast(t *testing.T) {
	sparse := filepath.Join(t.TempDir(), "sparse")
	f, err := os.Create(sparse)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(1<<30))
	require.NoError(t, f.Close())
	files := []string{sparse}
	if _, err := os.Stat("/dev/zero"); err == nil {
		files = append(files, "/dev/zero")
	}
	for _, path := range files {
		start := time.Now()
		code, _, errOut := checkCLI(path)
		require.Equal(t, exitUsage, code, errOut)
		require.Contains(t, errOut, path+": line 1: linearizability: line too long: "+
			"over the limit of 1 MiB (1048576 bytes)")
		require.Less(t, time.Since(start), 5*time.Second, path)
	}
}

// TestCheckBlankFileIsEmpty: blank lines stream past and leave an empty
// history, a usage error.
func TestCheckBlankFileIsEmpty(t *testing.T) {
	blank := filepath.Join(t.TempDir(), "blank")
	require.NoError(t, os.WriteFile(blank, []byte("\n \r\n\t\n"), 0o600))
	code, _, errOut := checkCLI(blank)
	require.Equal(t, exitUsage, code)
	require.Contains(t, errOut, blank+": linearizability: empty history")
}
