package raftimpl

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNextConf(t *testing.T) {
	base := ConfState{Voters: []NodeID{1, 2, 3}, Learners: []NodeID{4}}
	tests := []struct {
		name string
		cc   ConfChange
		want ConfState
		ok   bool
	}{
		{"add voter", ConfChange{Type: ConfChangeAddNode, NodeID: 5},
			ConfState{Voters: []NodeID{1, 2, 3, 5}, Learners: []NodeID{4}}, true},
		{"promote learner", ConfChange{Type: ConfChangeAddNode, NodeID: 4},
			ConfState{Voters: []NodeID{1, 2, 3, 4}, Learners: []NodeID{}}, true},
		{"add learner", ConfChange{Type: ConfChangeAddLearner, NodeID: 6},
			ConfState{Voters: []NodeID{1, 2, 3}, Learners: []NodeID{4, 6}}, true},
		{"demote voter refused", ConfChange{Type: ConfChangeAddLearner, NodeID: 2}, base, false},
		{"remove voter", ConfChange{Type: ConfChangeRemoveNode, NodeID: 2},
			ConfState{Voters: []NodeID{1, 3}, Learners: []NodeID{4}}, true},
		{"remove learner", ConfChange{Type: ConfChangeRemoveNode, NodeID: 4},
			ConfState{Voters: []NodeID{1, 2, 3}, Learners: []NodeID{}}, true},
		{"remove stranger refused", ConfChange{Type: ConfChangeRemoveNode, NodeID: 9}, base, false},
		{"re-add voter is a no-op", ConfChange{Type: ConfChangeAddNode, NodeID: 1},
			ConfState{Voters: []NodeID{1, 2, 3}, Learners: []NodeID{4}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := nextConf(base, tt.cc)
			if !tt.ok {
				require.ErrorIs(t, err, ErrInvalidConfChange)
				require.Equal(t, base, got)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want.Voters, got.Voters)
			require.ElementsMatch(t, tt.want.Learners, got.Learners)
		})
	}
	_, err := nextConf(ConfState{Voters: []NodeID{1}}, ConfChange{Type: ConfChangeRemoveNode, NodeID: 1})
	require.ErrorIs(t, err, ErrInvalidConfChange, "the last voter stays")
}

// TestLearnerNeverCampaigns: a learner's timer fires but it does not
// campaign, and the leader does not count it toward a quorum.
func TestLearnerNeverCampaigns(t *testing.T) {
	cfg := Config{ID: 2, Voters: []NodeID{1}, Learners: []NodeID{2}, ElectionTicks: 3,
		HeartbeatTicks: 1, Rand: fixedRand(0)}
	n, err := New(cfg, NewMemoryStorage())
	require.NoError(t, err)
	for range 10 {
		n.Tick()
	}
	require.Equal(t, RoleFollower, n.Role())
	require.Equal(t, Term(0), n.Term())
	require.NoError(t, n.Campaign())
	require.Equal(t, RoleFollower, n.Role())
}

type fixedRand int

func (f fixedRand) IntN(int) int { return int(f) }
