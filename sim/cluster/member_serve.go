package cluster

import (
	"encoding/binary"
	"errors"

	"etcdsim/mvcc"
	"etcdsim/mvcc/etcdapi"
	"etcdsim/raftimpl"
	"etcdsim/sim"
)

// request is a client's call to a member. A client numbers its calls (seq)
// and each sending of one (attempt), so that a member can ignore a copy
// the network duplicated and a client can tell which attempt a refusal
// answers.
type request struct {
	seq     uint64
	attempt uint32
	// kv is a KV or lease request that goes through the log (a Range with
	// Serializable set is served from the member's own store, which may be
	// stale, as etcd's --consistency=s).
	kv *mvcc.Request
	// lease is a lease call answered by the leader's lessor, outside the
	// log (keep-alive, time-to-live), or by the member (leases).
	lease *leaseCall
	// maint is a Maintenance service call (member_maint.go).
	maint *maintCall
	// cluster is a Cluster service call (member_cluster.go).
	cluster *clusterCall
}

// response answers one request: resp, or a refusal in err. A refusal
// (ErrNoLeader, ErrRequestTooLarge, a validation error) means the request
// never reached the log, or (ErrNoSpace) reached it and was refused
// without effect; an error inside resp (resp.Err: compacted, lease not
// found, or ErrNoSpace for a write that crossed the quota and took effect)
// is the outcome of a request that did.
type response struct {
	seq     uint64
	attempt uint32
	resp    *mvcc.Response
	lease   *leaseResult
	maint   *maintResult
	cluster *clusterResult
	err     *etcdapi.Error
	// leader is the member's guess of the leader, 0 if none.
	leader sim.NodeID
}

// size approximates the response's bytes on the wire.
func (r *response) size() int {
	n := 32
	if r.resp != nil && r.resp.Range != nil {
		for _, kv := range r.resp.Range.Kvs {
			n += 32 + len(kv.Key) + len(kv.Value)
		}
	}
	return n
}

// serve starts one client request. Writes are proposed and answered when
// applied; linearizable reads wait for a read index (ReadIndex) and for the
// state machine to reach it; serializable reads are answered at once.
//
// A second copy of an attempt (a network duplicate) is ignored: if the
// first was refused, answering the copy again changes nothing, and if the
// first was proposed, refusing the copy would tell the client that a
// request in the log never happened. So is a late copy of an earlier call
// or attempt: its client has moved on, and serving it could apply a write
// the client was told was refused for a reason that has passed since
// (ErrNoSpace before an alarm was disarmed).
func (m *member) serve(from sim.NodeID, req *request) {
	client := uint64(from)
	if last, ok := m.served[client]; ok && !last.before(attemptKey{req.seq, req.attempt}) {
		return // a copy, or a late copy of an older call or attempt
	}
	m.served[client] = attemptKey{req.seq, req.attempt}
	if m.refuseLearner(from, req) { // member_cluster.go
		return
	}
	if req.cluster != nil {
		m.serveCluster(from, req, false)
		return
	}
	if req.lease != nil {
		m.serveLease(from, req)
		return
	}
	if req.maint != nil {
		m.serveMaintenance(from, req)
		return
	}
	if req.kv == nil {
		m.refuse(from, req, etcdapi.ErrEmptyKey)
		return
	}
	if err := m.kv.store.ValidateRequest(req.kv); err != nil {
		if errors.Is(err, etcdapi.ErrNoSpace) {
			m.raiseNoSpace() // member_maint.go
		}
		m.refuse(from, req, apiError(err))
		return
	}
	if r := req.kv.Range; r != nil {
		m.serveRange(from, req, r.Serializable)
		return
	}
	cmd := command{client: client, seq: req.seq, payload: mvcc.AppendRequest(nil, req.kv)}
	if err := m.node.Propose(appendCommand(nil, cmd)); err != nil {
		m.refuse(from, req, proposeError(err))
		return
	}
	m.writes[client] = req
}

func (m *member) serveRange(from sim.NodeID, req *request, serializable bool) {
	if serializable {
		m.answerRange(from, req)
		return
	}
	ctx := readContext(uint64(from), req.seq)
	if err := m.node.ReadIndex(ctx); err != nil {
		m.refuse(from, req, proposeError(err))
		return
	}
	m.reads[uint64(from)] = &pendingRead{req: req}
}

// answerRange serves a range from the member's store as it stands.
func (m *member) answerRange(to sim.NodeID, req *request) {
	if req.cluster != nil {
		m.answerMemberList(to, req) // a linearizable MemberList
		return
	}
	m.kv.store.SetTime(m.storeTime())
	rr, err := m.kv.store.Range(req.kv.Range)
	m.answerTo(to, req, &mvcc.Response{Range: rr, Err: err})
}

// attemptKey names one sending of one client request.
type attemptKey struct {
	seq     uint64
	attempt uint32
}

// before reports whether k was sent before o by the same client: a client
// numbers its calls and their attempts upwards.
func (k attemptKey) before(o attemptKey) bool {
	return k.seq < o.seq || k.seq == o.seq && k.attempt < o.attempt
}

// answerTo sends resp with this member's header: its id and Raft term. A
// write the capped applier refused while the NOSPACE alarm was raised took
// no effect, and its session slot is spent, so no copy of it can apply
// later: it is answered as the refusal it would have been before
// proposing. A write that crossed the quota when applied took effect and
// answers ErrNoSpace all the same (etcd's quotaApplierV3): it goes to the
// client as the store gave it, and the client records it as
// indeterminate.
func (m *member) answerTo(to sim.NodeID, req *request, resp *mvcc.Response) {
	if errors.Is(resp.Err, etcdapi.ErrNoSpace) && responseHeader(resp) == nil {
		m.refuse(to, req, etcdapi.ErrNoSpace) // the capped applier: nothing was written
		return
	}
	m.fillHeader(responseHeader(resp))
	m.reply(to, &response{seq: req.seq, attempt: req.attempt, resp: resp})
}

// fillHeader stamps a response header (nil: none) with this member's id,
// the cluster's and the member's Raft term, as etcd's header.fill does.
// Term and Lead are read directly: Status builds the whole configuration
// and, on a leader, every follower's progress, which a reply needs none of.
func (m *member) fillHeader(h *etcdapi.ResponseHeader) {
	if h != nil {
		h.MemberId, h.ClusterId, h.RaftTerm = uint64(m.p.ID()), clusterID, uint64(m.node.Term())
	}
}

// clusterID is the one cluster's id in every response header.
const clusterID = 0xe7cd5e

// responseHeader returns the header of the result resp carries, or nil.
func responseHeader(resp *mvcc.Response) *etcdapi.ResponseHeader {
	switch {
	case resp.Range != nil:
		return resp.Range.Header
	case resp.Put != nil:
		return resp.Put.Header
	case resp.DeleteRange != nil:
		return resp.DeleteRange.Header
	case resp.Txn != nil:
		return resp.Txn.Header
	case resp.Compaction != nil:
		return resp.Compaction.Header
	case resp.LeaseGrant != nil:
		return resp.LeaseGrant.Header
	case resp.LeaseRevoke != nil:
		return resp.LeaseRevoke.Header
	case resp.Alarm != nil:
		return resp.Alarm.Header
	}
	return nil
}

// refuse answers a request that never reached the log.
func (m *member) refuse(to sim.NodeID, req *request, err *etcdapi.Error) {
	m.reply(to, &response{seq: req.seq, attempt: req.attempt, err: err,
		leader: sim.NodeID(m.node.Lead())})
}

// proposeError is the etcd error for a proposal or read the Raft node
// turned down.
func proposeError(err error) *etcdapi.Error {
	if errors.Is(err, raftimpl.ErrEntryTooLarge) {
		return etcdapi.ErrRequestTooLarge
	}
	return etcdapi.ErrNoLeader
}

// apiError returns err as the etcd error it is, or ErrEmptyKey's kind of
// refusal for an error the API does not know (none is expected).
func apiError(err error) *etcdapi.Error {
	var e *etcdapi.Error
	if errors.As(err, &e) {
		return e
	}
	failf("validation returned %v, which is not an etcd error", err)
	return nil
}

func readContext(client, seq uint64) []byte {
	var ctx [16]byte
	binary.BigEndian.PutUint64(ctx[:8], client)
	binary.BigEndian.PutUint64(ctx[8:], seq)
	return ctx[:]
}

// noteReadStates records the read index granted to each pending read.
func (m *member) noteReadStates(states []raftimpl.ReadState) {
	for _, rs := range states {
		if len(rs.RequestCtx) != 16 {
			continue
		}
		client := binary.BigEndian.Uint64(rs.RequestCtx[:8])
		seq := binary.BigEndian.Uint64(rs.RequestCtx[8:])
		if r, ok := m.reads[client]; ok && r.req.seq == seq {
			r.index, r.ready = rs.Index, true
		}
	}
}

// serveReads answers the reads whose read index has been applied. Clients
// are visited in id order so that replies go out deterministically.
func (m *member) serveReads() {
	due := false
	for _, r := range m.reads { //det:ok only whether any is due is read
		if r.ready && m.applied >= r.index {
			due = true
			break
		}
	}
	if !due {
		return // most Ready rounds: sorting the clients would be wasted
	}
	for _, client := range sortedKeys(m.reads) {
		r := m.reads[client]
		if r.ready && m.applied >= r.index {
			delete(m.reads, client)
			m.answerRange(sim.NodeID(client), r.req)
		}
	}
}

// storeTime is the member's clock as the store's lease time.
func (m *member) storeTime() mvcc.Time { return mvcc.Time(m.p.Now()) }
