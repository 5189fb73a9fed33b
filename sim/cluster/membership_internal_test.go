package cluster

import (
	"testing"

	"github.com/stretchr/testify/require"

	"etcdsim/mvcc/etcdapi"
)

// The member-list section round-trips, and every truncation or flipped
// byte of it is refused, as is a snapshot whose section is damaged.
func TestMemberSectionRoundTripsAndRefusesDamage(t *testing.T) {
	l := newMemberList(3)
	l.members[4] = &etcdapi.Member{ID: 4, PeerURLs: []string{"http://m4:2380"}, IsLearner: true}
	delete(l.members, 2)
	l.removed[2] = true
	l.nextID = 5
	data := l.appendMemberSection(nil)
	got, rest, err := decodeMemberSection(append(data, 'x'))
	require.NoError(t, err)
	require.Equal(t, []byte("x"), rest)
	require.Equal(t, l.list(), got.list())
	require.Equal(t, l.removed, got.removed)
	require.Equal(t, l.nextID, got.nextID)
	for n := range len(data) {
		_, _, err := decodeMemberSection(data[:n])
		require.ErrorIs(t, err, errBadCommand, "cut at %d", n)
		bad := append([]byte(nil), data...)
		bad[n] ^= 0x40
		_, _, err = decodeMemberSection(bad)
		require.ErrorIs(t, err, errBadCommand, "byte %d flipped", n)
	}

	s := newTestSessions(t)
	s.members = l
	snap, err := s.snapshot()
	require.NoError(t, err)
	r := newTestSessions(t)
	require.NoError(t, r.restore(snap))
	require.Equal(t, l.list(), r.members.list())
	snap[len(memberSectionMagic)+2] ^= 1
	require.ErrorIs(t, newTestSessions(t).restore(snap), errBadCommand)
}

// With every ID below clientIDBase given out, an add is refused as etcd
// refuses a generated ID that collides.
func TestMemberIDsRunOut(t *testing.T) {
	l := newMemberList(1) // one voter: no connectivity to check
	l.nextID = memberIDMax + 1
	m := &member{sm: &sessions{members: l}}
	_, err := m.validateAdd(&etcdapi.MemberAddRequest{PeerURLs: []string{"http://m9:2380"},
		IsLearner: true})
	require.ErrorIs(t, err, etcdapi.ErrMemberExist)
}
