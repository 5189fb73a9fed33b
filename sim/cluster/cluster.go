package cluster

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"etcdsim/linearizability"
	"etcdsim/mvcc"
	"etcdsim/raftimpl"
	"etcdsim/sim"
)

// Config shapes a cluster and its clients.
type Config struct {
	// Members is the number of Raft members, ids 1..Members.
	Members int
	// TickInterval is one Raft tick on a member's own clock, so a skewed
	// clock ticks faster or slower (etcd's --heartbeat-interval).
	TickInterval time.Duration
	// ElectionTicks and HeartbeatTicks as etcd: election timeout 10 ticks,
	// heartbeat every tick.
	ElectionTicks, HeartbeatTicks int
	PreVote, CheckQuorum          bool
	ReadOnly                      raftimpl.ReadOnlyOption
	// Bugs are planted mistakes (see raftimpl.ParseBug).
	Bugs raftimpl.Bugs
	// MaxSizePerMsg bounds the entry bytes of one MsgApp (0: etcd's 1 MiB);
	// MaxInflightMsgs bounds the MsgApps in flight per follower (0: 256).
	MaxSizePerMsg   uint64
	MaxInflightMsgs int
	// NoLeaderNoop: a new leader appends no empty entry (see
	// raftimpl.Config.NoLeaderNoop).
	NoLeaderNoop bool
	// SnapshotEvery is how many applied entries separate snapshots (0:
	// never); SnapshotCatchUp entries stay in the log behind one.
	SnapshotEvery, SnapshotCatchUp uint64
	// Store configures each member's mvcc store (its limits); Backend is
	// where it lives: BackendMem (also the zero value) or BackendBolt, a
	// file per member in a directory of the cluster's own, which Close
	// removes.
	Store   mvcc.Config
	Backend string
	// Clients is how many clients run the workload (ids 101...).
	Clients  int
	Client   ClientConfig
	Workload Workload
	// Watchers is how many watcher nodes watch the workload's keys (ids
	// after the clients' range, see watcher.go); their deliveries are
	// checked against the linearized writes.
	Watchers int
	// Lockers is how many locker nodes contend for one mutex through
	// etcd's lock recipe (ids after the watchers' range, see locker.go);
	// their holdings are checked (CheckLocks).
	Lockers int
	// dropWatchEvent plants a bug for tests only: each member drops one
	// response with events (watch.go).
	dropWatchEvent bool
	// skipWaitDeletes plants a bug for tests only: lockers take the lock
	// without waiting for the older keys' deletion (Mutex).
	skipWaitDeletes bool
}

// DefaultConfig is a 5-member cluster with etcd's timing (100ms ticks, 1s
// election timeout), Pre-Vote and CheckQuorum on, a snapshot every 1,000
// entries with 500 kept behind it (a tenth of etcd's --snapshot-count and
// catch-up entries, so that runs of seconds take snapshots and send them
// to lagging members), ten clients sending about 1,000 requests per
// simulated second, two watchers and two lockers.
func DefaultConfig() Config {
	return Config{
		Members: 5, TickInterval: 100 * time.Millisecond, ElectionTicks: 10, HeartbeatTicks: 1,
		PreVote: true, CheckQuorum: true, SnapshotEvery: 1000, SnapshotCatchUp: 500,
		Clients: 10, Client: DefaultClientConfig(), Workload: DefaultWorkload(), Watchers: 2,
		Lockers: 2,
	}
}

// Validate reports the first bad field by name.
func (cfg Config) Validate() error {
	switch {
	case cfg.Members < 1 || cfg.Members > 64:
		return fmt.Errorf("cluster: members %d outside [1,64]", cfg.Members)
	case cfg.TickInterval <= 0:
		return fmt.Errorf("cluster: tick interval %v must be positive", cfg.TickInterval)
	case cfg.Clients < 0 || cfg.Clients > 1000:
		return fmt.Errorf("cluster: clients %d outside [0,1000]", cfg.Clients)
	case cfg.Watchers < 0 || cfg.Watchers > watchersMax:
		return fmt.Errorf("cluster: watchers %d outside [0,%d]", cfg.Watchers, watchersMax)
	case cfg.Lockers < 0 || cfg.Lockers > lockersMax:
		return fmt.Errorf("cluster: lockers %d outside [0,%d]", cfg.Lockers, lockersMax)
	case cfg.Clients > 0 && cfg.Client.Timeout <= 0:
		return fmt.Errorf("cluster: client timeout %v must be positive", cfg.Client.Timeout)
	case cfg.Client.Backoff < 0 || cfg.Client.RetriesMax < 0:
		return fmt.Errorf("cluster: client backoff %v and retries %d must not be negative",
			cfg.Client.Backoff, cfg.Client.RetriesMax)
	case cfg.ReadOnly != raftimpl.ReadOnlySafe && !cfg.CheckQuorum:
		// A leader holds its lease only while CheckQuorum tracks its quorum.
		return fmt.Errorf("cluster: lease reads need CheckQuorum")
	}
	if err := cfg.Workload.valid(); err != nil {
		return fmt.Errorf("cluster: %w", err)
	}
	if err := cfg.Store.Validate(); err != nil {
		return fmt.Errorf("cluster: %w", err)
	}
	if cfg.Backend != "" && cfg.Backend != BackendMem && cfg.Backend != BackendBolt {
		return fmt.Errorf("cluster: backend %q: want %s or %s", cfg.Backend, BackendMem, BackendBolt)
	}
	return nil
}

// clientIDBase offsets client node ids from member ids.
const clientIDBase = 100

// Cluster is a Raft cluster living in a sim.World: members, clients, the
// history they record and an observer that checks Raft's safety properties
// after every event.
type Cluster struct {
	w         *sim.World
	cfg       Config
	memberIDs []sim.NodeID
	// members[i] is member i+1's current incarnation (nil before it
	// starts): ids are 1..Members, and the observer looks them up after
	// every event.
	members []*member
	checker *raftimpl.Checker
	// observed is observe's scratch list of running members' nodes.
	observed []*raftimpl.Node
	// violation is the first safety violation or member failure seen.
	violation   error
	history     linearizability.History
	processes   int
	stopClients bool
	// Counters for the outcome: requests by how they ended, and members
	// that became leader.
	opsOK, opsFailed, opsUnknown int
	leaderChanges                int
	// revokes holds the history's records of lessors' revocations that no
	// member has applied yet, by proposer and lease (Cluster.noteRevoke).
	revokes map[lessorRevoke][]linearizability.OpID
	// silentRevokes are applied revocations that deleted no key;
	// lessorProcesses counts the lessors' history processes.
	silentRevokes []linearizability.OpID
	// revokeEntries are the log indexes of lessors' revocations some
	// member has applied.
	revokeEntries   map[raftimpl.LogIndex]bool
	lessorProcesses linearizability.ClientID
	// dataDir holds the members' bbolt files ("" in memory).
	dataDir string
	// applied counts entries applied by all members, for benchmarks.
	applied uint64
	// envelopes recycles the envelopes Raft messages travel in.
	envelopes envelopePool
}

// New builds a cluster on w: members 1..cfg.Members and the clients. It
// adds the safety observer to w's after-event observers
// (sim.World.AddAfterEvent), after any added before.
func New(w *sim.World, cfg Config) (*Cluster, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := &Cluster{w: w, cfg: cfg, members: make([]*member, cfg.Members), checker: raftimpl.NewChecker(),
		revokes: map[lessorRevoke][]linearizability.OpID{}, revokeEntries: map[raftimpl.LogIndex]bool{}}
	if cfg.Backend == BackendBolt {
		dir, err := os.MkdirTemp("", "etcdsim-bbolt-")
		if err != nil {
			return nil, fmt.Errorf("cluster: a directory for the stores: %w", err)
		}
		c.dataDir = dir
	}
	for i := 1; i <= cfg.Members; i++ {
		c.memberIDs = append(c.memberIDs, sim.NodeID(i))
	}
	for _, id := range c.memberIDs {
		if err := c.addMemberNode(id); err != nil { // cluster_membership.go
			return nil, err
		}
	}
	for i := 1; i <= cfg.Clients; i++ {
		if err := w.AddNode(sim.NodeID(clientIDBase+i), func(p *sim.Proc) sim.Node {
			return newWorker(c, p)
		}); err != nil {
			return nil, err
		}
	}
	if err := c.addWatchers(); err != nil {
		return nil, err
	}
	if err := c.addLockers(); err != nil {
		return nil, err
	}
	w.AddAfterEvent(c.observe)
	return c, nil
}

// raftConfig is the Raft configuration of the member p. Its voters are
// the bootstrap members 1..Members, for every member: Raft replays the
// configuration changes in the log over them (or takes a snapshot's), on a
// restart as on a member that joined later.
func (c *Cluster) raftConfig(p *sim.Proc) raftimpl.Config {
	voters := make([]raftimpl.NodeID, c.cfg.Members)
	for i := range voters {
		voters[i] = raftimpl.NodeID(i + 1)
	}
	return raftimpl.Config{
		ID: raftimpl.NodeID(p.ID()), Voters: voters,
		ElectionTicks: c.cfg.ElectionTicks, HeartbeatTicks: c.cfg.HeartbeatTicks,
		PreVote: c.cfg.PreVote, CheckQuorum: c.cfg.CheckQuorum, ReadOnlyOption: c.cfg.ReadOnly,
		Rand: p.Rand("election"), Bugs: c.cfg.Bugs, MaxSizePerMsg: c.cfg.MaxSizePerMsg,
		MaxInflightMsgs: c.cfg.MaxInflightMsgs, NoLeaderNoop: c.cfg.NoLeaderNoop,
		MaxEntryBytes: c.maxEntryBytes(),
	}
}

// entryOverheadBytes is what a log entry adds to the request it carries:
// the command's client and seq, and the request encoding's own framing.
// The store's request limit is the one clients meet (etcd's
// --max-request-bytes); Raft's entry limit stays above it.
const entryOverheadBytes = 4096

// maxEntryBytes is the Raft entry limit for the store's request limit.
func (c *Cluster) maxEntryBytes() uint64 {
	limit := c.cfg.Store.MaxRequestBytes
	if limit == 0 {
		limit = mvcc.DefaultMaxRequestBytes
	}
	return uint64(limit) + entryOverheadBytes
}

// observe runs after every event: it feeds every running member to the
// safety checker and stops the world on the first violation.
func (c *Cluster) observe() error {
	if c.violation != nil {
		return c.violation
	}
	// Only members this event touched can have changed; the checker keeps
	// what it learned of the others. Visit them in id order.
	nodes := c.observed[:0]
	for _, m := range c.members {
		if m != nil && m.touched {
			m.touched = false
			if m.healthy() {
				nodes = append(nodes, m.node)
			}
		}
	}
	c.observed = nodes
	if len(nodes) == 0 {
		return nil // no running member was touched
	}
	if err := c.checker.Observe(nodes); err != nil {
		c.violation = fmt.Errorf("cluster: seed %d at %v: %w", c.w.Seed(), c.w.Now(), err)
		c.annotate(linearizability.AnnotationNote, "", "safety violation: "+err.Error())
	}
	return c.violation
}

// Stats are a cluster's counters, for a run's outcome.
type Stats struct {
	// OpsOK, OpsFailed and OpsUnknown count the workload's requests:
	// answered without error, ended without effect (a refusal, or an
	// error in the answer such as ErrCompacted), and indeterminate.
	OpsOK, OpsFailed, OpsUnknown int
	// LeaderChanges counts the members that became leader.
	LeaderChanges int
}

// Stats returns the cluster's counters so far.
func (c *Cluster) Stats() Stats {
	return Stats{OpsOK: c.opsOK, OpsFailed: c.opsFailed, OpsUnknown: c.opsUnknown,
		LeaderChanges: c.leaderChanges}
}

// running returns the live, healthy member id, or nil.
func (c *Cluster) running(id sim.NodeID) *member {
	if id < 1 || int(id) > len(c.members) {
		return nil
	}
	if m := c.members[id-1]; m != nil && m.healthy() {
		return m
	}
	return nil
}

func (c *Cluster) memberFailed(id sim.NodeID, err error) {
	if c.violation == nil {
		c.violation = fmt.Errorf("cluster: member %s failed: %w", id, err)
	}
}

// noteSoftState traces and annotates leadership changes.
func (c *Cluster) noteSoftState(id sim.NodeID, ss raftimpl.SoftState) {
	if ss.Role != raftimpl.RoleLeader {
		return
	}
	st := c.members[id-1].node.Status()
	c.leaderChanges++
	c.w.Logf("%s is leader in term %v", id, st.Term)
	c.annotate(linearizability.AnnotationLeader, id.String(), fmt.Sprintf("%s leads term %v", id, st.Term))
}

// annotate adds an instant annotation at the current time.
func (c *Cluster) annotate(kind linearizability.AnnotationKind, node, text string) {
	now := lt(c.w.Now())
	c.history.Annotations = append(c.history.Annotations,
		linearizability.Annotation{Start: now, End: now, Node: node, Kind: kind, Text: text})
}

// Annotate lets fault injectors mark a fault (heal false) or its heal in
// the history, for the checker's visualization.
func (c *Cluster) Annotate(heal bool, node sim.NodeID, text string) {
	name := ""
	if node != 0 {
		name = node.String()
	}
	kind := linearizability.AnnotationFault
	if heal {
		kind = linearizability.AnnotationHeal
	}
	c.annotate(kind, name, text)
}

func (c *Cluster) newProcess() linearizability.ClientID {
	c.processes++
	return linearizability.ClientID(c.processes)
}

// record appends op to the history and returns its id.
func (c *Cluster) record(op linearizability.Operation) linearizability.OpID {
	op.ID = linearizability.OpID(len(c.history.Ops))
	c.history.Ops = append(c.history.Ops, op)
	return op.ID
}

// resolve completes an operation recorded as indeterminate: it returned
// now, with out.
func (c *Cluster) resolve(id linearizability.OpID, out linearizability.EtcdResponse) {
	op := &c.history.Ops[id]
	op.Unknown, op.Return, op.Output = false, lt(c.w.Now()), out
}

// storePath is member id's bbolt file, or "" for the memory backend.
func (c *Cluster) storePath(id sim.NodeID) string {
	if c.dataDir == "" {
		return ""
	}
	return filepath.Join(c.dataDir, fmt.Sprintf("member-%d.db", id))
}

// Close closes every member's store and removes the bbolt files. A
// cluster built with New MUST be closed once its world stops.
func (c *Cluster) Close() error {
	var first error
	for _, m := range c.members {
		if m != nil && m.kv != nil {
			if err := m.kv.close(); err != nil && first == nil {
				first = err
			}
		}
	}
	if c.dataDir != "" {
		if err := os.RemoveAll(c.dataDir); err != nil && first == nil {
			first = err
		}
		c.dataDir = ""
	}
	return first
}

// StopClients makes clients finish their current operation and start no
// more, so that a run can end quietly.
func (c *Cluster) StopClients() { c.stopClients = true }

// History returns the operations recorded so far, with annotations.
func (c *Cluster) History() linearizability.History { return c.history }

// Violation returns the first safety violation or member failure, if any.
func (c *Cluster) Violation() error { return c.violation }

// Members returns the member ids.
func (c *Cluster) Members() []sim.NodeID { return append([]sim.NodeID(nil), c.memberIDs...) }

// Leader returns the member that leads in the highest term among running
// members, if any.
func (c *Cluster) Leader() (sim.NodeID, bool) {
	var best sim.NodeID
	var bestTerm raftimpl.Term
	for _, id := range c.memberIDs {
		m := c.running(id)
		if m == nil {
			continue
		}
		if st := m.node.Status(); st.Role == raftimpl.RoleLeader && st.Term > bestTerm {
			best, bestTerm = id, st.Term
		}
	}
	return best, best != 0
}

// Status returns a running member's Raft status.
func (c *Cluster) Status(id sim.NodeID) (raftimpl.Status, bool) {
	m := c.running(id)
	if m == nil {
		return raftimpl.Status{}, false
	}
	return m.node.Status(), true
}

// Applied returns how many entries members have applied in total.
func (c *Cluster) Applied() uint64 { return c.applied }

// Command encodes a client's request as a log entry, as members propose
// it; benchmarks use it to feed ProposeBatch.
func Command(client, seq uint64, req *mvcc.Request) []byte {
	return appendCommand(nil, command{client: client, seq: seq, payload: mvcc.AppendRequest(nil, req)})
}

// ProposeBatch proposes data on member id as a local client would, without
// a reply: benchmarks drive throughput with it. It returns the Raft node's
// error (raftimpl.ErrProposalDropped without a leader).
func (c *Cluster) ProposeBatch(id sim.NodeID, data [][]byte) error {
	m := c.running(id)
	if m == nil {
		return fmt.Errorf("cluster: member %s is not running", id)
	}
	m.touched = true
	defer m.handleReady()
	return m.node.ProposeBatch(data)
}
