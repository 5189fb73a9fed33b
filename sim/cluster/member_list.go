package cluster

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"slices"

	"etcdsim/mvcc/etcdapi"
	"etcdsim/raftimpl"
	"etcdsim/sim"
)

// memberList is the cluster's membership as replicated state, etcd's
// RaftCluster (server/etcdserver/api/membership/cluster.go, v3.7.1): every
// member (ID, name, peer and client URLs, learner flag), the IDs removed,
// and the next ID to give out. It changes only by applying committed
// configuration changes (whose Context carries the member's attributes)
// and published attributes, in log order, so every member that applied the
// same entries holds the same list; it travels in the Raft snapshot
// (appendMemberSection) and is rebuilt by replaying the log after it.
//
// Invariant: its IDs and learner flags equal the Raft configuration's once
// the node has advanced past the same entries (both follow the same
// changes; the leader validates a change before proposing it).
type memberList struct {
	// members by ID. Iterate with sortedKeys.
	members map[uint64]*etcdapi.Member
	// removed holds every ID ever removed: a removed member never comes
	// back (etcd's ErrIDRemoved), and its Raft messages are dropped.
	removed map[uint64]bool
	// nextID is the ID the next MemberAdd gets.
	// Invariant: nextID > every ID in members and removed.
	nextID uint64
}

// memberIDMax is the highest ID a member may have: client node IDs start
// above it (clientIDBase).
const memberIDMax = clientIDBase - 1

// learnersMax is etcd's default --max-learners.
const learnersMax = 1

// bootstrapMember is member id as the cluster's static configuration
// names it, started (it has a name and client URLs).
func bootstrapMember(id uint64) *etcdapi.Member {
	return &etcdapi.Member{ID: id, Name: memberName(id), PeerURLs: []string{peerURL(id)},
		ClientURLs: []string{clientURL(id)}}
}

func memberName(id uint64) string { return fmt.Sprintf("m%d", id) }
func peerURL(id uint64) string    { return fmt.Sprintf("http://m%d:2380", id) }
func clientURL(id uint64) string  { return fmt.Sprintf("http://m%d:2379", id) }

// newMemberList is the membership of a cluster bootstrapped with voters
// 1..n.
func newMemberList(n int) *memberList {
	l := &memberList{members: map[uint64]*etcdapi.Member{}, removed: map[uint64]bool{},
		nextID: uint64(n) + 1}
	for id := uint64(1); id <= uint64(n); id++ {
		l.members[id] = bootstrapMember(id)
	}
	return l
}

// list returns copies of the members in ID order, as MemberList answers.
func (l *memberList) list() []*etcdapi.Member {
	out := make([]*etcdapi.Member, 0, len(l.members))
	for _, id := range sortedKeys(l.members) {
		out = append(out, cloneMember(l.members[id]))
	}
	return out
}

func cloneMember(m *etcdapi.Member) *etcdapi.Member {
	c := *m
	c.PeerURLs = slices.Clone(m.PeerURLs)
	c.ClientURLs = slices.Clone(m.ClientURLs)
	return &c
}

// isRemoved reports whether id was a member and was removed.
func (l *memberList) isRemoved(id sim.NodeID) bool { return l.removed[uint64(id)] }

// applyConfChange follows a committed configuration change: it does to the
// list what Raft does to its configuration (raftimpl's nextConf), with the
// attributes the change's Context carries. A change Raft ignores (it names
// no member) changes nothing here either.
func (l *memberList) applyConfChange(cc raftimpl.ConfChange, ch memberChange) {
	id := uint64(cc.NodeID)
	m := l.members[id]
	switch cc.Type {
	case raftimpl.ConfChangeAddNode, raftimpl.ConfChangeAddLearner:
		if m == nil {
			m = &etcdapi.Member{ID: id, PeerURLs: slices.Clone(ch.member.PeerURLs)}
			l.members[id] = m
		} else if !m.IsLearner && cc.Type == raftimpl.ConfChangeAddLearner {
			return // Raft refuses a demotion
		}
		m.IsLearner = cc.Type == raftimpl.ConfChangeAddLearner
		l.nextID = max(l.nextID, id+1)
	case raftimpl.ConfChangeRemoveNode:
		if m == nil {
			return
		}
		delete(l.members, id)
		l.removed[id] = true
	case raftimpl.ConfChangeUpdateNode:
		if m != nil {
			m.PeerURLs = slices.Clone(ch.member.PeerURLs)
		}
	}
	assertf(l.nextID > id, "next member id %d <= applied id %d", l.nextID, id)
}

// applyAttributes records the name and client URLs a member published
// when it started (etcd's ClusterMemberAttrSet); a removed or unknown
// member's are dropped, as etcd's applier does.
func (l *memberList) applyAttributes(a memberAttributes) {
	if m := l.members[a.id]; m != nil {
		m.Name, m.ClientURLs = a.name, slices.Clone(a.clientURLs)
	}
}

// voters returns the voting members in ID order.
func (l *memberList) voters() []*etcdapi.Member {
	var out []*etcdapi.Member
	for _, id := range sortedKeys(l.members) {
		if m := l.members[id]; !m.IsLearner {
			out = append(out, m)
		}
	}
	return out
}

// The member-list section of a snapshot, before the session table:
//
//	"MBRS" | version u8 | uvarint nextID | uvarint n | n × member |
//	uvarint r | r × uvarint removed ID | crc32c of everything before, u32
//
// member: uvarint id | u8 learner | string name | uvarint k | k × string
// peer URL | uvarint k | k × string client URL; a string is a uvarint
// length and its bytes.
const (
	memberSectionMagic   = "MBRS"
	memberSectionVersion = 1
	// membersMax bounds the members and removed IDs a section may name
	// (every ID lies below clientIDBase); urlsMax and memberStringMax bound
	// a member's URLs and each string.
	membersMax      = clientIDBase
	urlsMax         = 16
	memberStringMax = 1 << 10
)

// appendMemberSection appends l's snapshot section to dst.
func (l *memberList) appendMemberSection(dst []byte) []byte {
	start := len(dst)
	dst = append(dst, memberSectionMagic...)
	dst = append(dst, memberSectionVersion)
	dst = binary.AppendUvarint(dst, l.nextID)
	dst = binary.AppendUvarint(dst, uint64(len(l.members)))
	for _, id := range sortedKeys(l.members) {
		dst = appendMember(dst, l.members[id])
	}
	dst = binary.AppendUvarint(dst, uint64(len(l.removed)))
	for _, id := range sortedKeys(l.removed) {
		dst = binary.AppendUvarint(dst, id)
	}
	return binary.BigEndian.AppendUint32(dst, crc32.Checksum(dst[start:], castagnoli))
}

func appendMember(dst []byte, m *etcdapi.Member) []byte {
	dst = binary.AppendUvarint(dst, m.ID)
	learner := byte(0)
	if m.IsLearner {
		learner = 1
	}
	dst = append(dst, learner)
	dst = appendString(dst, m.Name)
	dst = appendStrings(dst, m.PeerURLs)
	return appendStrings(dst, m.ClientURLs)
}

func appendString(dst []byte, s string) []byte {
	return append(binary.AppendUvarint(dst, uint64(len(s))), s...)
}

func appendStrings(dst []byte, ss []string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(ss)))
	for _, s := range ss {
		dst = appendString(dst, s)
	}
	return dst
}

// decodeMemberSection reads a member-list section at the front of data and
// returns the list and what follows it. It refuses a section that is
// missing, of another version, out of bounds, or whose checksum fails.
func decodeMemberSection(data []byte) (*memberList, []byte, error) {
	d := decoder{data: data}
	if len(data) < len(memberSectionMagic)+1 || string(data[:len(memberSectionMagic)]) != memberSectionMagic {
		return nil, nil, fmt.Errorf("%w: snapshot members: no section", errBadCommand)
	}
	d.off = len(memberSectionMagic) + 1
	if v := data[len(memberSectionMagic)]; v != memberSectionVersion {
		return nil, nil, fmt.Errorf("%w: snapshot members: version %d, want %d", errBadCommand, v,
			memberSectionVersion)
	}
	l := &memberList{members: map[uint64]*etcdapi.Member{}, removed: map[uint64]bool{}}
	l.nextID = d.uvarint("next id", memberIDMax+1)
	for n := d.uvarint("members", membersMax); n > 0 && d.err == nil; n-- {
		m := d.member()
		if d.err == nil && (l.members[m.ID] != nil || m.ID >= l.nextID) {
			d.fail("member id")
		}
		l.members[m.ID] = m
	}
	for n := d.uvarint("removed", membersMax); n > 0 && d.err == nil; n-- {
		id := d.uvarint("removed id", memberIDMax)
		if d.err == nil && (id == 0 || id >= l.nextID || l.members[id] != nil) {
			d.fail("removed id")
		}
		l.removed[id] = true
	}
	if d.err != nil {
		return nil, nil, d.err
	}
	if len(data) < d.off+4 {
		return nil, nil, fmt.Errorf("%w: snapshot members: checksum missing", errBadCommand)
	}
	if crc32.Checksum(data[:d.off], castagnoli) != binary.BigEndian.Uint32(data[d.off:]) {
		return nil, nil, fmt.Errorf("%w: snapshot members: checksum mismatch", errBadCommand)
	}
	return l, data[d.off+4:], nil
}

// decoder reads uvarints and strings, keeping the first error.
type decoder struct {
	data []byte
	off  int
	err  error
}

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: snapshot members: %s", errBadCommand, what)
	}
}

// uvarint reads a uvarint no larger than maxValue.
func (d *decoder) uvarint(what string, maxValue uint64) uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.data[d.off:])
	if n <= 0 || v > maxValue {
		d.fail(what)
		return 0
	}
	d.off += n
	return v
}

func (d *decoder) byte(what string) byte {
	if d.err != nil || d.off >= len(d.data) {
		d.fail(what)
		return 0
	}
	d.off++
	return d.data[d.off-1]
}

func (d *decoder) string(what string) string {
	n := d.uvarint(what, memberStringMax)
	if d.err != nil || uint64(len(d.data)-d.off) < n {
		d.fail(what)
		return ""
	}
	s := string(d.data[d.off : d.off+int(n)])
	d.off += int(n)
	return s
}

func (d *decoder) strings(what string) []string {
	n := d.uvarint(what, urlsMax)
	var out []string
	for ; n > 0 && d.err == nil; n-- {
		out = append(out, d.string(what))
	}
	return out
}

func (d *decoder) member() *etcdapi.Member {
	m := &etcdapi.Member{ID: d.uvarint("member id", memberIDMax)}
	if d.err == nil && m.ID == 0 {
		d.fail("member id 0")
	}
	switch d.byte("learner") {
	case 0:
	case 1:
		m.IsLearner = true
	default:
		d.fail("learner flag")
	}
	m.Name = d.string("name")
	m.PeerURLs = d.strings("peer urls")
	m.ClientURLs = d.strings("client urls")
	return m
}
