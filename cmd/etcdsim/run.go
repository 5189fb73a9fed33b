package main

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"etcdsim/sim"
	"etcdsim/sim/gossip"
)

// runReport is the JSON object `etcdsim run --json` prints. Its field names
// are a contract with scripts and later tools: add fields, never rename.
type runReport struct {
	Seed        uint64   `json:"seed"`
	Scenario    string   `json:"scenario"`
	TraceHash   string   `json:"trace_hash"`
	Events      uint64   `json:"events"`
	SimSeconds  float64  `json:"sim_seconds"`
	WallSeconds float64  `json:"wall_seconds"`
	Messages    netJSON  `json:"messages"`
	Totals      []uint64 `json:"totals"`
	Converged   bool     `json:"converged"`
}

type netJSON struct {
	Sent       uint64 `json:"sent"`
	Delivered  uint64 `json:"delivered"`
	Dropped    uint64 `json:"dropped"`
	Duplicated uint64 `json:"duplicated"`
}

func newRunCmd() *cobra.Command {
	var (
		seed      uint64
		asJSON    bool
		nodes     int
		duration  time.Duration
		showTrace bool
	)
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run one seeded simulation and report its trace hash",
		Long: `Run one seeded simulation. Until the etcd-like cluster lands, the scenario
is the kernel demo: nodes gossip a counter while the network splits and heals,
one node crashes and restarts, and one clock runs fast. The same --seed always
prints the same trace_hash.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if nodes < 2 {
				return &exitError{code: exitUsage, err: fmt.Errorf("--nodes %d: need at least 2", nodes)}
			}
			if duration <= 0 {
				return &exitError{code: exitUsage, err: fmt.Errorf("--duration %v: must be positive", duration)}
			}
			cfg := gossip.DefaultConfig()
			cfg.Nodes = nodes
			cfg.Duration = duration
			cfg.IncrementsStop = duration * 8 / 10
			opts := sim.Options{}
			if showTrace {
				opts.TraceKeep = 1 << 20
			}
			start := time.Now()
			res, err := gossip.Run(seed, cfg, opts, traceSink(cmd.OutOrStdout(), showTrace))
			if err != nil {
				return &exitError{code: exitFailed, err: err}
			}
			wall := time.Since(start)
			return printRun(cmd.OutOrStdout(), res, wall, asJSON)
		},
	}
	f := cmd.Flags()
	f.Uint64Var(&seed, "seed", 1, "root seed: the same seed replays the same run")
	f.BoolVar(&asJSON, "json", false, "print one JSON object instead of text")
	f.IntVar(&nodes, "nodes", 5, "number of nodes")
	f.DurationVar(&duration, "duration", 10*time.Second, "simulated time to run")
	f.BoolVar(&showTrace, "trace", false, "print every trace record as it happens")
	return cmd
}

func init() { register(newRunCmd) }

// traceSink returns a printer of trace records, or nil when not wanted.
func traceSink(out io.Writer, on bool) func(sim.Record) {
	if !on {
		return nil
	}
	return func(r sim.Record) { fmt.Fprintln(out, r) }
}

func printRun(out io.Writer, res gossip.Result, wall time.Duration, asJSON bool) error {
	rep := runReport{
		Seed: res.Seed, Scenario: "gossip", TraceHash: fmt.Sprintf("%016x", res.TraceHash),
		Events: res.Events, SimSeconds: res.SimTime.Seconds(), WallSeconds: wall.Seconds(),
		Messages: netJSON{Sent: res.Net.Sent, Delivered: res.Net.Delivered,
			Dropped: res.Net.Dropped, Duplicated: res.Net.Duplicated},
		Totals: res.Totals, Converged: res.Converged,
	}
	if asJSON {
		enc := json.NewEncoder(out)
		return enc.Encode(rep)
	}
	fmt.Fprintf(out, "seed %d: %d events in %.1fs simulated (%.3fs wall)\n",
		rep.Seed, rep.Events, rep.SimSeconds, rep.WallSeconds)
	fmt.Fprintf(out, "messages: %d sent, %d delivered, %d dropped\n",
		rep.Messages.Sent, rep.Messages.Delivered, rep.Messages.Dropped)
	fmt.Fprintf(out, "totals per node: %v (converged: %v)\n", rep.Totals, rep.Converged)
	fmt.Fprintf(out, "trace hash %s  (replay: etcdsim run --seed %d)\n", rep.TraceHash, rep.Seed)
	return nil
}
