package rafttest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"

	"etcdsim/raftimpl"
)

// stabilizeRoundsMax bounds stabilize; a cluster that keeps talking after
// this many rounds is reported, never looped on.
const stabilizeRoundsMax = 100

// Handle runs one datadriven command and returns its trace. Commands:
//
//	add-nodes N [voters=(ids)] [learners=(ids)] [prevote=bool]
//	    [checkquorum=bool] [lease=bool] [reads=safe|lease|lease-bounded]
//	    [election=T] [heartbeat=T]
//	    [inflight=N] [max-msg-bytes=N] [noop=bool] [bugs=(names)]
//	    [log=(terms)] [term=T] [commit=I] [timeout-offsets=(ticks)]
//	campaign ID | propose ID DATA | propose-conf-change ID OP=NODE
//	read-index ID CTX | transfer-leadership from=ID to=ID
//	tick ID [N] | tick-heartbeat ID | tick-election ID
//	process-ready ID... | deliver-msgs ID... [type=T]
//	drop-msgs [from=ID] [to=ID] [type=T] [index=I]
//	stash-msgs [to=ID] [type=T] [index=I] [copy]
//	unstash-msgs | stabilize [ID...]
//	isolate ID | cut FROM TO | partition a=(IDs) b=(IDs) | heal
//	crash ID [torn=N] | restart ID | corrupt-wal ID offset=N
//	snapshot ID | raft-log ID | raft-state | status ID | sm ID | marks ID
func (e *Env) Handle(t testing.TB, d *datadriven.TestData) string {
	e.out.Reset()
	if err := e.dispatch(t, d); err != nil {
		e.printf("error: %v\n", err)
	}
	if e.out.Len() == 0 {
		return "ok\n"
	}
	return e.out.String()
}

func (e *Env) dispatch(t testing.TB, d *datadriven.TestData) error {
	switch d.Cmd {
	case "add-nodes":
		return e.handleAddNodes(t, d)
	case "campaign", "propose", "propose-conf-change", "read-index", "snapshot":
		return e.handleNodeInput(t, d)
	case "transfer-leadership":
		return e.handleTransfer(t, d)
	case "tick", "tick-heartbeat", "tick-election":
		return e.handleTick(t, d)
	case "process-ready":
		return e.forEachID(t, d, e.ProcessReady)
	case "deliver-msgs", "drop-msgs", "stash-msgs", "unstash-msgs":
		return e.handleMsgs(t, d)
	case "stabilize":
		return e.Stabilize(e.idsOrAll(t, d))
	case "isolate", "cut", "heal", "partition":
		return e.handleNetwork(t, d)
	case "crash", "restart", "corrupt-wal":
		return e.handleCrash(t, d)
	case "raft-log", "raft-state", "status", "sm", "marks":
		return e.handleInspect(t, d)
	}
	return fmt.Errorf("rafttest: unknown command %q", d.Cmd)
}

// ids returns the bare numeric arguments of a command.
func ids(t testing.TB, d *datadriven.TestData) []raftimpl.NodeID {
	var out []raftimpl.NodeID
	for _, a := range d.CmdArgs {
		if len(a.Vals) > 0 {
			continue
		}
		if id, err := strconv.ParseUint(a.Key, 10, 64); err == nil {
			out = append(out, raftimpl.NodeID(id))
		}
	}
	return out
}

// firstID returns the first bare id argument or fails the test.
func firstID(t testing.TB, d *datadriven.TestData) raftimpl.NodeID {
	l := ids(t, d)
	if len(l) == 0 {
		d.Fatalf(t, "%s needs a node id", d.Cmd)
	}
	return l[0]
}

func (e *Env) idsOrAll(t testing.TB, d *datadriven.TestData) []raftimpl.NodeID {
	l := ids(t, d)
	if len(l) == 0 {
		for _, n := range e.Nodes {
			l = append(l, n.ID)
		}
	}
	return l
}

func (e *Env) forEachID(t testing.TB, d *datadriven.TestData, f func(raftimpl.NodeID) error) error {
	for _, id := range e.idsOrAll(t, d) {
		if err := f(id); err != nil {
			return err
		}
	}
	return nil
}

// scanIDs reads an id list argument such as voters=(1,2,3).
func scanIDs(t testing.TB, d *datadriven.TestData, key string) []raftimpl.NodeID {
	var raw []uint64
	if !d.HasArg(key) {
		return nil
	}
	d.ScanArgs(t, key, &raw)
	out := make([]raftimpl.NodeID, len(raw))
	for i, v := range raw {
		out[i] = raftimpl.NodeID(v)
	}
	return out
}

func (e *Env) handleAddNodes(t testing.TB, d *datadriven.TestData) error {
	count, err := strconv.Atoi(d.CmdArgs[0].Key)
	if err != nil {
		return fmt.Errorf("rafttest: add-nodes count: %w", err)
	}
	cfg := raftimpl.Config{ElectionTicks: 10, HeartbeatTicks: 1}
	cfg.Voters = scanIDs(t, d, "voters")
	cfg.Learners = scanIDs(t, d, "learners")
	d.MaybeScanArgs(t, "prevote", &cfg.PreVote)
	d.MaybeScanArgs(t, "checkquorum", &cfg.CheckQuorum)
	d.MaybeScanArgs(t, "election", &cfg.ElectionTicks)
	d.MaybeScanArgs(t, "heartbeat", &cfg.HeartbeatTicks)
	d.MaybeScanArgs(t, "inflight", &cfg.MaxInflightMsgs)
	d.MaybeScanArgs(t, "max-msg-bytes", &cfg.MaxSizePerMsg)
	noop := true
	d.MaybeScanArgs(t, "noop", &noop)
	cfg.NoLeaderNoop = !noop
	var lease bool
	if d.MaybeScanArgs(t, "lease", &lease); lease {
		cfg.ReadOnlyOption = raftimpl.ReadOnlyLeaseBased
	}
	if d.HasArg("reads") {
		var reads string
		d.ScanArgs(t, "reads", &reads)
		opt, err := raftimpl.ParseReadOnlyOption(reads)
		if err != nil {
			return err
		}
		cfg.ReadOnlyOption = opt
	}
	if d.HasArg("bugs") {
		var names []string
		d.ScanArgs(t, "bugs", &names)
		for _, name := range names {
			b, err := raftimpl.ParseBug(name)
			if err != nil {
				return err
			}
			cfg.Bugs = cfg.Bugs.With(b)
		}
	}
	if len(cfg.Voters)+len(cfg.Learners) == 0 {
		for i := range count {
			cfg.Voters = append(cfg.Voters, raftimpl.NodeID(len(e.Nodes)+i+1))
		}
	}
	var seed Seed
	d.MaybeScanArgs(t, "log", &seed.LogTerms)
	d.MaybeScanArgs(t, "term", &seed.Term)
	d.MaybeScanArgs(t, "commit", &seed.Commit)
	var offsets []int
	d.MaybeScanArgs(t, "timeout-offsets", &offsets)
	for i := range count {
		if i < len(offsets) {
			cfg.Rand = fixedRand(offsets[i])
		}
		if err := e.AddNode(cfg, seed); err != nil {
			return err
		}
	}
	return nil
}

func (e *Env) handleNodeInput(t testing.TB, d *datadriven.TestData) error {
	n, err := e.node(firstID(t, d))
	if err != nil {
		return err
	}
	if n.Crashed {
		return fmt.Errorf("rafttest: node %v is down", n.ID)
	}
	defer e.check()
	switch d.Cmd {
	case "campaign":
		return n.Campaign()
	case "propose":
		return n.Propose([]byte(d.CmdArgs[1].Key))
	case "read-index":
		return e.ReadIndex(n.ID, d.CmdArgs[1].Key)
	case "snapshot":
		return e.Snapshot(n)
	}
	return e.proposeConfChange(n, d.CmdArgs[1])
}

func (e *Env) proposeConfChange(n *Node, arg datadriven.CmdArg) error {
	ops := map[string]raftimpl.ConfChangeType{"add": raftimpl.ConfChangeAddNode,
		"add-learner": raftimpl.ConfChangeAddLearner, "remove": raftimpl.ConfChangeRemoveNode}
	typ, ok := ops[arg.Key]
	if !ok || len(arg.Vals) != 1 {
		return fmt.Errorf("rafttest: conf change %v: want add=, add-learner= or remove=", arg)
	}
	id, err := strconv.ParseUint(arg.Vals[0], 10, 64)
	if err != nil {
		return fmt.Errorf("rafttest: conf change %v: %w", arg, err)
	}
	return n.ProposeConfChange(raftimpl.ConfChange{Type: typ, NodeID: raftimpl.NodeID(id)})
}

// Snapshot takes the application's snapshot at its applied index and
// compacts the log and the WAL behind it.
func (e *Env) Snapshot(n *Node) error {
	applied := n.AppliedIndex()
	snap, err := n.Storage.CreateSnapshot(applied, n.Status().ConfState, encodeState(n.Applied))
	if err != nil {
		return err
	}
	if err := n.Storage.Compact(applied); err != nil {
		return err
	}
	ents, err := n.Storage.Entries(applied+1, n.Storage.LastIndex()+1, ^uint64(0))
	if err != nil {
		return err
	}
	if err := n.WAL.Compact(snap, n.Storage.HardState(), ents); err != nil {
		return err
	}
	e.printf("%v: snapshot at %v/%v, log now starts at %v\n", n.ID, snap.Metadata.Term,
		snap.Metadata.Index, n.Storage.FirstIndex())
	return nil
}

func (e *Env) handleTransfer(t testing.TB, d *datadriven.TestData) error {
	var from, to uint64
	d.ScanArgs(t, "from", &from)
	d.ScanArgs(t, "to", &to)
	n, err := e.node(raftimpl.NodeID(from))
	if err != nil {
		return err
	}
	defer e.check()
	return n.TransferLeadership(raftimpl.NodeID(to))
}

func (e *Env) handleTick(t testing.TB, d *datadriven.TestData) error {
	n, err := e.node(firstID(t, d))
	if err != nil {
		return err
	}
	count := 1
	switch d.Cmd {
	case "tick":
		if l := ids(t, d); len(l) > 1 {
			count = int(l[1])
		}
	case "tick-heartbeat":
		count = n.Config.HeartbeatTicks
	case "tick-election":
		count = n.Config.ElectionTicks
	}
	for range count {
		n.Tick()
		e.check()
	}
	return nil
}

// match builds a filter from the from=, to= and type= arguments.
func match(t testing.TB, d *datadriven.TestData) func(raftimpl.Message) bool {
	var from, to uint64
	var typ string
	index := int64(-1)
	d.MaybeScanArgs(t, "from", &from)
	d.MaybeScanArgs(t, "to", &to)
	d.MaybeScanArgs(t, "type", &typ)
	d.MaybeScanArgs(t, "index", &index)
	return func(m raftimpl.Message) bool {
		return (from == 0 || m.From == raftimpl.NodeID(from)) &&
			(to == 0 || m.To == raftimpl.NodeID(to)) &&
			(typ == "" || m.Type.String() == typ) &&
			(index < 0 || m.Index == raftimpl.LogIndex(index))
	}
}

func (e *Env) handleMsgs(t testing.TB, d *datadriven.TestData) error {
	f := match(t, d)
	switch d.Cmd {
	case "deliver-msgs":
		targets := ids(t, d)
		e.Deliver(func(m raftimpl.Message) bool {
			return f(m) && (len(targets) == 0 || slices.Contains(targets, m.To))
		})
	case "drop-msgs":
		e.Messages = slices.DeleteFunc(e.Messages, func(m raftimpl.Message) bool {
			if f(m) {
				e.printf("dropped: %s\n", raftimpl.DescribeMessage(m))
			}
			return f(m)
		})
	case "stash-msgs":
		for _, m := range e.Messages {
			if f(m) {
				e.printf("stashed: %s\n", raftimpl.DescribeMessage(m))
				e.stash = append(e.stash, m)
			}
		}
		if !d.HasArg("copy") {
			e.Messages = slices.DeleteFunc(e.Messages, f)
		}
	case "unstash-msgs":
		e.Messages = append(e.Messages, e.stash...)
		e.stash = nil
	}
	return nil
}

// Stabilize alternates handling Readies and delivering messages among ids
// until nothing is left to do.
func (e *Env) Stabilize(ids []raftimpl.NodeID) error {
	for range stabilizeRoundsMax {
		busy := false
		for _, id := range ids {
			n, err := e.node(id)
			if err != nil {
				return err
			}
			if !n.Crashed && n.HasReady() {
				busy = true
				if err := e.ProcessReady(id); err != nil {
					return err
				}
			}
		}
		delivered := e.Deliver(func(m raftimpl.Message) bool { return slices.Contains(ids, m.To) })
		if !busy && delivered == 0 {
			return nil
		}
	}
	return errStabilizeBound
}

func (e *Env) handleNetwork(t testing.TB, d *datadriven.TestData) error {
	switch d.Cmd {
	case "heal":
		e.Heal()
	case "cut":
		l := ids(t, d)
		e.blocked = append(e.blocked, [2]raftimpl.NodeID{l[0], l[1]},
			[2]raftimpl.NodeID{l[1], l[0]})
	case "isolate":
		e.Isolate(firstID(t, d))
	case "partition":
		a, b := scanIDs(t, d, "a"), scanIDs(t, d, "b")
		for _, x := range a {
			for _, y := range b {
				e.blocked = append(e.blocked, [2]raftimpl.NodeID{x, y}, [2]raftimpl.NodeID{y, x})
			}
		}
	}
	return nil
}

func (e *Env) handleCrash(t testing.TB, d *datadriven.TestData) error {
	id := firstID(t, d)
	switch d.Cmd {
	case "crash":
		torn := 0
		d.MaybeScanArgs(t, "torn", &torn)
		return e.Crash(id, torn)
	case "restart":
		defer e.check()
		return e.Restart(id)
	}
	n, err := e.node(id)
	if err != nil {
		return err
	}
	var off int64
	d.ScanArgs(t, "offset", &off)
	n.Dir.OpenMem("wal").Corrupt(off)
	return nil
}

func (e *Env) handleInspect(t testing.TB, d *datadriven.TestData) error {
	if d.Cmd == "raft-state" {
		for _, n := range e.Nodes {
			if n.Crashed {
				e.printf("%v: down\n", n.ID)
				continue
			}
			e.printf("%v: %v term=%v lead=%v commit=%v\n", n.ID, n.Role(), n.Term(),
				n.Lead(), n.CommitIndex())
		}
		return nil
	}
	n, err := e.node(firstID(t, d))
	if err != nil {
		return err
	}
	if n.Crashed {
		return fmt.Errorf("rafttest: node %v is down", n.ID)
	}
	switch d.Cmd {
	case "status":
		e.printf("%v\n", n.Status())
	case "sm":
		e.printf("%v: applied=%v [%s]\n", n.ID, n.AppliedIndex(), strings.Join(n.Applied, " "))
	case "marks":
		e.printf("%v: %s\n", n.ID, n.Marks())
	default:
		return e.printLog(n)
	}
	return nil
}

func (e *Env) printLog(n *Node) error {
	ents, err := n.Entries(n.Storage.FirstIndex(), n.LastIndex()+1)
	if err != nil {
		return err
	}
	if snap := n.Storage.Snapshot(); !snap.IsEmpty() {
		e.printf("snapshot %v/%v\n", snap.Metadata.Term, snap.Metadata.Index)
	}
	if len(ents) == 0 {
		e.printf("log is empty\n")
	}
	for _, ent := range ents {
		mark := ""
		if ent.Index <= n.CommitIndex() {
			mark = " (committed)"
		}
		e.printf("%s%s\n", raftimpl.DescribeEntry(ent), mark)
	}
	return nil
}
