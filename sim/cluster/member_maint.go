package cluster

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"etcdsim/mvcc"
	"etcdsim/mvcc/etcdapi"
	"etcdsim/raftimpl"
	"etcdsim/sim"
)

// The Maintenance service as etcd v3.7.1 serves it
// (server/etcdserver/api/v3rpc/maintenance.go):
//
//   - Status, Defragment, Hash and HashKV are about the member called and
//     answered from its own state at once; a client names the endpoint.
//   - MoveLeader is accepted by the leader only (etcdapi.ErrNotLeader
//     elsewhere), for a voting member (ErrBadLeaderTransferee otherwise):
//     the leader asks Raft to hand over (raftimpl.Node.TransferLeadership)
//     and answers once it sees the target lead, or gives up after
//     moveLeaderElectionTimeouts (EtcdServer.MoveLeader,
//     server/etcdserver/server.go).
//   - Alarm is not here: a GET or DEACTIVATE is an mvcc.Request that goes
//     through the log like a write (etcd's EtcdServer.Alarm proposes every
//     action), so that every member lists and clears the same alarms.
//
// The NOSPACE alarm: a member raises its own by proposing
// AlarmRequest{ACTIVATE, NOSPACE, its ID} when its store refuses a write
// for the quota, before proposing (the API layer's check, etcd's
// quotaAlarmer in server/etcdserver/api/v3rpc/quota.go) or when applying
// (etcd's applyEntryNormal, server/etcdserver/server.go, which proposes it
// whenever an applied entry failed with ErrNoSpace and no NOSPACE alarm is
// raised yet). Once applied, every member's store refuses writes that cost
// quota (mvcc/alarm.go) until an operator compacts, defragments and
// disarms. A write refused for space before proposing, or by the capped
// applier, takes no effect and is refused with ErrNoSpace; one that
// crosses the quota when applied takes effect and answers ErrNoSpace all
// the same, as etcd's quotaApplierV3 (answerTo).

// maintCall is a Maintenance service call answered outside the log:
// exactly one field is set.
type maintCall struct {
	Status     *etcdapi.StatusRequest
	Defragment *etcdapi.DefragmentRequest
	Hash       *etcdapi.HashRequest
	HashKV     *etcdapi.HashKVRequest
	MoveLeader *etcdapi.MoveLeaderRequest
}

// maintResult answers a maintCall: the field matching the call's.
type maintResult struct {
	Status     *etcdapi.StatusResponse
	Defragment *etcdapi.DefragmentResponse
	Hash       *etcdapi.HashResponse
	HashKV     *etcdapi.HashKVResponse
	MoveLeader *etcdapi.MoveLeaderResponse
}

// maintState is a member incarnation's Maintenance state, volatile as
// etcd's: a restart forgets the calls waiting here.
type maintState struct {
	// moves holds, per client, the MoveLeader call waiting for its target
	// to lead. One call per client bounds it.
	moves map[uint64]*pendingMove
	// alarmAt is when this member last proposed its NOSPACE alarm, if
	// alarmProposed; it proposes again only alarmRetry later.
	alarmAt       sim.Time
	alarmProposed bool
	// raiseDue asks serveMaint to propose the alarm (noteNoSpace).
	raiseDue bool
}

// pendingMove is a MoveLeader call the leader accepted.
type pendingMove struct {
	req    *request
	target raftimpl.NodeID
	// giveUp is when the member answers ErrTimeoutLeaderTransfer.
	giveUp sim.Time
}

const (
	// moveLeaderElectionTimeouts bounds a leadership transfer, in election
	// timeouts: Raft aborts one after an election timeout, and one more is
	// enough for the old leader to hear of the new. etcd waits on the
	// client's context instead, which a member here cannot see.
	moveLeaderElectionTimeouts = 2
	// alarmRetry is how long a member waits before proposing its NOSPACE
	// alarm again when the last proposal has not applied (it may have been
	// lost with a leader). etcd proposes it on every refused write.
	alarmRetry = time.Second
)

// serveMaintenance answers a Maintenance service call.
func (m *member) serveMaintenance(from sim.NodeID, req *request) {
	call := req.maint
	switch {
	case call.Status != nil:
		m.answerMaint(from, req, &maintResult{Status: m.status()})
	case call.Defragment != nil:
		m.defragment(from, req)
	case call.Hash != nil:
		resp, err := m.kv.store.Hash()
		if err != nil {
			failf("%s: Hash: %v", m.p.ID(), err) // only a closed store fails
		}
		m.answerMaint(from, req, &maintResult{Hash: resp})
	case call.HashKV != nil:
		resp, err := m.kv.store.HashKV(call.HashKV.Revision)
		if err != nil {
			m.refuse(from, req, apiError(err)) // compacted or future
			return
		}
		m.answerMaint(from, req, &maintResult{HashKV: resp})
	case call.MoveLeader != nil:
		m.moveLeader(from, req, raftimpl.NodeID(call.MoveLeader.TargetID))
	default:
		m.refuse(from, req, etcdapi.ErrEmptyKey) // an empty call, as serve refuses one
	}
}

// status is the member's StatusResponse. DbSize is the bbolt file's size
// (the logical size on the memory backend, which has no file); DbSizeInUse
// is the logical size the quota counts (Store.Size). Errors names a
// missing leader and every raised alarm as etcd does, an alarm in
// AlarmMember's text form.
func (m *member) status() *etcdapi.StatusResponse {
	st := m.node.Status()
	store := m.kv.store
	resp := &etcdapi.StatusResponse{Header: &etcdapi.ResponseHeader{},
		Version: m.etcdVersion(), Leader: uint64(st.Lead), RaftIndex: uint64(st.Commit),
		RaftTerm: uint64(st.Term), RaftAppliedIndex: uint64(m.applied),
		DbSize: store.FileBytes(), DbSizeInUse: store.Size(),
		IsLearner:   slices.Contains(st.ConfState.Learners, raftimpl.NodeID(m.p.ID())),
		DbSizeQuota: m.c.cfg.Store.QuotaBackendBytes}
	if resp.DbSize == 0 {
		resp.DbSize = resp.DbSizeInUse
	}
	if resp.DbSizeQuota == 0 {
		resp.DbSizeQuota = mvcc.DefaultQuotaBackendBytes
	}
	if st.Lead == 0 {
		resp.Errors = append(resp.Errors, etcdapi.ErrNoLeader.Error())
	}
	for _, a := range store.Alarms() {
		resp.Errors = append(resp.Errors, fmt.Sprintf("memberID:%d alarm:%v", a.MemberID, a.Alarm))
	}
	return resp
}

// etcdVersion is the etcd release line the member's store follows.
func (m *member) etcdVersion() string {
	if v := m.c.cfg.Store.EtcdVersion; v != "" {
		return v
	}
	return mvcc.EtcdVersion37
}

// defragment rewrites the member's own store (etcd defragments one
// member's backend, not the cluster's). On bbolt it compacts the file; on
// the memory backend, which has no free pages, it only answers. The
// answer has no header, as etcd's. A failed defragmentation leaves the
// store closed: the member stops on it.
func (m *member) defragment(from sim.NodeID, req *request) {
	before := m.kv.store.FileBytes()
	if err := m.kv.store.Defrag(); err != nil {
		m.stop(fmt.Errorf("%s: defragment: %w", m.p.ID(), err))
		return
	}
	m.p.Logf("defragmented: %d -> %d file bytes", before, m.kv.store.FileBytes())
	m.answerMaint(from, req, &maintResult{Defragment: &etcdapi.DefragmentResponse{}})
}

// moveLeader starts a leadership transfer to target, which answers when
// the target leads (serveMoves).
func (m *member) moveLeader(from sim.NodeID, req *request, target raftimpl.NodeID) {
	st := m.node.Status()
	if st.Role != raftimpl.RoleLeader {
		m.refuse(from, req, etcdapi.ErrNotLeader)
		return
	}
	if !slices.Contains(st.ConfState.Voters, target) {
		m.refuse(from, req, etcdapi.ErrBadLeaderTransferee) // no such member, or a learner
		return
	}
	if err := m.node.TransferLeadership(target); err != nil {
		m.refuse(from, req, etcdapi.ErrBadLeaderTransferee)
		return
	}
	if m.maint.moves == nil {
		m.maint.moves = map[uint64]*pendingMove{}
	}
	bound := time.Duration(moveLeaderElectionTimeouts*m.c.cfg.ElectionTicks) * m.c.cfg.TickInterval
	m.maint.moves[uint64(from)] = &pendingMove{req: req, target: target,
		giveUp: m.p.Now().Add(bound)}
	m.p.Logf("moving leadership to %v for %s", target, from)
}

// serveMoves answers the MoveLeader calls whose target now leads, and
// those that ran out of time. It runs after every Ready loop (and so every
// tick); clients are visited in id order.
func (m *member) serveMoves() {
	if len(m.maint.moves) == 0 || !m.healthy() {
		return
	}
	lead, now := m.node.Lead(), m.p.Now()
	for _, client := range sortedKeys(m.maint.moves) {
		mv := m.maint.moves[client]
		switch {
		case lead == mv.target:
			delete(m.maint.moves, client)
			m.answerMaint(sim.NodeID(client), mv.req,
				&maintResult{MoveLeader: &etcdapi.MoveLeaderResponse{}})
		case now >= mv.giveUp:
			delete(m.maint.moves, client)
			m.refuse(sim.NodeID(client), mv.req, etcdapi.ErrTimeoutLeaderTransfer)
		}
	}
}

// answerMaint sends a Maintenance result with this member's header:
// its id, the cluster's, its Raft term and its store's revision (etcd's
// header.fill). Defragment and MoveLeader answer without a header, as
// etcd's do.
func (m *member) answerMaint(to sim.NodeID, req *request, res *maintResult) {
	var h *etcdapi.ResponseHeader
	switch {
	case res.Status != nil:
		h = res.Status.Header
	case res.Hash != nil:
		h = res.Hash.Header
	case res.HashKV != nil:
		h = res.HashKV.Header
	}
	if h != nil {
		m.fillHeader(h)
		if h.Revision == 0 {
			h.Revision = m.kv.store.Rev()
		}
	}
	m.reply(to, &response{seq: req.seq, attempt: req.attempt, maint: res})
}

// noteNoSpace asks for this member's NOSPACE alarm when an applied write
// failed for space while no NOSPACE alarm was raised (etcd's
// applyEntryNormal does so on every member that applied it). It runs
// between Ready and Advance, when Raft takes no proposal: serveMaint
// proposes it. While replaying its log after a restart a member knows no
// leader yet, so the proposal is dropped; a member catching up a long log
// may raise an alarm again that was disarmed later in the log, as etcd's
// would.
func (m *member) noteNoSpace(result any) {
	resp, ok := result.(*mvcc.Response)
	if ok && errors.Is(resp.Err, etcdapi.ErrNoSpace) && !m.noSpaceRaised(0) {
		m.maint.raiseDue = true
	}
}

// serveMaint runs after the Ready loop: it proposes the NOSPACE alarm an
// applied write asked for and drains the Ready that makes (once: raiseDue
// is clear by then), then answers the MoveLeader calls that are over.
func (m *member) serveMaint() {
	if m.maint.raiseDue && m.healthy() {
		m.maint.raiseDue = false
		m.raiseNoSpace()
		m.handleReady()
		return // handleReady served the moves
	}
	m.serveMoves()
}

// noSpaceRaised reports whether member id's NOSPACE alarm is raised in
// this member's store, or any member's for id 0.
func (m *member) noSpaceRaised(id uint64) bool {
	for _, a := range m.kv.store.Alarms() {
		if a.Alarm == etcdapi.AlarmType_NOSPACE && (id == 0 || a.MemberID == id) {
			return true
		}
	}
	return false
}

// raiseNoSpace proposes this member's NOSPACE alarm through the log,
// unless its store shows it raised or a proposal is less than alarmRetry
// old. The command has the member's own id as client and seq 0, so no
// session drops it and no client waits for it.
func (m *member) raiseNoSpace() {
	now := m.p.Now()
	if m.noSpaceRaised(uint64(m.p.ID())) ||
		m.maint.alarmProposed && now < m.maint.alarmAt.Add(alarmRetry) {
		return
	}
	req := &mvcc.Request{Alarm: &etcdapi.AlarmRequest{Action: etcdapi.AlarmRequest_ACTIVATE,
		MemberID: uint64(m.p.ID()), Alarm: etcdapi.AlarmType_NOSPACE}}
	cmd := command{client: uint64(m.p.ID()), payload: mvcc.AppendRequest(nil, req)}
	if err := m.node.Propose(appendCommand(nil, cmd)); err != nil {
		m.p.Logf("quota exceeded; proposing the NOSPACE alarm: %v", err)
		return
	}
	m.maint.alarmProposed, m.maint.alarmAt = true, now
	m.p.Logf("quota exceeded: raising the NOSPACE alarm")
}
