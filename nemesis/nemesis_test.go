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
		Skew: true, Churn: true, Flap: true}
}

func TestEveryFaultIsAppliedAndHealed(t *testing.T) {
	w := world(t, 1)
	tg := &target{}
	n, err := nemesis.Start(w, tg, nemesis.DefaultConfig(allMix()))
	require.NoError(t, err)
	require.NoError(t, w.RunFor(120*time.Second))
	n.Stop()
	counts := n.Counts()
	for _, kind := range []string{"partition", "crash", "reorder", "duplicate", "drop", "skew", "churn", "flap"} {
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

// leaderTarget is a fake cluster of members 1..3 whose leader the test sets.
type leaderTarget struct{ leader sim.NodeID }

func (t *leaderTarget) Members() []sim.NodeID             { return []sim.NodeID{1, 2, 3} }
func (t *leaderTarget) Leader() (sim.NodeID, bool)        { return t.leader, t.leader != 0 }
func (t *leaderTarget) Annotate(bool, sim.NodeID, string) {}

// TestFlapCutsLeadersFromMembersOnly checks flap's steps: the leader loses
// its links to the other members but not to a client (node 4), the next
// leader is cut too, and with fewer than a quorum connected a cut-off
// member comes back. Stop reconnects everyone.
func TestFlapCutsLeadersFromMembersOnly(t *testing.T) {
	w := sim.New(1, sim.Options{})
	for i := 1; i <= 4; i++ {
		require.NoError(t, w.AddNode(sim.NodeID(i), func(*sim.Proc) sim.Node { return idle{} }))
	}
	nw := w.Network()
	blocked := func(a, b sim.NodeID) bool {
		x, err := nw.Blocked(a, b)
		require.NoError(t, err)
		y, err := nw.Blocked(b, a)
		require.NoError(t, err)
		require.Equal(t, x, y, "links %s-%s cut one way only", a, b)
		return x
	}
	tg := &leaderTarget{leader: 1}
	n, err := nemesis.Start(w, tg, nemesis.Config{Mix: nemesis.Mix{Flap: true},
		Interval: time.Millisecond, Duration: time.Hour})
	require.NoError(t, err)
	require.NoError(t, w.RunWhile(func() bool { return !blocked(1, 2) }, 1_000_000))
	require.True(t, blocked(1, 3))
	require.False(t, blocked(1, 4), "a client must still reach the cut-off leader")
	require.False(t, blocked(2, 3))

	// Node 2 leads next: a step cuts it too, which leaves one member
	// connected, below a quorum, so the same step reconnects node 1 or
	// node 2. Once node 1 is the one back, only node 2 stays cut.
	tg.leader = 2
	require.NoError(t, w.RunWhile(func() bool { return !blocked(2, 3) }, 1_000_000))
	require.True(t, blocked(1, 2))
	require.False(t, blocked(1, 3), "node 1 reconnected")
	require.Len(t, nw.BlockedLinks(), 4)
	n.Stop()
	require.Empty(t, nw.BlockedLinks())
}
