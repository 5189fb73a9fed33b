package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// reportFile is an output file a command was asked for (--html). It is
// opened before the work starts, so that a path that cannot be written is
// a usage error before a long run, not an error that hides its verdict
// after it. The content goes to a temporary file beside the target and is
// renamed into place once complete.
type reportFile struct {
	flag, path string
	tmp        *os.File
}

// openReport prepares path for writing, or returns nil for an empty path.
// The error names the flag.
func openReport(flag, path string) (*reportFile, error) {
	if path == "" {
		return nil, nil
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return nil, fmt.Errorf("--%s %s: is a directory", flag, path)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".etcdsim-*.tmp")
	if err != nil {
		return nil, fmt.Errorf("--%s %s: cannot write there: %w", flag, path, err)
	}
	return &reportFile{flag: flag, path: path, tmp: tmp}, nil
}

// write fills the report with what fn writes and moves it into place.
func (r *reportFile) write(fn func(io.Writer) error) error {
	err := fn(r.tmp)
	if err == nil {
		err = r.tmp.Chmod(0o644) // as os.WriteFile would; CreateTemp makes it private
	}
	if cerr := r.tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(r.tmp.Name(), r.path)
	}
	if err != nil {
		_ = os.Remove(r.tmp.Name())
		return fmt.Errorf("--%s %s: %w", r.flag, r.path, err)
	}
	return nil
}

// discard removes the report's temporary file (nothing to write).
func (r *reportFile) discard() {
	if r != nil {
		_ = r.tmp.Close()
		_ = os.Remove(r.tmp.Name())
	}
}

// finish combines a command's verdict with the fate of its report: a
// verdict of a violation (1) or no verdict (3) stands whatever happened to
// the report, whose failure is then only printed; a success turns into a
// usage error (2), since the command did not do all it was asked.
func finish(verdict error, reportErr error, errOut io.Writer) error {
	if reportErr == nil {
		return verdict
	}
	if verdict != nil {
		fmt.Fprintln(errOut, "etcdsim:", reportErr)
		return verdict
	}
	return &exitError{code: exitUsage, err: reportErr}
}
