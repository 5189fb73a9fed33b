package sim_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"etcdsim/sim"
)

func TestEqualTimeEventsRunInInsertionOrder(t *testing.T) {
	w := sim.New(1, sim.Options{Paranoid: true})
	var order []int
	for i := 0; i < 10; i++ {
		_, err := w.Schedule(time.Second, "e", func() { order = append(order, i) })
		require.NoError(t, err)
	}
	_, err := w.Schedule(time.Millisecond, "early", func() { order = append(order, -1) })
	require.NoError(t, err)
	require.NoError(t, w.RunUntilQuiescent(100))
	require.Equal(t, []int{-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, order)
	require.Equal(t, sim.Time(time.Second), w.Now())
}

func TestCancelledCallbackDoesNotRun(t *testing.T) {
	w := sim.New(1, sim.Options{Paranoid: true})
	ran := 0
	id, err := w.Schedule(time.Second, "x", func() { ran++ })
	require.NoError(t, err)
	require.True(t, w.Cancel(id))
	require.False(t, w.Cancel(id), "a second cancel finds nothing pending")
	require.NoError(t, w.RunUntilQuiescent(10))
	require.Zero(t, ran)
	require.Zero(t, w.Events())
}

// A running callback's own id is no longer pending: cancelling it finds
// nothing, and a callback scheduled from inside runs normally.
func TestCancelFromInsideTheRunningCallback(t *testing.T) {
	w := sim.New(1, sim.Options{Paranoid: true})
	var self sim.TimerID
	cancelled, nestedRan := true, false
	self, err := w.Schedule(time.Millisecond, "self", func() {
		cancelled = w.Cancel(self)
		_, err := w.Schedule(0, "nested", func() { nestedRan = true })
		require.NoError(t, err)
	})
	require.NoError(t, err)
	require.NoError(t, w.RunUntilQuiescent(10))
	require.False(t, cancelled, "a running event is already fired")
	require.True(t, nestedRan)
	require.Equal(t, uint64(2), w.Events())
}

func TestCancelAfterFireDoesNotHitARecycledSlot(t *testing.T) {
	w := sim.New(1, sim.Options{Paranoid: true})
	first, err := w.Schedule(time.Millisecond, "first", func() {})
	require.NoError(t, err)
	require.True(t, w.Step())
	ran := false
	_, err = w.Schedule(time.Millisecond, "second", func() { ran = true }) // reuses the slot
	require.NoError(t, err)
	require.False(t, w.Cancel(first))
	require.NoError(t, w.RunUntilQuiescent(10))
	require.True(t, ran)
}

func TestRunUntilMovesTheClockEvenWithoutEvents(t *testing.T) {
	w := sim.New(1, sim.Options{})
	require.NoError(t, w.RunFor(3*time.Second))
	require.Equal(t, sim.Time(3*time.Second), w.Now())
	require.ErrorIs(t, w.RunUntil(sim.Time(time.Second)), sim.ErrTimeBackwards)
	require.ErrorIs(t, w.RunFor(-time.Second), sim.ErrNegativeDuration)
}

// A dead event at the head of the queue must not let RunUntil run the live
// event behind it when that one lies past the target: the clock would then
// be set back to the target (time going backwards, seen as a skew applied
// at 1m0.019s and the clock read back at 1m0s).
func TestRunUntilDoesNotRunPastItsTargetBehindDeadEvents(t *testing.T) {
	w, nodes := world(t, 1, 1)
	n := nodes[1]
	var at []sim.Time
	cancelled, err := w.Schedule(10*time.Millisecond, "cancelled", func() { t.Error("cancelled ran") })
	require.NoError(t, err)
	_, err = w.Schedule(20*time.Millisecond, "late", func() { at = append(at, w.Now()) })
	require.NoError(t, err)
	require.True(t, w.Cancel(cancelled))
	// A timer of a node that crashes is dead too.
	_, err = n.p.SetTimer(12*time.Millisecond, 1)
	require.NoError(t, err)
	require.NoError(t, w.RunUntil(sim.Time(time.Millisecond)))
	require.NoError(t, w.Crash(1, sim.CrashOptions{}))

	require.NoError(t, w.RunUntil(sim.Time(15*time.Millisecond)))
	require.Empty(t, at, "the event at 20ms ran before 15ms")
	require.Equal(t, sim.Time(15*time.Millisecond), w.Now())
	require.NoError(t, w.RunUntil(sim.Time(25*time.Millisecond)))
	require.Equal(t, []sim.Time{sim.Time(20 * time.Millisecond)}, at)
	require.Equal(t, sim.Time(25*time.Millisecond), w.Now())
	recs, _ := w.Trace().Records()
	for _, r := range recs {
		require.LessOrEqual(t, r.Time, w.Now())
	}
}

func TestRunUntilQuiescentFailsAtItsBound(t *testing.T) {
	w, nodes := world(t, 1, 1)
	n := nodes[1]
	n.onFire = func(r *recorder, tag uint64) { _, _ = r.p.SetTimer(time.Millisecond, tag) }
	_, err := n.p.SetTimer(time.Millisecond, 7)
	require.NoError(t, err)
	err = w.RunUntilQuiescent(50)
	require.ErrorIs(t, err, sim.ErrEventBound)
	require.Len(t, n.fired, 50)
}

func TestRunWhileStopsWhenConditionFails(t *testing.T) {
	w := sim.New(1, sim.Options{})
	count := 0
	for i := 0; i < 5; i++ {
		_, _ = w.Schedule(time.Duration(i)*time.Millisecond, "tick", func() { count++ })
	}
	require.NoError(t, w.RunWhile(func() bool { return count < 3 }, 100))
	require.Equal(t, 3, count)
	require.ErrorIs(t, w.RunWhile(func() bool { return true }, 1), sim.ErrEventBound)
}

func TestAfterEventErrorStopsTheWorld(t *testing.T) {
	w := sim.New(1, sim.Options{})
	for i := 0; i < 5; i++ {
		_, _ = w.Schedule(time.Duration(i)*time.Millisecond, "tick", func() {})
	}
	stop := sim.ErrEventBound // any error will do
	w.AddAfterEvent(func() error {
		if w.Events() == 2 {
			return stop
		}
		return nil
	})
	require.ErrorIs(t, w.RunFor(time.Second), stop)
	require.Equal(t, uint64(2), w.Events())
	require.ErrorIs(t, w.Err(), stop)
	require.False(t, w.Step())
}

// Observers run after every event in the order they were added, and the
// first error stops the world before the observers after it run.
func TestAfterEventObserversRunInOrder(t *testing.T) {
	w := sim.New(1, sim.Options{})
	for i := 0; i < 5; i++ {
		_, _ = w.Schedule(time.Duration(i)*time.Millisecond, "tick", func() {})
	}
	var calls []string
	stop := sim.ErrEventBound // any error will do
	w.AddAfterEvent(func() error {
		calls = append(calls, "first")
		return nil
	})
	w.AddAfterEvent(func() error {
		calls = append(calls, "second")
		if w.Events() == 2 {
			return stop
		}
		return nil
	})
	w.AddAfterEvent(func() error {
		calls = append(calls, "third")
		return nil
	})
	require.ErrorIs(t, w.RunFor(time.Second), stop)
	require.Equal(t, uint64(2), w.Events())
	require.Equal(t, []string{"first", "second", "third", "first", "second"}, calls)
}

func TestRandStreamsAreIndependentAndReproducible(t *testing.T) {
	a := sim.New(42, sim.Options{})
	b := sim.New(42, sim.Options{})
	// Draw heavily from one stream in a only: the other must not shift.
	for i := 0; i < 1000; i++ {
		a.Rand("noise").Uint64()
	}
	for i := 0; i < 100; i++ {
		require.Equal(t, b.Rand("network").Uint64(), a.Rand("network").Uint64())
	}
	require.Same(t, a.Rand("x"), a.Rand("x"))
	require.NotEqual(t, a.Rand("p").Uint64(), a.Rand("q").Uint64())
	c := sim.New(43, sim.Options{})
	require.NotEqual(t, sim.New(42, sim.Options{}).Rand("n").Uint64(), c.Rand("n").Uint64())
}

func TestProbOfRejectsOutOfRange(t *testing.T) {
	for _, p := range []float64{-0.1, 1.0001, 2} {
		_, err := sim.ProbOf(p)
		require.ErrorIs(t, err, sim.ErrBadProbability, "p=%v", p)
	}
	p, err := sim.ProbOf(0.25)
	require.NoError(t, err)
	require.Equal(t, 0.25, p.Float())
}

func TestTraceRecordsAndPrintsEvents(t *testing.T) {
	w, nodes := world(t, 3, 2)
	noJitter(t, w, time.Millisecond)
	require.NoError(t, nodes[1].p.Send(2, "hi", 2))
	nodes[2].p.Logf("hello %d", 7)
	require.NoError(t, w.RunUntilQuiescent(10))
	recs, truncated := w.Trace().Records()
	require.False(t, truncated)
	var lines []string
	for _, r := range recs {
		lines = append(lines, r.String())
	}
	require.Equal(t, []string{
		"0s n1 start",
		"0s n2 start",
		"0s world network latency 1ms+0s",
		"0s n1 send ->n2 #1 2B",
		"0s n2 log hello 7",
		"1ms n2 deliver <-n1 #1 2B",
	}, lines)
	require.Equal(t, uint64(len(recs)), w.Trace().Len())
}

// The trace hash folds text in eight bytes at a time: a change to any byte,
// in a full word or in the padded tail, and a change of length must show.
func TestTraceHashCoversEveryTextByte(t *testing.T) {
	hashOf := func(text string) uint64 {
		w := sim.New(1, sim.Options{})
		w.Logf("%s", text)
		return w.Trace().Hash()
	}
	base := "0123456789abcdefXYZ" // two full words and a 3-byte tail
	seen := map[uint64]string{hashOf(base): base}
	require.Equal(t, hashOf(base), hashOf(base))
	for i := range base {
		changed := base[:i] + "_" + base[i+1:]
		h := hashOf(changed)
		require.NotContains(t, seen, h, "%q hashes like %q", changed, seen[h])
		seen[h] = changed
	}
	for _, text := range []string{"", "0", "0123456", "01234567", "012345678", base + "\x00"} {
		h := hashOf(text)
		require.NotContains(t, seen, h, "%q hashes like %q", text, seen[h])
		seen[h] = text
	}
}
