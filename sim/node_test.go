package sim_test

import (
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"etcdsim/sim"
)

func TestCrashDropsTimersAndMessagesInFlight(t *testing.T) {
	w, nodes := world(t, 1, 2)
	noJitter(t, w, 10*time.Millisecond)
	old := nodes[2]
	_, err := old.p.SetTimer(5*time.Millisecond, 1)
	require.NoError(t, err)
	require.NoError(t, nodes[1].p.Send(2, "x", 1))
	require.NoError(t, w.Crash(2, sim.CrashOptions{}))
	require.NoError(t, w.Restart(2)) // restarted before both were due: still gone
	require.NoError(t, w.RunUntilQuiescent(10))
	require.Empty(t, old.fired)
	require.Empty(t, nodes[2].fired)
	require.Empty(t, nodes[2].got)
	require.NotSame(t, old, nodes[2], "a restart builds a new incarnation")
	require.Equal(t, sim.NetStats{Sent: 1, Dropped: 1}, w.Network().Stats())
}

func TestStaleProcRefusesToAct(t *testing.T) {
	w, nodes := world(t, 1, 2)
	old := nodes[1]
	require.NoError(t, w.Crash(1, sim.CrashOptions{}))
	err := old.p.Send(2, "x", 1)
	require.ErrorIs(t, err, sim.ErrNodeDown)
	require.ErrorContains(t, err, "n1")
	_, err = old.p.SetTimer(time.Second, 1)
	require.ErrorIs(t, err, sim.ErrNodeDown)
	require.NoError(t, w.Restart(1))
	require.False(t, old.p.Up(), "the old incarnation stays dead after a restart")
	require.ErrorIs(t, old.p.Send(2, "x", 1), sim.ErrNodeDown)
	require.NoError(t, nodes[1].p.Send(2, "x", 1))
}

func TestLifecycleMisuse(t *testing.T) {
	w, nodes := world(t, 1, 2)
	require.ErrorIs(t, w.AddNode(1, func(p *sim.Proc) sim.Node { return &recorder{p: p} }), sim.ErrNodeExists)
	require.ErrorIs(t, w.AddNode(0, func(p *sim.Proc) sim.Node { return &recorder{p: p} }), sim.ErrBadNodeID)
	require.ErrorIs(t, w.Crash(9, sim.CrashOptions{}), sim.ErrUnknownNode)
	require.ErrorIs(t, w.Restart(1), sim.ErrNodeUp)
	require.NoError(t, w.Crash(1, sim.CrashOptions{}))
	require.ErrorIs(t, w.Crash(1, sim.CrashOptions{}), sim.ErrNodeDown)
	require.ErrorIs(t, nodes[2].p.Send(9, "x", 1), sim.ErrUnknownNode)
	_, err := nodes[2].p.SetTimer(-time.Second, 1)
	require.ErrorIs(t, err, sim.ErrNegativeDuration)
	_, err = w.Schedule(-1, "x", func() {})
	require.ErrorIs(t, err, sim.ErrNegativeDuration)
	_, err = w.Disk(9)
	require.ErrorIs(t, err, sim.ErrUnknownNode)
	up, err := w.Up(1)
	require.NoError(t, err)
	require.False(t, up)
	n, err := w.Node(1)
	require.NoError(t, err)
	require.Nil(t, n)
}

func TestCrashKeepsOnlySyncedBytes(t *testing.T) {
	w, nodes := world(t, 1, 1)
	d := nodes[1].p.Disk()
	f, err := d.Open("wal")
	require.NoError(t, err)
	_, _ = f.Write([]byte("synced."))
	require.NoError(t, f.Sync())
	_, _ = f.Write([]byte("unsynced"))
	buf := make([]byte, 15)
	_, err = f.ReadAt(buf, 0)
	require.NoError(t, err)
	require.Equal(t, "synced.unsynced", string(buf), "reads see unsynced writes until the crash")

	require.NoError(t, w.Crash(1, sim.CrashOptions{}))
	require.Equal(t, int64(7), f.Size())
	require.NoError(t, w.Restart(1))
	g, err := nodes[1].p.Disk().Open("wal")
	require.NoError(t, err)
	require.Same(t, f, g, "the disk outlives the node")
	require.Equal(t, int64(7), g.Size())
}

func TestCrashRevertsOverwritesAndTruncatesBelowSync(t *testing.T) {
	w, nodes := world(t, 1, 1)
	f, _ := nodes[1].p.Disk().Open("f")
	_, _ = f.Write([]byte("abcdef"))
	require.NoError(t, f.Sync())
	_, _ = f.WriteAt([]byte("XY"), 1)
	require.NoError(t, f.Truncate(4))
	_, _ = f.Write([]byte("tail"))
	require.NoError(t, w.Crash(1, sim.CrashOptions{TornWrites: true}))
	buf := make([]byte, 6)
	_, err := f.ReadAt(buf, 0)
	require.NoError(t, err)
	require.Equal(t, "abcdef", string(buf))
	n, err := f.ReadAt(buf, 6)
	require.Equal(t, 0, n)
	require.ErrorIs(t, err, io.EOF)
}

func TestTornWritesKeepAPrefixOfTheUnsyncedTail(t *testing.T) {
	lengths := map[int64]bool{}
	for seed := uint64(1); seed <= 40; seed++ {
		w, nodes := world(t, seed, 1)
		f, _ := nodes[1].p.Disk().Open("wal")
		_, _ = f.Write([]byte("0123"))
		require.NoError(t, f.Sync())
		_, _ = f.Write([]byte("456789"))
		require.NoError(t, w.Crash(1, sim.CrashOptions{TornWrites: true}))
		require.GreaterOrEqual(t, f.Size(), int64(4))
		require.LessOrEqual(t, f.Size(), int64(10))
		buf := make([]byte, f.Size())
		_, _ = f.ReadAt(buf, 0)
		require.Equal(t, "0123456789"[:f.Size()], string(buf), "a torn tail is a prefix")
		lengths[f.Size()] = true
	}
	require.Greater(t, len(lengths), 3, "the torn length is drawn from the seed")
}

func TestDiskFileOperations(t *testing.T) {
	w, _ := world(t, 1, 1)
	d, err := w.Disk(1)
	require.NoError(t, err)
	_, err = d.Open("")
	require.ErrorIs(t, err, sim.ErrNoSuchFile)
	a, _ := d.Open("b.tmp")
	_, _ = a.Write([]byte("new"))
	_, _ = d.Open("a")
	require.Equal(t, []string{"a", "b.tmp"}, d.List())
	require.NoError(t, d.Rename("b.tmp", "a"))
	require.Equal(t, []string{"a"}, d.List())
	require.Equal(t, "a", a.Name())
	require.ErrorIs(t, d.Rename("missing", "x"), sim.ErrNoSuchFile)
	require.ErrorIs(t, d.Remove("missing"), sim.ErrNoSuchFile)
	_, err = a.WriteAt([]byte("x"), -1)
	require.ErrorIs(t, err, sim.ErrBadOffset)
	require.ErrorIs(t, a.Truncate(-1), sim.ErrBadOffset)
	_, err = a.ReadAt(make([]byte, 1), -3)
	require.ErrorIs(t, err, sim.ErrBadOffset)
	require.Equal(t, int64(3), d.BytesWritten(), "a refused write writes nothing")
	require.NoError(t, d.Remove("a"))
	require.False(t, d.Exists("a"))
	_, err = a.Write([]byte("x"))
	require.ErrorIs(t, err, sim.ErrNoSuchFile, "a removed file's handle is dead")
	_, err = a.ReadAt(make([]byte, 1), 0)
	require.ErrorIs(t, err, sim.ErrNoSuchFile)
	require.ErrorIs(t, a.Truncate(0), sim.ErrNoSuchFile)
	require.ErrorIs(t, a.Sync(), sim.ErrNoSuchFile)
}

// A log rewritten by compaction (write a new file, rename it over the old)
// reuses the old file's buffer: the replaced file's handle is dead, and
// the new file's growth allocates nothing.
func TestReplacedFileBufferIsReused(t *testing.T) {
	w, _ := world(t, 1, 1)
	d, err := w.Disk(1)
	require.NoError(t, err)
	chunk := make([]byte, 1000)
	fill := func(name string) *sim.File {
		f, err := d.Open(name)
		require.NoError(t, err)
		for range 64 {
			_, err := f.Write(chunk)
			require.NoError(t, err)
		}
		return f
	}
	fill("log")
	old := fill("log.tmp")
	require.NoError(t, d.Rename("log.tmp", "log")) // the first replaced buffer
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	const rounds = 20
	for range rounds {
		f := fill("log.tmp")
		require.NoError(t, d.Rename("log.tmp", "log"))
		require.Equal(t, int64(64000), f.Size())
	}
	runtime.ReadMemStats(&after)
	perRound := (after.TotalAlloc - before.TotalAlloc) / rounds
	require.Less(t, perRound, uint64(4096), "the new log grows into the replaced one's buffer")
	_, err = old.ReadAt(make([]byte, 1), 0)
	require.ErrorIs(t, err, sim.ErrNoSuchFile)
	cur, err := d.Open("log")
	require.NoError(t, err)
	require.Equal(t, int64(64000), cur.Size())
}

func TestClockDriftAndJump(t *testing.T) {
	w, nodes := world(t, 1, 2)
	require.NoError(t, w.SetClockDrift(1, 100_000)) // 10% fast
	require.NoError(t, w.RunFor(time.Second))
	t1, err := w.NodeTime(1)
	require.NoError(t, err)
	require.Equal(t, sim.Time(1100*time.Millisecond), t1)
	require.Equal(t, sim.Time(time.Second), nodes[2].p.Now())

	// A 110ms timer on the fast clock fires after 100ms of true time.
	_, err = nodes[1].p.SetTimer(110*time.Millisecond, 5)
	require.NoError(t, err)
	require.NoError(t, w.RunFor(99*time.Millisecond))
	require.Empty(t, nodes[1].fired)
	require.NoError(t, w.RunFor(time.Millisecond))
	require.Equal(t, []uint64{5}, nodes[1].fired)

	require.NoError(t, w.JumpClock(2, -500*time.Millisecond))
	require.Equal(t, sim.Time(600*time.Millisecond), nodes[2].p.Now())
	require.ErrorIs(t, w.SetClockDrift(1, 600_000), sim.ErrBadDrift)
	require.ErrorIs(t, w.SetClockDrift(1, -500_000), sim.ErrBadDrift)
	require.ErrorIs(t, w.JumpClock(8, time.Second), sim.ErrUnknownNode)
}

func TestRandStreamsOfNodesSurviveRestart(t *testing.T) {
	w, nodes := world(t, 1, 1)
	first := nodes[1].p.Rand("election").Uint64()
	require.NoError(t, w.Crash(1, sim.CrashOptions{}))
	require.NoError(t, w.Restart(1))
	second := nodes[1].p.Rand("election").Uint64()
	require.NotEqual(t, first, second, "a restarted node continues its stream, not replays it")
	require.Same(t, w.Rand("n1/election"), nodes[1].p.Rand("election"))
}

func TestMessageSentToADownNodeReachesItsRestart(t *testing.T) {
	w, nodes := world(t, 1, 2)
	noJitter(t, w, 10*time.Millisecond)
	require.NoError(t, w.Crash(2, sim.CrashOptions{}))
	require.NoError(t, nodes[1].p.Send(2, "while down", 1))
	require.NoError(t, nodes[1].p.Send(2, "also while down", 1))
	require.NoError(t, w.RunFor(5*time.Millisecond))
	require.NoError(t, w.Restart(2))
	require.NoError(t, w.RunUntilQuiescent(10))
	require.Len(t, nodes[2].got, 2, "both arrive after the restart, as packets to a rebooted host")

	// Sent while down, but the node restarts and crashes again before it
	// arrives: the incarnation it would have reached is gone.
	require.NoError(t, w.Crash(2, sim.CrashOptions{}))
	require.NoError(t, nodes[1].p.Send(2, "x", 1))
	require.NoError(t, w.Restart(2))
	require.NoError(t, w.Crash(2, sim.CrashOptions{}))
	require.NoError(t, w.Restart(2))
	require.NoError(t, w.RunUntilQuiescent(10))
	require.Empty(t, nodes[2].got)
}
