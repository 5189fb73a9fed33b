package cluster

import (
	"encoding/binary"
	"errors"

	"etcdsim/linearizability"
	"etcdsim/raftimpl"
	"etcdsim/sim"
)

// request is a client's operation sent to a member. A client numbers its
// operations (seq) and each sending of one (attempt), so that a member can
// ignore a copy the network duplicated and a client can tell which
// attempt a refusal answers.
type request struct {
	seq     uint64
	attempt uint32
	op      linearizability.KVInput
	// serializable reads are served from the member's local state, which
	// may be stale (etcd's --consistency=s).
	serializable bool
}

// response answers one request. A non-nil err means the operation had no
// effect: the member refused it before it could reach the log.
type response struct {
	seq     uint64
	attempt uint32
	out     linearizability.KVOutput
	err     error
	// leader is the member's guess of the leader, 0 if none.
	leader sim.NodeID
}

// Errors a member answers with. Each means the operation did not happen.
var (
	// errNoLeader: the member knows no leader to forward the request to.
	errNoLeader = errors.New("cluster: no leader")
	// errTooLarge: the write exceeds the entry size limit.
	errTooLarge = errors.New("cluster: request too large")
)

// serve starts one client request. Writes are proposed and answered when
// applied; linearizable reads wait for a read index (ReadIndex) and for the
// state machine to reach it; serializable reads are answered at once.
//
// A second copy of an attempt (a network duplicate) is ignored: if the
// first was refused, answering the copy again changes nothing, and if the
// first was proposed, refusing the copy would tell the client that an
// operation in the log never happened.
func (m *member) serve(from sim.NodeID, req *request) {
	client := uint64(from)
	if last, ok := m.served[client]; ok && last == (attemptKey{req.seq, req.attempt}) {
		return
	}
	m.served[client] = attemptKey{req.seq, req.attempt}
	if req.op.Kind == linearizability.KVGet {
		m.serveRead(from, req)
		return
	}
	cmd := command{client: client, seq: req.seq, op: req.op}
	if err := m.node.Propose(cmd.marshal()); err != nil {
		m.refuse(from, req, err)
		return
	}
	m.writes[client] = req.seq
}

func (m *member) serveRead(from sim.NodeID, req *request) {
	if req.serializable {
		m.reply(from, &response{seq: req.seq, out: m.kv.get(req.op.Key)})
		return
	}
	ctx := readContext(uint64(from), req.seq)
	if err := m.node.ReadIndex(ctx); err != nil {
		m.refuse(from, req, err)
		return
	}
	m.reads[uint64(from)] = &pendingRead{seq: req.seq, key: req.op.Key}
}

// attemptKey names one sending of one client operation.
type attemptKey struct {
	seq     uint64
	attempt uint32
}

// refuse answers a request that the Raft node turned down.
func (m *member) refuse(to sim.NodeID, req *request, err error) {
	resp := &response{seq: req.seq, attempt: req.attempt, err: errNoLeader,
		leader: sim.NodeID(m.node.Status().Lead)}
	if errors.Is(err, raftimpl.ErrEntryTooLarge) {
		resp.err = errTooLarge
	}
	m.reply(to, resp)
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
		if r, ok := m.reads[client]; ok && r.seq == seq {
			r.index, r.ready = rs.Index, true
		}
	}
}

// serveReads answers the reads whose read index has been applied. Clients
// are visited in id order so that replies go out deterministically.
func (m *member) serveReads() {
	if len(m.reads) == 0 {
		return
	}
	for _, client := range sortedKeys(m.reads) {
		r := m.reads[client]
		if r.ready && m.applied >= r.index {
			delete(m.reads, client)
			m.reply(sim.NodeID(client), &response{seq: r.seq, out: m.kv.get(r.key)})
		}
	}
}
