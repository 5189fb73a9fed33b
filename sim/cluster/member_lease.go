package cluster

import (
	"time"

	"etcdsim/mvcc"
	"etcdsim/mvcc/etcdapi"
	"etcdsim/raftimpl"
	"etcdsim/sim"
)

// Leases as etcd keeps them: grants and revocations go through the log and
// every member's store applies them; expiry is the leader's alone. The
// leader's store is the primary lessor: it counts each lease's TTL on the
// leader's clock, answers keep-alives, and when a lease runs out the
// leader proposes its revocation, which deletes its keys on every member.
// A new leader extends every lease by an election timeout, as etcd's
// Promote does, so that clients can find it and keep their leases alive.

// leaseCall is a lease request answered outside the log: exactly one field
// is set.
type leaseCall struct {
	KeepAlive  *etcdapi.LeaseKeepAliveRequest
	TimeToLive *etcdapi.LeaseTimeToLiveRequest
	Leases     *etcdapi.LeaseLeasesRequest
}

// leaseResult answers a leaseCall: the field matching the call's.
type leaseResult struct {
	KeepAlive  *etcdapi.LeaseKeepAliveResponse
	TimeToLive *etcdapi.LeaseTimeToLiveResponse
	Leases     *etcdapi.LeaseLeasesResponse
}

// leaseForward carries a client's keep-alive or time-to-live from a
// follower to the leader, as etcd's follower forwards them to the
// leader's lessor over the peer network.
type leaseForward struct {
	client  uint64
	seq     uint64
	attempt uint32
	call    *leaseCall
}

// leaseForwardReply is the leader's answer to a leaseForward.
type leaseForwardReply struct {
	client  uint64
	seq     uint64
	attempt uint32
	result  *leaseResult
	err     *etcdapi.Error
}

// expiredRetry is how long the leader waits before proposing an expired
// lease's revocation again, if the first has not applied (etcd's lessor
// retries every 3 s: expiredLeaseRetryInterval).
const expiredRetry = 3 * time.Second

// noteRole makes the store the primary lessor while this member leads.
func (m *member) noteRole(role raftimpl.Role) {
	switch {
	case role == raftimpl.RoleLeader && !m.leading:
		m.leading = true
		m.kv.store.SetTime(m.storeTime())
		m.kv.store.Promote(mvcc.Time(time.Duration(m.c.cfg.ElectionTicks) * m.c.cfg.TickInterval))
	case role != raftimpl.RoleLeader && m.leading:
		m.leading = false
		m.kv.store.Demote()
		clear(m.revoking)
	}
}

// revokeExpired proposes the revocation of every lease that ran out on the
// leader's clock, each at most once per expiredRetry. The history records
// each proposal as a revoke by a client of its own (Cluster.noteRevoke).
func (m *member) revokeExpired() {
	if !m.leading {
		return
	}
	now := m.p.Now()
	m.kv.store.SetTime(mvcc.Time(now))
	for _, id := range m.kv.store.ExpiredLeases() {
		if at, ok := m.revoking[int64(id)]; ok && now < at.Add(expiredRetry) {
			continue
		}
		req := &mvcc.Request{LeaseRevoke: &etcdapi.LeaseRevokeRequest{ID: int64(id)}}
		cmd := command{client: m.lessorClient(), payload: mvcc.AppendRequest(nil, req)}
		if err := m.node.Propose(appendCommand(nil, cmd)); err != nil {
			return // no longer leading; the next leader will find it expired
		}
		m.revoking[int64(id)] = now
		m.p.Logf("lease %v expired: revoking", id)
		m.c.noteRevoke(m.lessorClient(), int64(id), historyRequest(req))
	}
}

// lessorClientBase offsets the client ids of the lessors' own proposals
// from every node id; their seq is 0, which no session tracks. Each
// member's lessor has an id of its own, so that a member completes the
// history's records of its own proposals only: another leader may revoke
// the same lease.
const lessorClientBase = 1 << 40

func (m *member) lessorClient() uint64 { return lessorClientBase + uint64(m.p.ID()) }

// isLessorClient reports whether a command came from a member's lessor.
func isLessorClient(client uint64) bool { return client > lessorClientBase }

// serveLease answers a lease call: Leases from this member's store,
// keep-alives and time-to-live at the leader, forwarded there from a
// follower.
func (m *member) serveLease(from sim.NodeID, req *request) {
	if req.lease.Leases != nil {
		resp, err := m.kv.store.LeaseLeases()
		if err != nil {
			failf("LeaseLeases: %v", err)
		}
		m.answerLease(from, req, &leaseResult{Leases: resp})
		return
	}
	if m.leading {
		m.answerLease(from, req, m.leaseAtLeader(req.lease))
		return
	}
	lead := sim.NodeID(m.node.Lead())
	if lead == 0 {
		m.refuse(from, req, etcdapi.ErrNoLeader)
		return
	}
	m.forwards[uint64(from)] = req
	fwd := &leaseForward{client: uint64(from), seq: req.seq, attempt: req.attempt, call: req.lease}
	if err := m.p.Send(lead, fwd, 48); err != nil {
		m.p.Logf("forward lease call to %s: %v", lead, err)
	}
}

// leaseAtLeader runs a keep-alive or time-to-live on the primary lessor.
// A keep-alive for a lease that does not exist (or has run out) answers
// TTL 0, as etcd's LeaseKeepAlive stream does.
func (m *member) leaseAtLeader(call *leaseCall) *leaseResult {
	m.kv.store.SetTime(m.storeTime())
	if call.KeepAlive != nil {
		resp, err := m.kv.store.LeaseKeepAlive(call.KeepAlive)
		if err != nil {
			failf("LeaseKeepAlive on the leader: %v", err)
		}
		return &leaseResult{KeepAlive: resp}
	}
	resp, err := m.kv.store.LeaseTimeToLive(call.TimeToLive)
	if err != nil {
		failf("LeaseTimeToLive: %v", err)
	}
	return &leaseResult{TimeToLive: resp}
}

// serveLeaseForward answers a follower's forwarded lease call.
func (m *member) serveLeaseForward(from sim.NodeID, fwd *leaseForward) {
	reply := &leaseForwardReply{client: fwd.client, seq: fwd.seq, attempt: fwd.attempt}
	if m.leading {
		reply.result = m.leaseAtLeader(fwd.call)
	} else {
		reply.err = etcdapi.ErrNoLeader
	}
	if err := m.p.Send(from, reply, 48); err != nil {
		m.p.Logf("lease reply to %s: %v", from, err)
	}
}

// relayLease passes the leader's answer on to the client that asked.
func (m *member) relayLease(reply *leaseForwardReply) {
	req, ok := m.forwards[reply.client]
	if !ok || req.seq != reply.seq || req.attempt != reply.attempt {
		return // the client moved on, or a duplicate
	}
	delete(m.forwards, reply.client)
	if reply.err != nil {
		m.refuse(sim.NodeID(reply.client), req, reply.err)
		return
	}
	m.answerLease(sim.NodeID(reply.client), req, reply.result)
}

// answerLease sends a lease call's result with this member's header.
func (m *member) answerLease(to sim.NodeID, req *request, res *leaseResult) {
	var h *etcdapi.ResponseHeader
	switch {
	case res.KeepAlive != nil:
		h = res.KeepAlive.Header
	case res.TimeToLive != nil:
		h = res.TimeToLive.Header
	case res.Leases != nil:
		h = res.Leases.Header
	}
	m.fillHeader(h)
	m.reply(to, &response{seq: req.seq, attempt: req.attempt, lease: res})
}

// leaseOfCommand is the lease a lessor's revocation command names.
func leaseOfCommand(cmd command) int64 {
	req, err := mvcc.DecodeRequest(cmd.payload)
	if err != nil || req.LeaseRevoke == nil {
		failf("lessor command %x is not a revocation: %v", cmd.payload, err)
	}
	return req.LeaseRevoke.ID
}
