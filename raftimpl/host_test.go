package raftimpl_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"etcdsim/raftimpl"
)

// orderHost records the calls HandleReady makes.
type orderHost struct {
	calls      []string
	persistErr error
}

func (h *orderHost) Persist(rd *raftimpl.Ready) error {
	h.calls = append(h.calls, "persist")
	return h.persistErr
}
func (h *orderHost) Send(msgs []raftimpl.Message) { h.calls = append(h.calls, "send") }
func (h *orderHost) Apply(rd *raftimpl.Ready) error {
	h.calls = append(h.calls, "apply")
	return nil
}

// HandleReady persists before it sends, applies after, and advances only
// when the host succeeded; without a Ready it does nothing.
func TestHandleReadyPersistsBeforeSending(t *testing.T) {
	cfg := raftimpl.Config{ID: 1, Voters: []raftimpl.NodeID{1, 2}, ElectionTicks: 10,
		HeartbeatTicks: 1, Rand: zeroRand{}}
	node, err := raftimpl.New(cfg, raftimpl.NewMemoryStorage())
	require.NoError(t, err)
	h := &orderHost{}
	handled, err := node.HandleReady(h)
	require.NoError(t, err)
	require.False(t, handled)
	require.Empty(t, h.calls)

	require.NoError(t, node.Campaign())
	h.persistErr = errors.New("disk full")
	handled, err = node.HandleReady(h)
	require.True(t, handled)
	require.ErrorContains(t, err, "disk full")
	require.Equal(t, []string{"persist"}, h.calls, "nothing is sent that was not persisted")

	node2, err := raftimpl.New(cfg, raftimpl.NewMemoryStorage())
	require.NoError(t, err)
	require.NoError(t, node2.Campaign())
	h = &orderHost{}
	handled, err = node2.HandleReady(h)
	require.NoError(t, err)
	require.True(t, handled)
	require.Equal(t, []string{"persist", "send", "apply"}, h.calls)
	require.False(t, node2.HasReady(), "the Ready was advanced")
}
