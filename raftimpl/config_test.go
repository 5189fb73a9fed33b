package raftimpl_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"etcdsim/raftimpl"
)

type zeroRand struct{}

func (zeroRand) IntN(int) int { return 0 }

func validConfig() raftimpl.Config {
	return raftimpl.Config{ID: 1, Voters: []raftimpl.NodeID{1, 2, 3}, ElectionTicks: 10,
		HeartbeatTicks: 1, Rand: zeroRand{}}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(c *raftimpl.Config)
		ok     bool
	}{
		{"valid", func(c *raftimpl.Config) {}, true},
		{"zero id", func(c *raftimpl.Config) { c.ID = 0 }, false},
		{"no election ticks", func(c *raftimpl.Config) { c.ElectionTicks = 0 }, false},
		{"heartbeat not below election", func(c *raftimpl.Config) { c.HeartbeatTicks = 10 }, false},
		{"no rand", func(c *raftimpl.Config) { c.Rand = nil }, false},
		{"negative inflight", func(c *raftimpl.Config) { c.MaxInflightMsgs = -1 }, false},
		{"lease without check quorum", func(c *raftimpl.Config) {
			c.ReadOnlyOption = raftimpl.ReadOnlyLeaseBased
		}, false},
		{"lease with check quorum", func(c *raftimpl.Config) {
			c.ReadOnlyOption = raftimpl.ReadOnlyLeaseBased
			c.CheckQuorum = true
		}, true},
		{"duplicate voter", func(c *raftimpl.Config) { c.Voters = []raftimpl.NodeID{1, 1} }, false},
		{"voter and learner", func(c *raftimpl.Config) {
			c.Learners = []raftimpl.NodeID{3}
		}, false},
		{"member id 0", func(c *raftimpl.Config) { c.Voters = []raftimpl.NodeID{0, 1} }, false},
		{"unknown bug", func(c *raftimpl.Config) { c.Bugs = 1 << 20 }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validConfig()
			tt.modify(&c)
			err := c.Validate()
			if tt.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, raftimpl.ErrInvalidConfig)
			_, nerr := raftimpl.New(c, raftimpl.NewMemoryStorage())
			require.ErrorIs(t, nerr, raftimpl.ErrInvalidConfig)
		})
	}
}

func TestParseBug(t *testing.T) {
	names := []string{"figure8-commit", "vote-no-log-check", "reply-before-fsync",
		"truncate-on-stale-append", "read-without-quorum", "apply-uncommitted"}
	require.Len(t, raftimpl.AllBugs(), len(names))
	var set raftimpl.Bugs
	for i, name := range names {
		b, err := raftimpl.ParseBug(name)
		require.NoError(t, err)
		require.Equal(t, raftimpl.AllBugs()[i], b)
		require.Equal(t, name, b.String())
		set = set.With(b)
		require.True(t, set.Has(b))
	}
	require.Equal(t, "figure8-commit,vote-no-log-check,reply-before-fsync,"+
		"truncate-on-stale-append,read-without-quorum,apply-uncommitted", set.String())
	require.Equal(t, "none", raftimpl.Bugs(0).String())
	_, err := raftimpl.ParseBug("figure-8")
	require.True(t, errors.Is(err, raftimpl.ErrUnknownBug))
	require.Contains(t, err.Error(), "valid: figure8-commit, vote-no-log-check")
}
