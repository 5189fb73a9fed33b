package sim_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"etcdsim/sim"
)

func TestLatencyStaysWithinBasePlusJitter(t *testing.T) {
	w, nodes := world(t, 5, 2)
	lat := sim.Latency{Base: 2 * time.Millisecond, Jitter: time.Millisecond}
	require.NoError(t, w.Network().SetLatency(lat))
	w.Network().SetFIFO(false)
	for i := 0; i < 200; i++ {
		require.NoError(t, nodes[1].p.Send(2, i, 1))
	}
	require.NoError(t, w.RunUntilQuiescent(1000))
	got := nodes[2].got
	require.Len(t, got, 200)
	distinct := map[sim.Time]bool{}
	for _, g := range got {
		require.GreaterOrEqual(t, g.at, sim.Time(lat.Base))
		require.LessOrEqual(t, g.at, sim.Time(lat.Base+lat.Jitter))
		distinct[g.at] = true
	}
	require.Greater(t, len(distinct), 50, "jitter should spread deliveries")
}

func TestFIFOKeepsLinkOrderAndIndependentDelaysReorder(t *testing.T) {
	order := func(fifo bool) []int {
		w, nodes := world(t, 9, 2)
		require.NoError(t, w.Network().SetLatency(sim.Latency{Base: time.Millisecond, Jitter: time.Millisecond}))
		w.Network().SetFIFO(fifo)
		for i := 0; i < 100; i++ {
			require.NoError(t, nodes[1].p.Send(2, i, 1))
		}
		require.NoError(t, w.RunUntilQuiescent(1000))
		var out []int
		for _, g := range nodes[2].got {
			out = append(out, g.msg.(int))
		}
		return out
	}
	inOrder := order(true)
	for i, v := range inOrder {
		require.Equal(t, i, v)
	}
	reordered := order(false)
	require.Len(t, reordered, 100)
	require.NotEqual(t, inOrder, reordered, "independent delays must reorder some messages")
}

func TestPerLinkLatencyOverridesDefault(t *testing.T) {
	w, nodes := world(t, 1, 3)
	noJitter(t, w, time.Millisecond)
	require.NoError(t, w.Network().SetLinkLatency(1, 3, sim.Latency{Base: 50 * time.Millisecond}))
	require.NoError(t, nodes[1].p.Send(2, "a", 1))
	require.NoError(t, nodes[1].p.Send(3, "b", 1))
	require.NoError(t, nodes[3].p.Send(1, "c", 1)) // the reverse link keeps the default
	require.NoError(t, w.RunUntilQuiescent(100))
	require.Equal(t, sim.Time(time.Millisecond), nodes[2].got[0].at)
	require.Equal(t, sim.Time(50*time.Millisecond), nodes[3].got[0].at)
	require.Equal(t, sim.Time(time.Millisecond), nodes[1].got[0].at)
	require.NoError(t, w.Network().ClearLinkLatency(1, 3))
	require.NoError(t, nodes[1].p.Send(3, "d", 1))
	require.NoError(t, w.RunUntilQuiescent(100))
	require.Equal(t, sim.Time(51*time.Millisecond), nodes[3].got[1].at)
}

// buffer is a payload its receiver may recycle (a sim.Cloner).
type buffer struct{ text string }

func (b *buffer) Clone() any { return &buffer{text: b.text} }

func TestDuplicateOfClonerIsItsOwnPayload(t *testing.T) {
	w, nodes := world(t, 2, 2)
	require.NoError(t, w.Network().SetDuplicateRate(1))
	sent := &buffer{"once"}
	require.NoError(t, nodes[1].p.Send(2, sent, 1))
	require.NoError(t, nodes[1].p.Send(2, "shared", 1))
	require.NoError(t, w.RunUntilQuiescent(10))
	require.Len(t, nodes[2].got, 4)
	var buffers []*buffer
	for _, g := range nodes[2].got {
		if b, ok := g.msg.(*buffer); ok {
			buffers = append(buffers, b)
		}
	}
	require.Len(t, buffers, 2)
	require.Equal(t, *buffers[0], *buffers[1])
	require.NotSame(t, buffers[0], buffers[1], "each delivery of a Cloner gets its own payload")
	require.True(t, buffers[0] == sent || buffers[1] == sent, "the original is delivered too")
}

func TestDropAndDuplicateRates(t *testing.T) {
	w, nodes := world(t, 2, 2)
	require.NoError(t, w.Network().SetDropRate(1))
	require.NoError(t, nodes[1].p.Send(2, "lost", 1))
	require.NoError(t, w.RunUntilQuiescent(10))
	require.Empty(t, nodes[2].got)

	require.NoError(t, w.Network().SetDropRate(0))
	require.NoError(t, w.Network().SetDuplicateRate(1))
	require.NoError(t, nodes[1].p.Send(2, "twice", 1))
	require.NoError(t, w.RunUntilQuiescent(10))
	require.Len(t, nodes[2].got, 2)
	st := w.Network().Stats()
	require.Equal(t, sim.NetStats{Sent: 2, Delivered: 2, Dropped: 1, Duplicated: 1}, st)

	require.NoError(t, w.Network().SetDuplicateRate(0))
	require.NoError(t, w.Network().SetDropRate(0.5))
	for i := 0; i < 1000; i++ {
		require.NoError(t, nodes[1].p.Send(2, i, 1))
	}
	require.NoError(t, w.RunUntilQuiescent(10000))
	delivered := len(nodes[2].got) - 2
	require.InDelta(t, 500, delivered, 80, "about half of 1000 messages survive a 50%% drop rate")
}

func TestBadNetworkSettingsAreRejected(t *testing.T) {
	w, _ := world(t, 1, 2)
	nw := w.Network()
	require.ErrorIs(t, nw.SetDropRate(1.5), sim.ErrBadProbability)
	require.ErrorIs(t, nw.SetDuplicateRate(-0.1), sim.ErrBadProbability)
	require.ErrorIs(t, nw.SetLatency(sim.Latency{Base: -1}), sim.ErrNegativeDuration)
	err := nw.SetLatency(sim.Latency{Jitter: -1})
	require.ErrorContains(t, err, "jitter")
	require.ErrorIs(t, nw.SetLinkLatency(1, 9, sim.Latency{}), sim.ErrUnknownNode)
	err = nw.Block(7, 1)
	require.ErrorIs(t, err, sim.ErrUnknownNode)
	require.ErrorContains(t, err, "n7")
	require.ErrorContains(t, nw.Split([]sim.NodeID{1}, []sim.NodeID{1, 2}), "n1 is on sides 0 and 1")
	require.ErrorContains(t, nw.Bridge(1, []sim.NodeID{1}, []sim.NodeID{2}), "cannot be on a side")
}

// reach returns, for every ordered pair, whether a message got through.
func reach(t *testing.T, w *sim.World, nodes map[sim.NodeID]*recorder, n int) map[[2]int]bool {
	t.Helper()
	before := map[sim.NodeID]int{}
	for id, r := range nodes {
		before[id] = len(r.got)
	}
	for a := 1; a <= n; a++ {
		for b := 1; b <= n; b++ {
			if a != b {
				require.NoError(t, nodes[sim.NodeID(a)].p.Send(sim.NodeID(b), [2]int{a, b}, 1))
			}
		}
	}
	require.NoError(t, w.RunUntilQuiescent(1000))
	out := map[[2]int]bool{}
	for id, r := range nodes {
		for _, g := range r.got[before[id]:] {
			out[g.msg.([2]int)] = true
		}
	}
	return out
}

func TestPartitionHelpers(t *testing.T) {
	w, nodes := world(t, 1, 5)
	nw := w.Network()

	require.NoError(t, nw.Split([]sim.NodeID{1, 2}, []sim.NodeID{3, 4, 5}))
	r := reach(t, w, nodes, 5)
	require.True(t, r[[2]int{1, 2}])
	require.True(t, r[[2]int{3, 5}])
	require.False(t, r[[2]int{1, 3}])
	require.False(t, r[[2]int{5, 2}])
	require.Len(t, nw.BlockedLinks(), 12)
	nw.Heal()
	require.Empty(t, nw.BlockedLinks())

	require.NoError(t, nw.Isolate(3))
	r = reach(t, w, nodes, 5)
	require.Len(t, r, 12, "only the 4*3 links among the other four nodes work")
	require.False(t, r[[2]int{3, 1}])
	nw.Heal()

	require.NoError(t, nw.Bridge(3, []sim.NodeID{1, 2}, []sim.NodeID{4, 5}))
	r = reach(t, w, nodes, 5)
	require.True(t, r[[2]int{3, 1}])
	require.True(t, r[[2]int{5, 3}])
	require.False(t, r[[2]int{1, 4}])
	nw.Heal()

	require.NoError(t, nw.Block(1, 2))
	r = reach(t, w, nodes, 5)
	require.False(t, r[[2]int{1, 2}])
	require.True(t, r[[2]int{2, 1}], "a one-way block lets replies through")
	blocked, err := nw.Blocked(1, 2)
	require.NoError(t, err)
	require.True(t, blocked)
	require.NoError(t, nw.Unblock(1, 2))
	require.Len(t, reach(t, w, nodes, 5), 20)
}

func TestPartitionCutsMessagesInFlight(t *testing.T) {
	w, nodes := world(t, 1, 2)
	noJitter(t, w, 10*time.Millisecond)
	require.NoError(t, nodes[1].p.Send(2, "in flight", 1))
	require.NoError(t, w.RunFor(5*time.Millisecond))
	require.NoError(t, w.Network().Isolate(2))
	require.NoError(t, w.RunUntilQuiescent(10))
	require.Empty(t, nodes[2].got)
	recs, _ := w.Trace().Records()
	last := recs[len(recs)-1]
	require.Equal(t, sim.KindDrop, last.Kind)
	require.Equal(t, "partition", last.Text)
}

func TestHeldMessagesAreListedReleasedAndDropped(t *testing.T) {
	w, nodes := world(t, 1, 3)
	nw := w.Network()
	nw.SetHold(true)
	require.NoError(t, nodes[1].p.Send(2, "a", 1))
	require.NoError(t, nodes[1].p.Send(3, "b", 1))
	require.NoError(t, nodes[2].p.Send(3, "c", 1))
	require.NoError(t, w.RunUntilQuiescent(10))
	held := nw.Held()
	require.Len(t, held, 3)
	require.Equal(t, "b", held[1].Payload)
	require.Equal(t, sim.NodeID(3), held[1].To)

	require.NoError(t, nw.Release(held[2].ID))
	require.NoError(t, nw.DropHeld(held[0].ID))
	require.ErrorIs(t, nw.DropHeld(held[0].ID), sim.ErrNoSuchMessage)
	require.NoError(t, w.RunUntilQuiescent(10))
	require.Len(t, nodes[3].got, 1)
	require.Equal(t, "c", nodes[3].got[0].msg)
	require.Empty(t, nodes[2].got)

	nw.ReleaseAll()
	require.NoError(t, w.RunUntilQuiescent(10))
	require.Len(t, nodes[3].got, 2)
	require.Empty(t, nw.Held())
}

func TestHeldMessagesToACrashedNodeAreLost(t *testing.T) {
	w, nodes := world(t, 1, 2)
	w.Network().SetHold(true)
	require.NoError(t, nodes[1].p.Send(2, "a", 1))
	require.NoError(t, w.Crash(2, sim.CrashOptions{}))
	require.Empty(t, w.Network().Held())
}

func TestFullLinkQueueDropsMessages(t *testing.T) {
	w, nodes := world(t, 1, 2)
	require.NoError(t, w.Network().SetLinkQueueMax(3))
	require.Error(t, w.Network().SetLinkQueueMax(0))
	for i := 0; i < 5; i++ {
		require.NoError(t, nodes[1].p.Send(2, i, 1))
	}
	require.NoError(t, w.RunUntilQuiescent(100))
	require.Len(t, nodes[2].got, 3, "only three fit in the link's queue")
	recs, _ := w.Trace().Records()
	full := 0
	for _, r := range recs {
		if r.Kind == sim.KindDrop && r.Text == "queue full" {
			full++
		}
	}
	require.Equal(t, 2, full)
	// Delivered messages free their places.
	require.NoError(t, nodes[1].p.Send(2, "again", 1))
	require.NoError(t, w.RunUntilQuiescent(100))
	require.Len(t, nodes[2].got, 4)
}
