package nemesis_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"etcdsim/nemesis"
	"etcdsim/sim"
)

// idle is a node that does nothing; the nemesis only needs members.
type idle struct{}

func (idle) Start()                  {}
func (idle) Receive(sim.NodeID, any) {}
func (idle) Fire(uint64)             {}

// target is a fake cluster: members 1..5, node 1 leads, annotations kept.
type target struct {
	notes []string
}

func (t *target) Members() []sim.NodeID      { return []sim.NodeID{1, 2, 3, 4, 5} }
func (t *target) Leader() (sim.NodeID, bool) { return 1, true }
func (t *target) Annotate(heal bool, node sim.NodeID, text string) {
	if heal {
		text = "heal: " + text
	}
	t.notes = append(t.notes, text)
}

func world(t *testing.T, seed uint64) *sim.World {
	t.Helper()
	w := sim.New(seed, sim.Options{TraceKeep: 1 << 16})
	for i := 1; i <= 5; i++ {
		require.NoError(t, w.AddNode(sim.NodeID(i), func(*sim.Proc) sim.Node { return idle{} }))
	}
	return w
}

func allMix() nemesis.Mix {
	return nemesis.Mix{Partition: true, Crash: true, Reorder: true, Duplicate: true, Drop: true,
		Skew: true, Churn: true}
}

func TestEveryFaultIsAppliedAndHealed(t *testing.T) {
	w := world(t, 1)
	tg := &target{}
	n, err := nemesis.Start(w, tg, nemesis.DefaultConfig(allMix()))
	require.NoError(t, err)
	require.NoError(t, w.RunFor(120*time.Second))
	n.Stop()
	counts := n.Counts()
	for _, kind := range []string{"partition", "crash", "reorder", "duplicate", "drop", "skew", "churn"} {
		require.Positive(t, counts[kind], "fault %s never drawn in 120s: %v", kind, counts)
	}
	// After Stop everything is healed: links open, every node up, no loss.
	require.Empty(t, w.Network().BlockedLinks())
	for _, id := range w.Nodes() {
		up, err := w.Up(id)
		require.NoError(t, err)
		require.True(t, up, "%s still down after Stop", id)
	}
	compound := false
	for _, note := range tg.notes {
		compound = compound || strings.Contains(note, " + ")
	}
	require.True(t, compound, "no compound fault (a second fault during the first) in 120s")
}

func TestScheduleReplaysFromTheSeed(t *testing.T) {
	run := func(seed uint64) (uint64, []string) {
		w := world(t, seed)
		tg := &target{}
		_, err := nemesis.Start(w, tg, nemesis.DefaultConfig(allMix()))
		require.NoError(t, err)
		require.NoError(t, w.RunFor(30*time.Second))
		return w.Trace().Hash(), tg.notes
	}
	h1, notes1 := run(7)
	h2, notes2 := run(7)
	require.Equal(t, h1, h2)
	require.Equal(t, notes1, notes2)
	h3, _ := run(8)
	require.NotEqual(t, h1, h3)
}

func TestBadConfigIsRejected(t *testing.T) {
	w := world(t, 1)
	_, err := nemesis.Start(w, &target{}, nemesis.DefaultConfig(nemesis.Mix{}))
	require.ErrorContains(t, err, "empty fault mix")
	cfg := nemesis.DefaultConfig(nemesis.Mix{Crash: true})
	cfg.Interval = 0
	_, err = nemesis.Start(w, &target{}, cfg)
	require.ErrorContains(t, err, "interval")
}
