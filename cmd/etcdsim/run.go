package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"etcdsim/linearizability"
	"etcdsim/mvcc"
	"etcdsim/nemesis"
	"etcdsim/raftimpl"
	"etcdsim/sim"
	"etcdsim/sim/cluster"
	"etcdsim/sim/gossip"
	"etcdsim/sim/harness"
)

// runReport is the JSON object `etcdsim run --json` prints. Its field names
// are a contract with scripts and later tools: add fields, never rename.
type runReport struct {
	Seed        uint64  `json:"seed"`
	Scenario    string  `json:"scenario"`
	TraceHash   string  `json:"trace_hash"`
	Events      uint64  `json:"events"`
	SimSeconds  float64 `json:"sim_seconds"`
	WallSeconds float64 `json:"wall_seconds"`
	// Raft scenario.
	Members int      `json:"members,omitempty"`
	Bugs    []string `json:"bugs,omitempty"`
	// Setup lists what planted bugs changed in the cluster's configuration
	// so that their faults can expose them (harness.BugSetup).
	Setup   []string       `json:"setup,omitempty"`
	Faults  map[string]int `json:"faults,omitempty"`
	Ops     int            `json:"ops,omitempty"`
	Verdict string         `json:"verdict,omitempty"`
	// CheckSteps is the model steps the linearizability check took;
	// CheckBudget is its budget (--budget).
	CheckSteps  int64 `json:"check_steps,omitempty"`
	CheckBudget int64 `json:"check_budget,omitempty"`
	// OpsOK, OpsFailed and OpsUnknown split Ops by how requests ended;
	// OpsPerSecond is Ops per simulated second of the client phase.
	OpsOK         *int    `json:"ops_ok,omitempty"`
	OpsFailed     *int    `json:"ops_failed,omitempty"`
	OpsUnknown    *int    `json:"ops_unknown,omitempty"`
	OpsPerSecond  float64 `json:"ops_per_second,omitempty"`
	LeaderChanges *int    `json:"leader_changes,omitempty"`
	// WatchEvents counts the events delivered to all watchers.
	WatchEvents *int `json:"watch_events,omitempty"`
	// Checks holds each check's verdict by name (see checkVerdicts).
	Checks    map[string]string `json:"checks,omitempty"`
	Violation string            `json:"violation,omitempty"`
	Replay    string            `json:"replay"`
	// Gossip scenario.
	Messages  *netJSON `json:"messages,omitempty"`
	Totals    []uint64 `json:"totals,omitempty"`
	Converged *bool    `json:"converged,omitempty"`
}

type netJSON struct {
	Sent       uint64 `json:"sent"`
	Delivered  uint64 `json:"delivered"`
	Dropped    uint64 `json:"dropped"`
	Duplicated uint64 `json:"duplicated"`
}

// runFlags are run's options, parsed and checked by runOptions.
type runFlags struct {
	seed              uint64
	asJSON, showTrace bool
	scenario, faults  string
	reads             string
	bugs              []string
	members, clients  int
	rate              int
	profile, nemesis  string
	backend           string
	etcdVersion       string
	maxRequestBytes   int
	quotaBytes        int64
	duration, settle  time.Duration
	// set names the cluster flags given on the command line: they win
	// over what a planted bug's setup chose.
	set    map[string]bool
	html   string
	budget linearizability.Steps
}

func newRunCmd() *cobra.Command {
	var f runFlags
	def := cluster.DefaultConfig()
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run one seeded simulation and report what the checkers found",
		Long: `Run one seeded simulation. The default scenario is a Raft cluster under a
fault schedule, with clients whose history is checked for linearizability
and an observer that checks Raft's safety properties after every event.
--bug plants a classic mistake; the run exits 1 when it is caught.
The same --seed (and flags) always prints the same trace_hash.`,
		Example: `  etcdsim run --seed 7
  etcdsim run --bug vote-no-log-check --seed 1 --json
  etcdsim run --faults partition,skew --members 5 --duration 60s
  etcdsim run --scenario gossip --trace`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			f.set = map[string]bool{}
			for _, name := range []string{"members", "clients", "rate"} {
				f.set[name] = cmd.Flags().Changed(name)
			}
			switch f.scenario {
			case "raft":
				return runRaft(out, cmd.ErrOrStderr(), f)
			case "gossip":
				return runGossip(out, f)
			}
			return &exitError{code: exitUsage,
				err: fmt.Errorf("--scenario %q: want raft or gossip", f.scenario)}
		},
	}
	fl := cmd.Flags()
	fl.Uint64Var(&f.seed, "seed", 1, "root seed: the same seed replays the same run")
	fl.BoolVar(&f.asJSON, "json", false, "print one JSON object instead of text")
	fl.StringVar(&f.scenario, "scenario", "raft", "raft (cluster under faults) or gossip (kernel demo)")
	fl.StringArrayVar(&f.bugs, "bug", nil, "plant a bug (repeatable): "+strings.Join(bugNames(), ", "))
	fl.StringVar(&f.faults, "faults", "", "comma-separated fault mix: "+strings.Join(faultNames, ", ")+
		"; default: the planted bugs' mixes, else partition,crash")
	fl.StringVar(&f.reads, "reads", "safe", "linearizable reads: safe (ReadIndex), lease (etcd's, "+
		"resting on CheckQuorum) or lease-bounded (the Raft thesis' lease, safe within a clock drift bound)")
	fl.IntVar(&f.members, "members", def.Members, "cluster members (gossip: nodes)")
	fl.IntVar(&f.clients, "clients", def.Clients, "clients running the workload")
	fl.IntVar(&f.rate, "rate", def.Workload.Rate, "requests all clients start per simulated second")
	fl.StringVar(&f.profile, "profile", cluster.ProfileEtcd, "traffic: etcd (every KV and lease "+
		"request) or kubernetes (paginated lists, guarded creates, updates and deletes)")
	fl.StringVar(&f.backend, "backend", cluster.BackendMem, "where each member's store lives: "+
		"mem (lost at a crash, restored from the Raft snapshot) or bbolt (a file that outlives it)")
	fl.StringVar(&f.nemesis, "nemesis", "random", "fault schedule: random (kinds chosen with "+
		"--faults) or none")
	fl.IntVar(&f.maxRequestBytes, "max-request-bytes", mvcc.DefaultMaxRequestBytes,
		"largest request a member accepts (etcd's --max-request-bytes)")
	fl.Int64Var(&f.quotaBytes, "quota-backend-bytes", mvcc.DefaultQuotaBackendBytes,
		"backend size that raises the NOSPACE alarm (etcd's --quota-backend-bytes)")
	fl.StringVar(&f.etcdVersion, "etcd-version", mvcc.EtcdVersion37, "etcd release line the "+
		"store follows where they differ: 3.7 or 3.6")
	fl.DurationVar(&f.duration, "duration", harness.RunDuration, "simulated time with clients and faults")
	fl.DurationVar(&f.settle, "settle", harness.RunSettle, "simulated time after faults heal")
	fl.BoolVar(&f.showTrace, "trace", false, "print every trace record as it happens")
	fl.StringVar(&f.html, "html", "", "write the checked history's visualization to this file")
	f.budget = linearizability.BudgetDefault
	fl.Var((*stepsValue)(&f.budget), "budget", budgetUsage)
	return cmd
}

func init() { register(newRunCmd) }

func bugNames() []string {
	var names []string
	for _, b := range raftimpl.AllBugs() {
		names = append(names, b.String())
	}
	return names
}

var faultNames = []string{"partition", "crash", "reorder", "duplicate", "drop", "skew", "churn", "flap", "none"}

// parseFaults turns --faults into a mix; "none" alone runs without faults.
func parseFaults(list string) (*nemesis.Mix, error) {
	var mix nemesis.Mix
	names := strings.Split(list, ",")
	for _, name := range names {
		switch strings.TrimSpace(name) {
		case "partition":
			mix.Partition = true
		case "crash":
			mix.Crash = true
		case "reorder":
			mix.Reorder = true
		case "duplicate":
			mix.Duplicate = true
		case "drop":
			mix.Drop = true
		case "skew":
			mix.Skew = true
		case "churn":
			mix.Churn = true
		case "flap":
			mix.Flap = true
		case "none":
			if len(names) > 1 {
				return nil, fmt.Errorf("--faults %q: none cannot be combined with other faults", list)
			}
			return nil, nil
		case "":
			return nil, fmt.Errorf("--faults %q: empty fault name", list)
		default:
			return nil, fmt.Errorf("--faults: unknown fault %q (valid: %s)", name, strings.Join(faultNames, ", "))
		}
	}
	return &mix, nil
}

// raftRun builds the run configuration from the flags, and says what the
// planted bugs' setups changed.
func raftRun(f runFlags) (rc harness.RunConfig, setup []string, err error) {
	rc = harness.DefaultRun()
	rc.Duration, rc.Settle, rc.Visualize = f.duration, f.settle, f.html != ""
	switch f.profile {
	case cluster.ProfileEtcd:
	case cluster.ProfileKubernetes:
		rc.Cluster.Workload = cluster.KubernetesWorkload()
	default:
		return rc, nil, fmt.Errorf("--profile %q: want %s or %s", f.profile, cluster.ProfileEtcd,
			cluster.ProfileKubernetes)
	}
	switch f.backend {
	case cluster.BackendMem, cluster.BackendBolt:
		rc.Cluster.Backend = f.backend
	default:
		return rc, nil, fmt.Errorf("--backend %q: want %s or %s", f.backend, cluster.BackendMem,
			cluster.BackendBolt)
	}
	switch {
	case f.maxRequestBytes <= 0 || f.maxRequestBytes > maxRequestBytesMax:
		return rc, nil, fmt.Errorf("--max-request-bytes %d outside [1,%d]", f.maxRequestBytes,
			maxRequestBytesMax)
	case f.quotaBytes <= 0:
		return rc, nil, fmt.Errorf("--quota-backend-bytes %d must be positive", f.quotaBytes)
	}
	rc.Cluster.Store.MaxRequestBytes, rc.Cluster.Store.QuotaBackendBytes = f.maxRequestBytes, f.quotaBytes
	switch f.etcdVersion {
	case mvcc.EtcdVersion37, mvcc.EtcdVersion36:
		rc.Cluster.Store.EtcdVersion = f.etcdVersion
	default:
		return rc, nil, fmt.Errorf("--etcd-version %q: want %s or %s", f.etcdVersion,
			mvcc.EtcdVersion37, mvcc.EtcdVersion36)
	}
	rc.CheckBudget = f.budget
	// The fault mix: DefaultRun's, unless bugs bring theirs (united) or
	// --faults names one ("none": no faults).
	var mix *nemesis.Mix
	for _, name := range f.bugs {
		b, err := raftimpl.ParseBug(name)
		if err != nil {
			return rc, nil, fmt.Errorf("--bug: %w", err)
		}
		rc.Cluster.Bugs = rc.Cluster.Bugs.With(b)
		bm, note := harness.BugSetup(b, &rc.Cluster)
		if note != "" {
			setup = append(setup, name+": "+note)
		}
		if mix != nil {
			bm = mix.Union(bm)
		}
		mix = &bm
	}
	if f.faults != "" {
		m, err := parseFaults(f.faults)
		if err != nil {
			return rc, nil, err
		}
		mix, rc.Faults = m, nil
	}
	if mix != nil {
		cfg := nemesis.DefaultConfig(*mix)
		rc.Faults = &cfg
	}
	switch f.nemesis {
	case "random":
	case "none":
		if f.faults != "" && f.faults != "none" {
			return rc, nil, fmt.Errorf("--nemesis none with --faults %q: choose one", f.faults)
		}
		rc.Faults = nil
	default:
		return rc, nil, fmt.Errorf("--nemesis %q: want random or none", f.nemesis)
	}
	// A planted bug's setup chooses its sweep's cluster; flags given on
	// the command line win over it.
	if f.set["members"] || len(f.bugs) == 0 {
		rc.Cluster.Members = f.members
	}
	if f.set["clients"] || len(f.bugs) == 0 {
		rc.Cluster.Clients = f.clients
	}
	if f.set["rate"] || len(f.bugs) == 0 {
		rc.Cluster.Workload.Rate = f.rate
	}
	switch f.reads {
	case "safe":
		rc.Cluster.ReadOnly = raftimpl.ReadOnlySafe
	case "lease":
		rc.Cluster.ReadOnly = raftimpl.ReadOnlyLeaseBased
	case "lease-bounded":
		rc.Cluster.ReadOnly = raftimpl.ReadOnlyLeaseBounded
	default:
		return rc, nil, fmt.Errorf("--reads %q: want safe, lease or lease-bounded", f.reads)
	}
	switch err := rc.ValidateTimes(); {
	case f.duration <= 0:
		return rc, nil, fmt.Errorf("--duration %v must be positive", f.duration)
	case f.settle < 0:
		return rc, nil, fmt.Errorf("--settle %v must not be negative", f.settle)
	case err != nil:
		return rc, nil, fmt.Errorf("--duration %v and --settle %v: %w", f.duration, f.settle, err)
	}
	if err := rc.Cluster.Validate(); err != nil {
		return rc, nil, fmt.Errorf("--members/--clients/--rate/--reads/--bug: %w", err)
	}
	return rc, setup, nil
}

func runRaft(out, errOut io.Writer, f runFlags) error {
	rc, setup, err := raftRun(f)
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	report, err := openReport("html", f.html)
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	defer report.discard()
	rc.TraceSink = traceSink(out, f.showTrace)
	start := time.Now()
	o, err := harness.Run(f.seed, rc)
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	rep := runReport{Seed: f.seed, Scenario: "raft", TraceHash: fmt.Sprintf("%016x", o.TraceHash),
		Events: o.Events, SimSeconds: o.SimTime.Seconds(), WallSeconds: time.Since(start).Seconds(),
		Members: rc.Cluster.Members, Faults: o.Faults, Ops: o.Ops, Verdict: o.VerdictName(),
		Replay: replayLine(f), Bugs: f.bugs, Setup: setup}
	if o.Check != nil {
		rep.CheckSteps, rep.CheckBudget = int64(o.Check.Steps), int64(o.Check.Budget)
	}
	rep.OpsOK, rep.OpsFailed, rep.OpsUnknown = &o.OpsOK, &o.OpsFailed, &o.OpsUnknown
	rep.LeaderChanges, rep.Checks = &o.LeaderChanges, checkVerdicts(o)
	rep.WatchEvents = &o.WatchEvents
	rep.OpsPerSecond = float64(o.OpsOK+o.OpsFailed+o.OpsUnknown) / rc.Duration.Seconds()
	switch {
	case o.Violation != nil:
		rep.Violation = o.Violation.Error()
	case o.Storm != nil:
		rep.Violation = o.Storm.Error()
	case o.LostWrite != nil:
		rep.Violation = o.LostWrite.Error()
	case o.Divergent != nil:
		rep.Violation = o.Divergent.Error()
	}
	if f.asJSON {
		if err := json.NewEncoder(out).Encode(rep); err != nil {
			return err
		}
	} else {
		printRaft(out, rep, o)
	}
	var verdict error
	switch {
	case o.Failed():
		verdict = &exitError{code: exitFailed, err: fmt.Errorf("seed %d: %v", f.seed, o)}
	case o.Checked && o.Verdict == linearizability.Unknown:
		verdict = &exitError{code: exitUnknown, err: fmt.Errorf("seed %d: no verdict within the budget", f.seed)}
	}
	var reportErr error
	switch {
	case report == nil:
	case o.Check == nil:
		fmt.Fprintf(errOut, "etcdsim: --html %s: not written: the history was not checked (%s)\n",
			f.html, o.VerdictName())
	default:
		reportErr = report.write(o.Check.WriteHTML)
	}
	return finish(verdict, reportErr, errOut)
}

// maxRequestBytesMax bounds --max-request-bytes: a request travels whole
// in one simulated message and one log entry (etcd accepts up to its gRPC
// limit, 2 GiB).
const maxRequestBytesMax = 64 << 20

// checkVerdicts names each check's verdict, under keys that are a contract:
// linearizability (the checker's verdict, or not-checked when a safety
// violation or a storm stopped the run), raft_invariants (ok, violated),
// liveness (ok, message-storm), hashkv (equal, divergent, not-checked),
// acked_writes (ok, lost, not-checked: no leader at the end), locks (ok,
// violated, not-checked: no lockers, or a history not found
// linearizable) and watch
// (ok, violated, or not-checked: no watchers, or a history that was not
// checked or is not linearizable, since watches are checked against its
// linearization).
func checkVerdicts(o *harness.Outcome) map[string]string {
	checks := map[string]string{"linearizability": "not-checked", "raft_invariants": "ok",
		"liveness": "ok", "hashkv": "not-checked", "watch": "not-checked",
		"acked_writes": "not-checked"}
	if o.Checked {
		checks["linearizability"] = o.Verdict.String()
	}
	if o.Violation != nil {
		checks["raft_invariants"] = "violated"
	}
	if o.Storm != nil {
		checks["liveness"] = "message-storm"
	}
	switch {
	case o.Divergent != nil:
		checks["hashkv"] = "divergent"
	case o.HashKVChecked:
		checks["hashkv"] = "equal"
	}
	checks["locks"] = o.LocksVerdict()
	switch {
	case o.LostWrite != nil:
		checks["acked_writes"] = "lost"
	case o.AckedChecked:
		checks["acked_writes"] = "ok"
	}
	switch {
	case len(o.WatchViolations) > 0:
		checks["watch"] = "violated"
	case o.WatchChecked:
		checks["watch"] = "ok"
	}
	return checks
}

// replayLine is the one-line command that reproduces a run.
func replayLine(f runFlags) string {
	parts := []string{"etcdsim run --seed", fmt.Sprint(f.seed)}
	for _, b := range f.bugs {
		parts = append(parts, "--bug", b)
	}
	if f.reads != "safe" {
		parts = append(parts, "--reads", f.reads)
	}
	if f.profile != cluster.ProfileEtcd {
		parts = append(parts, "--profile", f.profile)
	}
	if f.backend != cluster.BackendMem {
		parts = append(parts, "--backend", f.backend)
	}
	if f.nemesis != "random" {
		parts = append(parts, "--nemesis", f.nemesis)
	}
	if f.etcdVersion != mvcc.EtcdVersion37 {
		parts = append(parts, "--etcd-version", f.etcdVersion)
	}
	if f.maxRequestBytes != mvcc.DefaultMaxRequestBytes {
		parts = append(parts, "--max-request-bytes", fmt.Sprint(f.maxRequestBytes))
	}
	if f.quotaBytes != mvcc.DefaultQuotaBackendBytes {
		parts = append(parts, "--quota-backend-bytes", fmt.Sprint(f.quotaBytes))
	}
	if f.faults != "" {
		parts = append(parts, "--faults", f.faults)
	}
	def := cluster.DefaultConfig()
	if f.set["members"] || f.members != def.Members {
		parts = append(parts, "--members", fmt.Sprint(f.members))
	}
	if f.set["clients"] || f.clients != def.Clients {
		parts = append(parts, "--clients", fmt.Sprint(f.clients))
	}
	if f.set["rate"] || f.rate != def.Workload.Rate {
		parts = append(parts, "--rate", fmt.Sprint(f.rate))
	}
	if f.duration != harness.RunDuration {
		parts = append(parts, "--duration", f.duration.String())
	}
	if f.settle != harness.RunSettle {
		parts = append(parts, "--settle", f.settle.String())
	}
	if f.budget != linearizability.BudgetDefault {
		parts = append(parts, "--budget", f.budget.String())
	}
	return strings.Join(parts, " ")
}

func printRaft(out io.Writer, rep runReport, o *harness.Outcome) {
	bugs := "none"
	if len(rep.Bugs) > 0 {
		bugs = strings.Join(rep.Bugs, ",")
	}
	fmt.Fprintf(out, "seed %d: %d-member etcd cluster, planted bugs: %s\n", rep.Seed, rep.Members, bugs)
	for _, s := range rep.Setup {
		fmt.Fprintf(out, "setup for %s\n", s)
	}
	fmt.Fprintf(out, "%d client ops (%d ok, %d failed, %d unknown), %d events in %.1fs simulated "+
		"(%.2fs wall)\n", rep.Ops, *rep.OpsOK, *rep.OpsFailed, *rep.OpsUnknown, rep.Events,
		rep.SimSeconds, rep.WallSeconds)
	if len(rep.Faults) > 0 {
		names := make([]string, 0, len(rep.Faults))
		for name := range rep.Faults {
			names = append(names, name)
		}
		sort.Strings(names)
		for i, name := range names {
			names[i] = fmt.Sprintf("%s x%d", name, rep.Faults[name])
		}
		fmt.Fprintf(out, "faults: %s\n", strings.Join(names, ", "))
	}
	switch {
	case o.Storm != nil:
		fmt.Fprintf(out, "LIVENESS FAILURE: %s\n", rep.Violation)
	case rep.Violation != "":
		fmt.Fprintf(out, "VIOLATION: %s\n", rep.Violation)
	}
	names := make([]string, 0, len(rep.Checks))
	for name := range rep.Checks {
		names = append(names, name)
	}
	sort.Strings(names)
	for i, name := range names {
		names[i] = name + " " + rep.Checks[name]
	}
	fmt.Fprintf(out, "leader changes: %d; checks: %s\n", *rep.LeaderChanges, strings.Join(names, ", "))
	if o.Check != nil && o.Verdict == linearizability.Unknown {
		fmt.Fprintf(out, "verdict: unknown (the check spent its budget of %v model steps; "+
			"raise it with --budget)\n", o.Check.Budget)
	} else {
		fmt.Fprintf(out, "verdict: %s\n", rep.Verdict)
	}
	if o.Check != nil && o.Check.Explanation != nil {
		fmt.Fprintln(out, o.Check.Explanation)
	}
	printWatches(out, o)
	printLocks(out, o)
	fmt.Fprintf(out, "trace hash %s  (replay: %s)\n", rep.TraceHash, rep.Replay)
}

// watchViolationsShown bounds the watch violations printed; the count
// says how many more there are.
const watchViolationsShown = 5

// printWatches says what the watchers received and, when the watch check
// failed, its first violations.
func printWatches(out io.Writer, o *harness.Outcome) {
	if !o.Watches {
		return
	}
	fmt.Fprintf(out, "watches: %d logical watches, %d events delivered\n", len(o.History.Watches),
		o.WatchEvents)
	for i, v := range o.WatchViolations {
		if i == watchViolationsShown {
			fmt.Fprintf(out, "  ... and %d more\n", len(o.WatchViolations)-i)
			break
		}
		fmt.Fprintf(out, "  WATCH VIOLATION: %v\n", v)
	}
}

// printLocks says how often the lockers held the lock and, when the lock
// check failed, its first violations.
func printLocks(out io.Writer, o *harness.Outcome) {
	if len(o.LockHolds) == 0 {
		return
	}
	fmt.Fprintf(out, "locks: %d holdings, %d overlaps after a lost lease (%d fenced by revision)\n",
		len(o.LockHolds), o.LockOverlaps, o.LockFenced)
	for i, v := range o.LockViolations {
		if i == watchViolationsShown {
			fmt.Fprintf(out, "  ... and %d more\n", len(o.LockViolations)-i)
			break
		}
		fmt.Fprintf(out, "  LOCK VIOLATION: %v\n", v)
	}
}

func runGossip(out io.Writer, f runFlags) error {
	// --members is checked with the default duration, which every valid
	// node count can run, so that each error names the flag at fault.
	cfg := gossip.DefaultConfig()
	cfg.Nodes = f.members
	if err := cfg.Validate(); err != nil {
		return &exitError{code: exitUsage, err: fmt.Errorf("--members %d: %w", f.members, err)}
	}
	cfg.Duration, cfg.IncrementsStop = f.duration, f.duration*8/10
	if err := cfg.Validate(); err != nil {
		return &exitError{code: exitUsage, err: fmt.Errorf("--duration %v: %w", f.duration, err)}
	}
	start := time.Now()
	res, err := gossip.Run(f.seed, cfg, sim.Options{}, traceSink(out, f.showTrace))
	if err != nil {
		return &exitError{code: exitFailed, err: err}
	}
	converged := res.Converged
	rep := runReport{Seed: res.Seed, Scenario: "gossip", TraceHash: fmt.Sprintf("%016x", res.TraceHash),
		Events: res.Events, SimSeconds: res.SimTime.Seconds(), WallSeconds: time.Since(start).Seconds(),
		Messages: &netJSON{Sent: res.Net.Sent, Delivered: res.Net.Delivered, Dropped: res.Net.Dropped,
			Duplicated: res.Net.Duplicated},
		Totals: res.Totals, Converged: &converged,
		Replay: fmt.Sprintf("etcdsim run --scenario gossip --seed %d --members %d --duration %v", f.seed, f.members, f.duration)}
	if f.asJSON {
		return json.NewEncoder(out).Encode(rep)
	}
	fmt.Fprintf(out, "seed %d: %d events in %.1fs simulated (%.3fs wall)\n",
		rep.Seed, rep.Events, rep.SimSeconds, rep.WallSeconds)
	fmt.Fprintf(out, "messages: %d sent, %d delivered, %d dropped\n",
		rep.Messages.Sent, rep.Messages.Delivered, rep.Messages.Dropped)
	fmt.Fprintf(out, "totals per node: %v (converged: %v)\n", rep.Totals, converged)
	fmt.Fprintf(out, "trace hash %s  (replay: %s)\n", rep.TraceHash, rep.Replay)
	return nil
}

// traceSink returns a printer of trace records, or nil when not wanted.
func traceSink(out io.Writer, on bool) func(sim.Record) {
	if !on {
		return nil
	}
	return func(r sim.Record) { fmt.Fprintln(out, r) }
}
