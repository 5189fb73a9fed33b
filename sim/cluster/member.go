package cluster

import (
	"fmt"

	"etcdsim/mvcc"
	"etcdsim/mvcc/etcdapi"
	"etcdsim/raftimpl"
	"etcdsim/raftimpl/wal"
	"etcdsim/sim"
)

// Timer tags of a member.
const tagTick = 1

// readyRoundsMax bounds the Ready rounds one event may cause; Raft settles
// in a few, so reaching it means a loop in the host or the protocol.
const readyRoundsMax = 1000

// member is one cluster member for one incarnation: a Raft node, its WAL on
// the node's simulated disk, and the state machine (an mvcc store behind
// the sessions). Everything here is volatile except what the WAL holds.
type member struct {
	c       *Cluster
	p       *sim.Proc
	node    *raftimpl.Node
	storage *raftimpl.MemoryStorage
	wal     *wal.WAL
	// sm applies the log; kv is the store behind it, which the services
	// read, watch and ask about leases.
	sm *sessions
	kv *mvccMachine
	// watch is the Watch service: the streams clients opened here (watch.go).
	watch watchServer
	// applied is the index of the last entry applied to sm.
	// Invariant: applied <= the node's commit index (without planted bugs).
	applied raftimpl.LogIndex
	// snapIndex is the index of the member's latest snapshot.
	snapIndex raftimpl.LogIndex
	// writes holds, per client, the request this member proposed and must
	// answer when it applies it. One outstanding op per client bounds it.
	writes map[uint64]*request
	// reads holds the linearizable reads waiting for a read index and for
	// applied to reach it, one per client.
	reads map[uint64]*pendingRead
	// served is the last attempt each client sent here, to drop copies.
	served map[uint64]attemptKey
	// leading is set while this member leads and its store is the primary
	// lessor; revoking holds when it last proposed each expired lease's
	// revocation; forwards holds, per client, the lease call this member
	// forwarded to the leader.
	leading  bool
	revoking map[int64]sim.Time
	forwards map[uint64]*request
	// maint is the Maintenance service's state (member_maint.go).
	maint maintState
	// clus is the Cluster service's state (member_cluster.go).
	clus clusterState
	// fatal is set when the member stopped on an error (a corrupt WAL).
	fatal error
	// touched marks a member that ran since the observer last looked.
	touched bool
}

type pendingRead struct {
	req   *request
	index raftimpl.LogIndex
	ready bool // a ReadState has set index
}

func newMember(c *Cluster, p *sim.Proc) *member {
	return &member{c: c, p: p, writes: map[uint64]*request{}, reads: map[uint64]*pendingRead{},
		served: map[uint64]attemptKey{}, revoking: map[int64]sim.Time{},
		forwards: map[uint64]*request{}}
}

// Start recovers from the WAL and starts the tick timer. A WAL that cannot
// be replayed stops the member for good: its error names file and offset.
func (m *member) Start() {
	m.touched = true
	if err := m.recover(); err != nil {
		m.stop(err)
		return
	}
	m.armTick()
}

func (m *member) recover() error {
	w, st, err := wal.Open(walDir{m.p.Disk()})
	if err != nil {
		return fmt.Errorf("%s: %w", m.p.ID(), err)
	}
	storage, err := st.Storage()
	if err != nil {
		return fmt.Errorf("%s: %w", m.p.ID(), err)
	}
	snap := storage.Snapshot()
	kv, err := newMVCCMachine(m.c.cfg.Store, m.c.storePath(m.p.ID()))
	if err != nil {
		return fmt.Errorf("%s: %w", m.p.ID(), err)
	}
	m.kv = kv // so that the next incarnation can abandon it, whatever happens next
	sm := newSessions(kv)
	sm.members = newMemberList(m.c.cfg.Members) // the bootstrap membership
	restore := sm.restore
	if kv.appliedIndex() >= snap.Metadata.Index {
		restore = sm.restoreSessions // the store's file is at or past the snapshot
	}
	if err := restore(snap.Data); err != nil {
		return fmt.Errorf("%s: snapshot at %v: %w", m.p.ID(), snap.Metadata.Index, err)
	}
	cfg := m.c.raftConfig(m.p)
	node, err := raftimpl.New(cfg, storage)
	if err != nil {
		return fmt.Errorf("%s: %w", m.p.ID(), err)
	}
	m.wal, m.storage, m.sm, m.kv, m.node = w, storage, sm, kv, node
	m.applied, m.snapIndex = snap.Metadata.Index, snap.Metadata.Index
	m.p.Logf("recovered: term %v commit %v snapshot %v last %v",
		storage.HardState().Term, storage.HardState().Commit, snap.Metadata.Index, storage.LastIndex())
	return nil
}

// healthy reports whether this incarnation is running and has not stopped
// on an error.
func (m *member) healthy() bool {
	return m.p.Up() && m.fatal == nil && m.node != nil && !m.removedSelf()
}

// catch turns a panic inside the member (an assertion in raftimpl, such as
// a commit index past the end of a log that a planted bug truncated) into
// the member stopping with an error, which the cluster reports as a
// violation of the run: a sweep then names the seed instead of dying.
// Without planted bugs any such stop is a bug in etcdsim, and fails the run
// just the same.
func (m *member) catch() {
	if r := recover(); r != nil {
		m.stop(fmt.Errorf("%s panicked: %v", m.p.ID(), r))
	}
}

func (m *member) stop(err error) {
	m.fatal = err
	m.p.Logf("stopped: %v", err)
	m.c.memberFailed(m.p.ID(), err)
}

func (m *member) armTick() {
	if _, err := m.p.SetTimer(m.c.cfg.TickInterval, tagTick); err != nil {
		m.stop(err)
	}
}

// Fire ticks the Raft node.
func (m *member) Fire(uint64) {
	if m.fatal != nil || m.removedSelf() {
		return
	}
	m.touched = true
	defer m.catch()
	m.node.Tick()
	m.revokeExpired()
	m.maybePublish()
	m.handleReady()
	m.armTick()
}

// Receive steps a Raft message or serves a client request.
func (m *member) Receive(from sim.NodeID, msg any) {
	if m.fatal != nil || m.removedSelf() {
		// A member that stopped on an error (or was removed) answers nothing but that it
		// is stopped, as a client of a dead etcd process finds its
		// connection refused; the client tries another member.
		if req, ok := msg.(*request); ok {
			m.reply(from, &response{seq: req.seq, attempt: req.attempt, err: etcdapi.ErrStopped})
		}
		return
	}
	m.touched = true
	defer m.catch()
	switch msg := msg.(type) {
	case *envelope:
		if !m.peerMessage(from) { // member_cluster.go: a removed member's is dropped
			m.c.envelopes.put(msg)
			break
		}
		err := m.node.Step(msg.msg) // a copy: the envelope can go back
		if err != nil {
			m.p.Logf("step %v from %s: %v", msg.msg.Type, from, err)
		}
		m.c.envelopes.put(msg)
	case *request:
		m.serve(from, msg)
	case *watchRequestMsg:
		m.serveWatch(from, msg)
	case *leaseForward:
		m.serveLeaseForward(from, msg)
	case *leaseForwardReply:
		m.relayLease(msg)
	case *clusterForward:
		m.serveForwarded(msg)
	case *removedNotice:
		m.noteRemoved(from)
	default:
		m.p.Logf("unexpected message %T from %s", msg, from)
	}
	m.handleReady()
}

// handleReady drains the node's Readies through raftimpl's one Ready loop
// (Node.HandleReady: persist, send, apply, advance), then serves the reads
// and takes the snapshots that the applied entries made due.
func (m *member) handleReady() {
	for round := 0; ; round++ {
		if round == readyRoundsMax {
			m.stop(fmt.Errorf("cluster: %s: Ready did not settle in %d rounds", m.p.ID(), readyRoundsMax))
			return
		}
		handled, err := m.node.HandleReady(m)
		if err != nil {
			m.stop(err)
			return
		}
		if !handled {
			break
		}
		m.serveReads()
		m.maybeSnapshot()
	}
	m.serveMaint()
}

// Apply is the member's part of raftimpl.Host: it installs a snapshot
// from the leader, notes a change of role, applies the committed entries,
// feeds the watchers and records read indexes.
func (m *member) Apply(rd *raftimpl.Ready) error {
	if !rd.Snapshot.IsEmpty() {
		if err := m.installSnapshot(rd.Snapshot); err != nil {
			return err
		}
	}
	if rd.SoftState != nil {
		m.noteRole(rd.SoftState.Role)
		m.c.noteSoftState(m.p.ID(), *rd.SoftState)
	}
	m.apply(rd.CommittedEntries)
	m.notifyWatches()
	m.noteReadStates(rd.ReadStates)
	return nil
}

// Persist is the member's part of raftimpl.Host: the WAL on its disk.
func (m *member) Persist(rd *raftimpl.Ready) error {
	if !rd.Snapshot.IsEmpty() {
		if err := m.wal.SaveSnapshot(rd.Snapshot); err != nil {
			return fmt.Errorf("%s: %w", m.p.ID(), err)
		}
	}
	if err := m.wal.Save(rd.HardState, rd.Entries, rd.MustSync); err != nil {
		return fmt.Errorf("%s: %w", m.p.ID(), err)
	}
	return nil
}

// Send is the member's part of raftimpl.Host: it copies each message out
// of the Ready (the node reuses its array after Advance) into an envelope. Entries and snapshots are shared, never
// modified (raftimpl.Message), so they travel without a copy.
func (m *member) Send(msgs []raftimpl.Message) {
	for i := range msgs {
		env := m.c.envelopes.get()
		env.msg = msgs[i]
		msg := &env.msg
		size := 64
		for j := range msg.Entries {
			size += 24 + len(msg.Entries[j].Data)
		}
		if msg.Snapshot != nil {
			size += len(msg.Snapshot.Data)
		}
		if err := m.p.Send(sim.NodeID(msg.To), env, size); err != nil {
			m.p.Logf("send to %v: %v", msg.To, err)
		}
	}
}

func (m *member) installSnapshot(snap raftimpl.Snapshot) error {
	if err := m.sm.restore(snap.Data); err != nil {
		return fmt.Errorf("%s: snapshot at %v: %w", m.p.ID(), snap.Metadata.Index, err)
	}
	m.applied, m.snapIndex = snap.Metadata.Index, snap.Metadata.Index
	m.p.Logf("installed snapshot at %v", snap.Metadata.Index)
	return nil
}

// apply runs committed entries on the state machine and answers the
// clients whose requests this member proposed.
func (m *member) apply(ents []raftimpl.Entry) {
	m.kv.store.SetTime(m.storeTime())
	for i := range ents {
		e := &ents[i]
		if e.Index <= m.applied {
			continue // already in the snapshot
		}
		if e.Index != m.applied+1 {
			failf("%s: applying %v after %v", m.p.ID(), e.Index, m.applied)
		}
		m.applied = e.Index
		m.c.applied++
		revBefore := m.kv.store.Rev()
		cmd, result, applied, err := m.sm.apply(e)
		if e.Type == raftimpl.EntryConfChange {
			m.noteConfChange(e) // member_cluster.go
		}
		if err != nil {
			m.p.Logf("%v", err)
			continue
		}
		if !applied {
			continue
		}
		m.noteNoSpace(result)
		if isLessorClient(cmd.client) {
			m.c.resolveRevoke(cmd.client, leaseOfCommand(cmd), e.Index, result.(*mvcc.Response),
				m.kv.store.Rev() != revBefore)
			continue
		}
		if req, ok := m.writes[cmd.client]; ok && req.seq == cmd.seq {
			delete(m.writes, cmd.client)
			m.answerTo(sim.NodeID(cmd.client), req, result.(*mvcc.Response))
		}
	}
}

// maybeSnapshot takes a snapshot every SnapshotEvery applied entries and
// compacts the log and the WAL behind it, keeping SnapshotCatchUp entries
// for followers that lag a little.
func (m *member) maybeSnapshot() {
	every := m.c.cfg.SnapshotEvery
	if every == 0 || m.applied < m.snapIndex+raftimpl.LogIndex(every) {
		return
	}
	at := m.applied
	data, err := m.sm.snapshot()
	if err != nil {
		m.stop(fmt.Errorf("%s: snapshot at %v: %w", m.p.ID(), at, err))
		return
	}
	snap, err := m.storage.CreateSnapshot(at, m.node.Status().ConfState, data)
	if err != nil {
		m.stop(fmt.Errorf("%s: snapshot at %v: %w", m.p.ID(), at, err))
		return
	}
	m.snapIndex = at
	if keep := raftimpl.LogIndex(m.c.cfg.SnapshotCatchUp); at > keep {
		if err := m.storage.Compact(at - keep); err != nil {
			m.p.Logf("compact log to %v: %v", at-keep, err)
		}
	}
	ents, err := m.storage.Entries(at+1, m.storage.LastIndex()+1, ^uint64(0))
	if err != nil && m.storage.LastIndex() > at {
		m.stop(fmt.Errorf("%s: entries after snapshot: %w", m.p.ID(), err))
		return
	}
	if err := m.wal.Compact(snap, m.storage.HardState(), ents); err != nil {
		m.stop(fmt.Errorf("%s: %w", m.p.ID(), err))
		return
	}
	m.p.Logf("snapshot at %v", at)
}

// reply sends a response to a client.
func (m *member) reply(to sim.NodeID, r *response) {
	if err := m.p.Send(to, r, r.size()); err != nil {
		m.p.Logf("reply to %s: %v", to, err)
	}
}

// envelope carries one Raft message through the simulated network. The
// receiver returns it to the pool once Step has copied the message out, so
// that steady traffic allocates no messages. It is a sim.Cloner: each
// duplicate of a message travels in an envelope of its own.
type envelope struct {
	msg  raftimpl.Message
	pool *envelopePool
}

func (e *envelope) Clone() any {
	c := e.pool.get()
	c.msg = e.msg
	return c
}

// envelopePool is a free list of envelopes. Envelopes of messages the
// network loses are not returned; the GC takes them.
type envelopePool struct {
	free []*envelope
}

func (p *envelopePool) get() *envelope {
	if n := len(p.free); n > 0 {
		e := p.free[n-1]
		p.free = p.free[:n-1]
		return e
	}
	return &envelope{pool: p}
}

// put takes e back, dropping what its message referenced for the GC.
func (p *envelopePool) put(e *envelope) {
	e.msg.Entries, e.msg.Snapshot, e.msg.Context = nil, nil, nil
	p.free = append(p.free, e)
}
