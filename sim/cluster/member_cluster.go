package cluster

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"time"

	"etcdsim/mvcc/etcdapi"
	"etcdsim/raftimpl"
	"etcdsim/sim"
)

// The Cluster service as etcd v3.7.1 serves it (server/etcdserver/api/
// v3rpc/member.go, server/etcdserver/server.go AddMember, RemoveMember,
// PromoteMember, UpdateMember, MemberList):
//
//   - MemberAdd, MemberRemove, MemberPromote and MemberUpdate are Raft
//     configuration changes (raftimpl.ConfChange, whose Context carries
//     the member's attributes and who waits for the answer); the member
//     that proposed one answers when it applies it, with the membership
//     after it. MemberAdd only changes the configuration: the new
//     member's process is started by the harness (Cluster.StartMember)
//     and, once it runs, publishes its name and client URLs through the
//     log (etcd's publishV3); until then it is not "started".
//   - A follower forwards a change to the leader, which validates and
//     proposes it and answers the client itself. etcd validates a change
//     when applying it (RaftCluster.ValidateConfigurationChange) and has
//     Raft skip a refused one; raftimpl applies every committed change, so
//     here the leader validates BEFORE proposing, against its applied
//     membership. That is the membership the change will apply to: Raft
//     accepts a change at the leader only when every change in its log is
//     applied (pendingConfIndex), and log matching gives every member the
//     same prefix before it.
//   - The strict reconfiguration checks (--strict-reconfig-check, on by
//     default) run first, as etcd's mayAddMember, mayRemoveMember and
//     mayPromoteMember do: a voter may be added, removed or promoted only
//     if enough members are started (ErrMemberNotEnoughStarted) and the
//     leader has been connected to a quorum for HealthInterval
//     (ErrUnhealthy). A promotion needs the learner's match index within
//     10% of the leader's (isLearnerReady's readyPercentThreshold 0.9,
//     compared in integers).
//   - One change at a time: while one is unapplied Raft refuses another
//     (raftimpl.ErrConfChangePending). etcd's Raft turns such a proposal
//     into an empty entry, and the server waits for an application that
//     never comes, so the client's call ends at its deadline; here the
//     member answers nothing, and the client ends with
//     ErrDeadlineExceeded, knowing that nothing changed.
//   - MemberList answers from the member's applied membership; with
//     Linearizable, after a read index, as a linearizable range.
//   - A learner serves only Status and serializable ranges (v3rpc's
//     isRPCSupportedForLearner); anything else gets
//     ErrNotSupportedForLearner.
//   - A removed member stops: it answers every request ErrStopped, ticks
//     no more, and members drop Raft messages from removed IDs (etcd's
//     transport removes the peer, and the removed member shuts down).

// clusterCall is a Cluster service call: exactly one field is set.
type clusterCall struct {
	Add     *etcdapi.MemberAddRequest
	Remove  *etcdapi.MemberRemoveRequest
	Update  *etcdapi.MemberUpdateRequest
	List    *etcdapi.MemberListRequest
	Promote *etcdapi.MemberPromoteRequest
}

// clusterResult answers a clusterCall: the field matching the call's.
type clusterResult struct {
	Add     *etcdapi.MemberAddResponse
	Remove  *etcdapi.MemberRemoveResponse
	Update  *etcdapi.MemberUpdateResponse
	List    *etcdapi.MemberListResponse
	Promote *etcdapi.MemberPromoteResponse
}

// clusterForward carries a client's membership change from a follower to
// the leader, which answers the client directly.
type clusterForward struct {
	client sim.NodeID
	req    *request
}

// clusterState is a member incarnation's Cluster service state, volatile
// as etcd's: a restart forgets the calls waiting here.
type clusterState struct {
	// waits holds, per client, the change this member proposed and must
	// answer when it applies it. One call per client bounds it; a change
	// lost with a leader stays until its client's next change.
	waits map[uint64]*request
	// peers is what this member heard of each member, for the
	// connectivity checks (etcd's transport ActiveSince).
	peers [clientIDBase]peerLink
	// publishedAt is when this member last proposed its attributes.
	publishedAt sim.Time
	published   bool
	// gone is set when a member told this one it was removed (a removed
	// member that lost the commit of its removal to a crash).
	gone bool
}

// removedNotice tells a member that sent a Raft message that it was
// removed: etcd's peer handler answers such a member 410 Gone, and it
// stops (rafthttp ErrMemberRemoved).
type removedNotice struct{}

// noteRemoved stops this member on a peer's word that it was removed.
func (m *member) noteRemoved(from sim.NodeID) {
	if !m.clus.gone {
		m.clus.gone = true
		m.p.Logf("%s says this member was removed: stopping", from)
	}
}

// peerLink is the connectivity of one peer as etcd's transport sees it:
// active since when, and last heard when.
type peerLink struct {
	since, last sim.Time
	up          bool
}

const (
	// healthInterval is etcd's HealthInterval: a peer counts as
	// connected for a reconfiguration only after this long.
	healthInterval = 5 * time.Second
	// memberAttrClient is the command client of published attributes
	// (seq 0: no session).
	memberAttrClient = 1 << 39
	// changeContextVersion versions a configuration change's Context.
	changeContextVersion = 1
)

// noteConfChange runs when this member applies a configuration change: it
// answers the client waiting for it here, with the membership after it.
func (m *member) noteConfChange(e *raftimpl.Entry) {
	cc, err := raftimpl.UnmarshalConfChange(e.Data)
	if err != nil {
		return
	}
	ch, err := decodeMemberChange(cc.Context)
	if err != nil || ch.proposer != uint64(m.p.ID()) {
		return
	}
	req, ok := m.clus.waits[ch.client]
	if !ok || req.seq != ch.seq {
		return
	}
	delete(m.clus.waits, ch.client)
	h := m.clusterHeader()
	members := m.sm.members.list()
	res := &clusterResult{}
	switch call := req.cluster; {
	case call.Add != nil:
		res.Add = &etcdapi.MemberAddResponse{Header: h, Members: members,
			Member: &etcdapi.Member{ID: uint64(cc.NodeID), PeerURLs: slices.Clone(call.Add.PeerURLs),
				IsLearner: call.Add.IsLearner}}
	case call.Remove != nil:
		res.Remove = &etcdapi.MemberRemoveResponse{Header: h, Members: members}
	case call.Update != nil:
		res.Update = &etcdapi.MemberUpdateResponse{Header: h, Members: members}
	case call.Promote != nil:
		res.Promote = &etcdapi.MemberPromoteResponse{Header: h, Members: members}
	}
	m.p.Logf("applied %v for %s", cc, sim.NodeID(ch.client))
	m.reply(sim.NodeID(ch.client), &response{seq: req.seq, attempt: req.attempt, cluster: res})
}

// clusterHeader is etcd's ClusterServer.header: cluster, member, term.
func (m *member) clusterHeader() *etcdapi.ResponseHeader {
	h := &etcdapi.ResponseHeader{}
	m.fillHeader(h)
	return h
}

// serveCluster answers a Cluster service call: a list here, a change at
// the leader (forwarded there once by a follower).
func (m *member) serveCluster(from sim.NodeID, req *request, forwarded bool) {
	call := req.cluster
	if call.List != nil {
		m.serveMemberList(from, req)
		return
	}
	if m.node.Role() != raftimpl.RoleLeader {
		lead := sim.NodeID(m.node.Lead())
		if lead == 0 || forwarded {
			m.refuse(from, req, etcdapi.ErrNoLeader)
			return
		}
		if err := m.p.Send(lead, &clusterForward{client: from, req: req}, requestSize(req)); err != nil {
			m.p.Logf("forward to %s: %v", lead, err)
		}
		return
	}
	cc, err := m.validateChange(from, req)
	if err != nil {
		m.refuse(from, req, err)
		return
	}
	switch err := m.node.ProposeConfChange(cc); {
	case errors.Is(err, raftimpl.ErrConfChangePending):
		m.p.Logf("%v for %s: %v; no answer, as etcd's", cc, from, err)
		return
	case err != nil:
		m.refuse(from, req, proposeError(err))
		return
	}
	if m.clus.waits == nil {
		m.clus.waits = map[uint64]*request{}
	}
	m.clus.waits[uint64(from)] = req
	m.p.Logf("proposed %v for %s", cc, from)
}

// serveForwarded serves a change a follower forwarded, once: the network
// may duplicate the forward, and a change must not be proposed twice.
func (m *member) serveForwarded(fwd *clusterForward) {
	client, key := uint64(fwd.client), attemptKey{fwd.req.seq, fwd.req.attempt}
	if last, ok := m.served[client]; ok && !last.before(key) {
		return
	}
	m.served[client] = key
	m.serveCluster(fwd.client, fwd.req, true)
}

// serveMemberList answers at once, or after a read index.
func (m *member) serveMemberList(from sim.NodeID, req *request) {
	if !req.cluster.List.Linearizable {
		m.answerMemberList(from, req)
		return
	}
	if err := m.node.ReadIndex(readContext(uint64(from), req.seq)); err != nil {
		m.refuse(from, req, proposeError(err))
		return
	}
	m.reads[uint64(from)] = &pendingRead{req: req}
}

// answerMemberList answers a MemberList from the applied membership.
func (m *member) answerMemberList(to sim.NodeID, req *request) {
	res := &clusterResult{List: &etcdapi.MemberListResponse{Header: m.clusterHeader(),
		Members: m.sm.members.list()}}
	m.reply(to, &response{seq: req.seq, attempt: req.attempt, cluster: res})
}

// validateChange checks a change at the leader in etcd's order (the
// strict reconfiguration checks, then the membership's own) and returns
// the configuration change to propose.
func (m *member) validateChange(from sim.NodeID, req *request) (raftimpl.ConfChange, *etcdapi.Error) {
	l := m.sm.members
	call := req.cluster
	ch := memberChange{proposer: uint64(m.p.ID()), client: uint64(from), seq: req.seq}
	var cc raftimpl.ConfChange
	var err *etcdapi.Error
	switch {
	case call.Add != nil:
		ch.member.PeerURLs = call.Add.PeerURLs
		cc, err = m.validateAdd(call.Add)
	case call.Remove != nil:
		cc = raftimpl.ConfChange{Type: raftimpl.ConfChangeRemoveNode, NodeID: raftimpl.NodeID(call.Remove.ID)}
		err = m.validateRemove(call.Remove.ID)
	case call.Promote != nil:
		cc = raftimpl.ConfChange{Type: raftimpl.ConfChangeAddNode, NodeID: raftimpl.NodeID(call.Promote.ID)}
		err = m.validatePromote(call.Promote.ID)
	case call.Update != nil:
		ch.member.PeerURLs = call.Update.PeerURLs
		cc = raftimpl.ConfChange{Type: raftimpl.ConfChangeUpdateNode, NodeID: raftimpl.NodeID(call.Update.ID)}
		err = validateUpdate(l, call.Update)
	default:
		err = etcdapi.ErrEmptyKey // an empty call, as serve refuses one
	}
	if err != nil {
		return cc, err
	}
	cc.Context = ch.marshal()
	return cc, nil
}

// validateAdd is v3rpc's URL check, mayAddMember, then
// ValidateConfigurationChange for an add.
func (m *member) validateAdd(add *etcdapi.MemberAddRequest) (raftimpl.ConfChange, *etcdapi.Error) {
	l := m.sm.members
	if !validURLs(add.PeerURLs) {
		return raftimpl.ConfChange{}, etcdapi.ErrMemberBadURLs
	}
	if !add.IsLearner && !readyToAddVoter(l) {
		return raftimpl.ConfChange{}, etcdapi.ErrMemberNotEnoughStarted
	}
	voters := l.voters()
	if len(voters) > 1 && m.connectedVoters(voters) < quorum(len(voters)+1) {
		return raftimpl.ConfChange{}, etcdapi.ErrUnhealthy
	}
	id := l.nextID
	if id > memberIDMax || l.members[id] != nil {
		// etcd's ErrIDExists: a generated ID collides. Here the IDs below
		// clientIDBase are used up.
		return raftimpl.ConfChange{}, etcdapi.ErrMemberExist
	}
	if urlTaken(l, add.PeerURLs, 0) {
		return raftimpl.ConfChange{}, etcdapi.ErrPeerURLExist
	}
	typ := raftimpl.ConfChangeAddNode
	if add.IsLearner {
		typ = raftimpl.ConfChangeAddLearner
		if learners(l)+1 > learnersMax {
			return raftimpl.ConfChange{}, etcdapi.ErrTooManyLearners
		}
	}
	return raftimpl.ConfChange{Type: typ, NodeID: raftimpl.NodeID(id)}, nil
}

// validateRemove is mayRemoveMember, then ValidateConfigurationChange for
// a removal.
func (m *member) validateRemove(id uint64) *etcdapi.Error {
	l := m.sm.members
	if target := l.members[id]; target == nil || !target.IsLearner {
		if !readyToRemoveVoter(l, id) {
			return etcdapi.ErrMemberNotEnoughStarted
		}
		// A member down is safe to remove: it is not in the active quorum.
		if id == uint64(m.p.ID()) || m.connectedSince(sim.NodeID(id), m.p.Now()) {
			voters := l.voters()
			if m.connectedVoters(voters)-1 < 1+(len(voters)-1)/2 {
				return etcdapi.ErrUnhealthy
			}
		}
	}
	if l.members[id] == nil {
		return etcdapi.ErrMemberNotFound // ErrIDNotFound or ErrIDRemoved
	}
	return nil
}

// validatePromote is isLearnerReady and mayPromoteMember, then
// ValidateConfigurationChange for a promotion.
func (m *member) validatePromote(id uint64) *etcdapi.Error {
	l := m.sm.members
	var learnerMatch, leaderMatch raftimpl.LogIndex
	found := false
	for _, pr := range m.node.Status().Progress {
		if uint64(pr.ID) == id {
			learnerMatch, found = pr.Match, true
		}
		if pr.ID == raftimpl.NodeID(m.p.ID()) {
			leaderMatch = pr.Match
		}
	}
	if !found {
		return etcdapi.ErrMemberNotFound
	}
	// learnerMatch/leaderMatch < readyPercentThreshold (0.9), in integers.
	if 10*uint64(learnerMatch) < 9*uint64(leaderMatch) {
		return etcdapi.ErrMemberLearnerNotReady
	}
	if !readyToPromote(l) {
		return etcdapi.ErrMemberNotEnoughStarted
	}
	switch target := l.members[id]; {
	case target == nil:
		return etcdapi.ErrMemberNotFound
	case !target.IsLearner:
		return etcdapi.ErrMemberNotLearner
	}
	return nil
}

// validateUpdate is ValidateConfigurationChange for an update (v3rpc
// does not parse the URLs of an update).
func validateUpdate(l *memberList, up *etcdapi.MemberUpdateRequest) *etcdapi.Error {
	if l.members[up.ID] == nil {
		return etcdapi.ErrMemberNotFound
	}
	if urlTaken(l, up.PeerURLs, up.ID) {
		return etcdapi.ErrPeerURLExist
	}
	return nil
}

// validURLs is etcd's types.NewURLs: at least one URL, each with scheme
// http, https, unix or unixs, a host:port, and no path.
func validURLs(urls []string) bool {
	if len(urls) == 0 || len(urls) > urlsMax {
		return false
	}
	for _, s := range urls {
		u, err := url.Parse(s)
		if err != nil || len(s) > memberStringMax {
			return false
		}
		switch u.Scheme {
		case "http", "https", "unix", "unixs":
		default:
			return false
		}
		if _, _, err := net.SplitHostPort(u.Host); err != nil || u.Path != "" {
			return false
		}
	}
	return true
}

// urlTaken reports whether a member other than except uses one of urls.
func urlTaken(l *memberList, urls []string, except uint64) bool {
	for _, id := range sortedKeys(l.members) {
		if id == except {
			continue
		}
		for _, u := range l.members[id].PeerURLs {
			if slices.Contains(urls, u) {
				return true
			}
		}
	}
	return false
}

func learners(l *memberList) int {
	n := 0
	for _, id := range sortedKeys(l.members) {
		if l.members[id].IsLearner {
			n++
		}
	}
	return n
}

func quorum(n int) int { return n/2 + 1 }

// readyToAddVoter is RaftCluster.IsReadyToAddVotingMember: the started
// voters are a quorum of the voters plus the new one (or the cluster has
// one member, which may always grow).
func readyToAddVoter(l *memberList) bool {
	members, started := 1, 0
	for _, v := range l.voters() {
		if v.Name != "" {
			started++
		}
		members++
	}
	return started == 1 && members == 2 || started >= quorum(members)
}

// readyToRemoveVoter is RaftCluster.IsReadyToRemoveVotingMember.
func readyToRemoveVoter(l *memberList, id uint64) bool {
	members, started := 0, 0
	for _, v := range l.voters() {
		if v.ID == id {
			continue
		}
		if v.Name != "" {
			started++
		}
		members++
	}
	return started >= quorum(members)
}

// readyToPromote is RaftCluster.IsReadyToPromoteMember: the learner
// counts as a started voter.
func readyToPromote(l *memberList) bool {
	members, started := 1, 1
	for _, v := range l.voters() {
		if v.Name != "" {
			started++
		}
		members++
	}
	return started >= quorum(members)
}

// peerMessage records a Raft message from a peer for the connectivity
// checks and reports whether to step it: messages from removed members
// are dropped.
func (m *member) peerMessage(from sim.NodeID) bool {
	if m.sm.members.isRemoved(from) {
		if err := m.p.Send(from, &removedNotice{}, 16); err != nil {
			m.p.Logf("removed notice to %s: %v", from, err)
		}
		return false
	}
	if from < 1 || from >= clientIDBase {
		return true
	}
	now, link := m.p.Now(), &m.clus.peers[from]
	if !link.up || now.Sub(link.last) > m.electionTimeout() {
		link.since, link.up = now, true
	}
	link.last = now
	return true
}

func (m *member) electionTimeout() time.Duration {
	return time.Duration(m.c.cfg.ElectionTicks) * m.c.cfg.TickInterval
}

// connectedSince is etcd's isConnectedSince(now-HealthInterval): the
// peer has been heard from without a gap of an election timeout since
// before HealthInterval ago.
func (m *member) connectedSince(id sim.NodeID, now sim.Time) bool {
	if id < 1 || id >= clientIDBase {
		return false
	}
	link := m.clus.peers[id]
	return link.up && now.Sub(link.last) <= m.electionTimeout() &&
		now.Sub(link.since) > healthInterval
}

// connectedVoters is etcd's numConnectedSince over voters: this member
// and every voter connected for HealthInterval.
func (m *member) connectedVoters(voters []*etcdapi.Member) int {
	n, now := 0, m.p.Now()
	for _, v := range voters {
		if v.ID == uint64(m.p.ID()) || m.connectedSince(sim.NodeID(v.ID), now) {
			n++
		}
	}
	return n
}

// isLearner reports whether this member is a learner in its applied
// membership.
func (m *member) isLearner() bool {
	self := m.sm.members.members[uint64(m.p.ID())]
	return self != nil && self.IsLearner
}

// refuseLearner refuses, on a learner, every request etcd's learner does
// not serve, and reports whether it did.
func (m *member) refuseLearner(from sim.NodeID, req *request) bool {
	if !m.isLearner() {
		return false
	}
	switch {
	case req.maint != nil && req.maint.Status != nil:
		return false
	case req.kv != nil && req.kv.Range != nil && req.kv.Range.Serializable:
		return false
	}
	m.refuse(from, req, etcdapi.ErrNotSupportedForLearner)
	return true
}

// removedSelf reports whether this member applied its own removal.
func (m *member) removedSelf() bool {
	return m.clus.gone || m.sm != nil && m.sm.members.isRemoved(m.p.ID())
}

// publishRetry is how often a member proposes its attributes until they
// apply (etcd retries publishV3 every request timeout).
const publishRetry = time.Second

// maybePublish proposes this member's name and client URLs once it finds
// itself in the membership without them (a member MemberAdd added and the
// harness started), as etcd's publishV3.
func (m *member) maybePublish() {
	self := m.sm.members.members[uint64(m.p.ID())]
	now := m.p.Now()
	if self == nil || self.Name != "" || m.node.Lead() == 0 ||
		m.clus.published && now.Sub(m.clus.publishedAt) < publishRetry {
		return
	}
	a := memberAttributes{id: uint64(m.p.ID()), name: memberName(uint64(m.p.ID())),
		clientURLs: []string{clientURL(uint64(m.p.ID()))}}
	cmd := command{client: memberAttrClient, payload: a.marshal()}
	if err := m.node.Propose(appendCommand(nil, cmd)); err != nil {
		m.p.Logf("publish attributes: %v", err)
		return
	}
	m.clus.published, m.clus.publishedAt = true, now
	m.p.Logf("publishing attributes %s", a.name)
}

// applyConfChange applies a committed configuration change to the
// membership. A change whose Context does not decode still changes the
// configuration (Raft applies it), so it applies here without attributes.
func (s *sessions) applyConfChange(e *raftimpl.Entry) error {
	cc, err := raftimpl.UnmarshalConfChange(e.Data)
	if err != nil {
		return fmt.Errorf("entry %v: %w", e.Index, err)
	}
	ch, err := decodeMemberChange(cc.Context)
	s.members.applyConfChange(cc, ch)
	if err != nil {
		return fmt.Errorf("entry %v: %w", e.Index, err)
	}
	return nil
}

// applyAttributes applies a member's published attributes.
func (s *sessions) applyAttributes(index raftimpl.LogIndex, payload []byte) error {
	a, err := decodeMemberAttributes(payload)
	if err != nil {
		return fmt.Errorf("entry %v: %w", index, err)
	}
	s.members.applyAttributes(a)
	return nil
}

// memberChange is a configuration change's Context: who waits for it
// (the proposing member, the client and its seq) and the member's peer
// URLs:
//
//	version u8 | uvarint proposer | uvarint client | uvarint seq | strings
type memberChange struct {
	proposer, client, seq uint64
	member                etcdapi.Member
}

func (ch memberChange) marshal() []byte {
	b := []byte{changeContextVersion}
	b = binary.AppendUvarint(b, ch.proposer)
	b = binary.AppendUvarint(b, ch.client)
	b = binary.AppendUvarint(b, ch.seq)
	return appendStrings(b, ch.member.PeerURLs)
}

func decodeMemberChange(data []byte) (memberChange, error) {
	var ch memberChange
	if len(data) == 0 || data[0] != changeContextVersion {
		return ch, fmt.Errorf("%w: change context version", errBadCommand)
	}
	d := decoder{data: data, off: 1}
	ch.proposer = d.uvarint("proposer", ^uint64(0))
	ch.client = d.uvarint("client", ^uint64(0))
	ch.seq = d.uvarint("seq", ^uint64(0))
	ch.member.PeerURLs = d.strings("peer urls")
	if d.err == nil && d.off != len(data) {
		d.fail("trailing bytes")
	}
	return ch, d.err
}

// memberAttributes is what a started member publishes:
//
//	version u8 | uvarint id | string name | strings client URLs
type memberAttributes struct {
	id         uint64
	name       string
	clientURLs []string
}

func (a memberAttributes) marshal() []byte {
	b := binary.AppendUvarint([]byte{changeContextVersion}, a.id)
	b = appendString(b, a.name)
	return appendStrings(b, a.clientURLs)
}

func decodeMemberAttributes(data []byte) (memberAttributes, error) {
	var a memberAttributes
	if len(data) == 0 || data[0] != changeContextVersion {
		return a, fmt.Errorf("%w: attributes version", errBadCommand)
	}
	d := decoder{data: data, off: 1}
	a.id = d.uvarint("member id", memberIDMax)
	a.name = d.string("name")
	a.clientURLs = d.strings("client urls")
	if d.err == nil && d.off != len(data) {
		d.fail("trailing bytes")
	}
	return a, d.err
}
