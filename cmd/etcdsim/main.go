// Command etcdsim runs, replays and checks deterministic simulations of an
// etcd-like cluster. Each subcommand lives in its own file and registers
// itself on rootCmd from an init function.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// Exit statuses are a contract with scripts and CI: keep them stable.
const (
	exitOK      = 0 // success; for check: linearizable
	exitFailed  = 1 // a violation was found (not linearizable, invariant broken)
	exitUsage   = 2 // bad flags, bad input files
	exitUnknown = 3 // the checker ran out of budget: no verdict
)

var rootCmd = &cobra.Command{
	Use:           "etcdsim",
	Short:         "Deterministic simulator of an etcd-like system",
	SilenceUsage:  true,
	SilenceErrors: true,
}

// exitError carries an exit status out of a subcommand's RunE.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func main() {
	os.Exit(execute(os.Args[1:]))
}

// execute runs the command line and returns the process exit status.
func execute(args []string) int {
	rootCmd.SetArgs(args)
	err := rootCmd.Execute()
	if err == nil {
		return exitOK
	}
	if ee, ok := err.(*exitError); ok {
		if ee.err != nil && ee.code != exitFailed && ee.code != exitUnknown {
			fmt.Fprintln(os.Stderr, "etcdsim:", ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(os.Stderr, "etcdsim:", err)
	return exitUsage
}
