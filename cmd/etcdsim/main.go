// Command etcdsim runs, replays and checks deterministic simulations of an
// etcd-like cluster. Each subcommand lives in its own file and registers its
// constructor with register from an init function.
package main

import (
	"fmt"
	"io"
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

// commands holds each subcommand's constructor. The tree is built afresh for
// every execution, so flag values never leak from one run to the next.
var commands []func() *cobra.Command

// register adds a subcommand constructor; call it from init.
func register(newCmd func() *cobra.Command) { commands = append(commands, newCmd) }

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "etcdsim",
		Short:         "Deterministic simulator of an etcd-like system",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	for _, newCmd := range commands {
		root.AddCommand(newCmd())
	}
	return root
}

// exitError carries an exit status out of a subcommand's RunE.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func main() {
	os.Exit(execute(os.Args[1:], os.Stdout, os.Stderr))
}

// execute runs the command line and returns the process exit status.
func execute(args []string, stdout, stderr io.Writer) int {
	root := newRootCmd()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	if ee, ok := err.(*exitError); ok {
		if ee.err != nil && ee.code != exitFailed && ee.code != exitUnknown {
			fmt.Fprintln(stderr, "etcdsim:", ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "etcdsim:", err)
	return exitUsage
}
