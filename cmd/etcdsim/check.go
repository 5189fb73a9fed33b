package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"etcdsim/linearizability"
)

// checkFlags are the flags of `etcdsim check`.
type checkFlags struct {
	format string
	json   bool
	budget linearizability.Steps
	html   string
}

func init() { register(newCheckCmd) }

// newCheckCmd builds `etcdsim check FILE`: the verdict on an external
// history, per key and overall. Exit status 0 when linearizable, 1 when
// not, 3 when the budget ran out, 2 for bad input.
func newCheckCmd() *cobra.Command {
	var f checkFlags
	cmd := &cobra.Command{
		Use:   "check FILE",
		Short: "Check a recorded history for linearizability",
		Long: "Check a history recorded elsewhere (Jepsen's etcd register log or\n" +
			"porcupine's key-value format) and print the verdict: linearizable,\n" +
			"not-linearizable or unknown (the budget ran out). Exit status 0, 1 or 3.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCheck(cmd.OutOrStdout(), cmd.ErrOrStderr(), args[0], f)
		},
	}
	cmd.Flags().StringVar(&f.format, "format", "auto",
		"history format: auto, jepsen-etcd or porcupine-kv")
	cmd.Flags().BoolVar(&f.json, "json", false, "print the result as JSON")
	f.budget = linearizability.BudgetDefault
	cmd.Flags().Var((*stepsValue)(&f.budget), "budget", budgetUsage)
	cmd.Flags().StringVar(&f.html, "html", "", "write porcupine's visualization to this HTML file")
	return cmd
}

// runCheck parses, checks and reports one history file.
func runCheck(out, errOut io.Writer, path string, f checkFlags) error {
	format, err := linearizability.ParseFormat(f.format)
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	report, err := openReport("html", f.html)
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	defer report.discard()
	file, err := os.Open(path)
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	defer file.Close()
	h, err := linearizability.Parse(file, format)
	if err != nil {
		return &exitError{code: exitUsage, err: fmt.Errorf("%s: %w", path, err)}
	}
	opts := linearizability.Options{Budget: f.budget, Visualize: report != nil}
	res, err := linearizability.Check(h, opts)
	if err != nil {
		return &exitError{code: exitUsage, err: fmt.Errorf("%s: %w", path, err)}
	}
	if f.json {
		err = printCheckJSON(out, res)
	} else {
		err = printCheckText(out, res)
	}
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	var verdict error
	switch res.Verdict {
	case linearizability.NotLinearizable:
		verdict = &exitError{code: exitFailed, err: errors.New("check: not linearizable")}
	case linearizability.Unknown:
		verdict = &exitError{code: exitUnknown, err: errors.New("check: unknown")}
	}
	var reportErr error
	if report != nil {
		reportErr = report.write(res.WriteHTML)
	}
	return finish(verdict, reportErr, errOut)
}

// printCheckText prints the verdict first, then one line per key when
// there are several, then the explanation of a failure.
func printCheckText(out io.Writer, res *linearizability.Result) error {
	fmt.Fprintln(out, res.Verdict)
	if len(res.Partitions) > 1 {
		for _, p := range res.Partitions {
			fmt.Fprintf(out, "  key %q: %v (%d ops)\n", p.Key, p.Verdict, p.Ops)
		}
	}
	if res.Verdict == linearizability.Unknown {
		_, err := fmt.Fprintf(out, "budget of %v model steps ran out on a history of %d operations\n",
			res.Budget, res.Ops)
		return err
	}
	if res.Explanation != nil {
		_, err := fmt.Fprint(out, res.Explanation.String())
		return err
	}
	return nil
}

// checkJSON is the --json document.
type checkJSON struct {
	Verdict     string                       `json:"verdict"`
	Model       string                       `json:"model"`
	Ops         int                          `json:"ops"`
	Checked     int                          `json:"checked"`
	BudgetSteps int64                        `json:"budget_steps"`
	Steps       int64                        `json:"steps"`
	Partitions  []partitionJSON              `json:"partitions"`
	Anomaly     string                       `json:"anomaly,omitempty"`
	Explanation *linearizability.Explanation `json:"explanation,omitempty"`
}

type partitionJSON struct {
	Key     string `json:"key"`
	Verdict string `json:"verdict"`
	Ops     int    `json:"ops"`
}

func printCheckJSON(out io.Writer, res *linearizability.Result) error {
	doc := checkJSON{Verdict: res.Verdict.String(), Model: res.Model.String(), Ops: res.Ops,
		Checked: res.Checked, BudgetSteps: int64(res.Budget),
		Steps: int64(res.Steps), Explanation: res.Explanation}
	for _, p := range res.Partitions {
		doc.Partitions = append(doc.Partitions,
			partitionJSON{Key: p.Key, Verdict: p.Verdict.String(), Ops: p.Ops})
	}
	if res.Explanation != nil {
		doc.Anomaly = res.Explanation.Anomaly
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
