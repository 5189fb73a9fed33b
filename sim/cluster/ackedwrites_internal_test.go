package cluster

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"etcdsim/linearizability"
	"etcdsim/sim"
)

// The end-of-run read finds every acknowledged write on a healthy
// cluster, and reports one the cluster does not hold: here a history
// whose acknowledged put is changed after the fact, as if the cluster had
// lost the value it acknowledged.
func TestAckedWritesCheckFindsALostWrite(t *testing.T) {
	w := sim.New(1, sim.Options{})
	cfg := DefaultConfig()
	cfg.Watchers = 0
	c, err := New(w, cfg)
	require.NoError(t, err)
	require.NoError(t, w.RunFor(5*time.Second))
	c.StopClients()
	require.NoError(t, w.RunFor(2*time.Second))

	lost, checked, ok := c.CheckAckedWrites()
	require.True(t, ok)
	require.NoError(t, lost)
	require.Greater(t, checked, 100)
	t.Logf("seed 1: %d acknowledged writes found in place", checked)

	for i := range c.history.Ops {
		op := &c.history.Ops[i]
		in := op.Input.(linearizability.EtcdRequest)
		if op.Unknown || in.Put == nil || op.Output.(linearizability.EtcdResponse).Err != nil {
			continue
		}
		forged := *in.Put
		forged.Value = []byte("never written")
		op.Input = linearizability.EtcdRequest{Put: &forged}
		break
	}
	lost, _, ok = c.CheckAckedWrites()
	require.True(t, ok)
	require.ErrorIs(t, lost, ErrLostWrite)
	require.Contains(t, lost.Error(), "never written")
}
