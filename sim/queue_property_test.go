package sim_test

import (
	"sort"
	"testing"
	"time"

	"pgregory.net/rapid"

	"etcdsim/sim"
	"etcdsim/testdata/proptest"
)

// TestEventOrderMatchesReference schedules callbacks at random delays, some
// from inside other callbacks, cancels a random subset, and checks that the
// world ran exactly the uncancelled ones in (time, insertion) order, as a
// sort of the same events would.
func TestEventOrderMatchesReference(t *testing.T) {
	proptest.Check(t, 5000, func(t *rapid.T) {
		w := sim.New(1, sim.Options{Paranoid: true})
		type ev struct {
			at  sim.Time
			seq int
		}
		var want []ev
		var ran []int
		seq := 0
		var ids []sim.TimerID
		var schedule func(d time.Duration, nested bool)
		schedule = func(d time.Duration, nested bool) {
			seq++
			mine := seq
			id, err := w.Schedule(d, "e", func() {
				ran = append(ran, mine)
				if nested {
					schedule(time.Duration(rapid.IntRange(0, 5).Draw(t, "nestedDelay")), false)
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, ev{at: w.Now().Add(d), seq: mine})
			ids = append(ids, id)
		}
		n := rapid.IntRange(0, 60).Draw(t, "n")
		for i := 0; i < n; i++ {
			schedule(time.Duration(rapid.IntRange(0, 10).Draw(t, "delay")), rapid.Bool().Draw(t, "nested"))
		}
		cancelled := map[int]bool{}
		for i := range ids {
			if rapid.IntRange(0, 4).Draw(t, "cancel") == 0 && w.Cancel(ids[i]) {
				cancelled[i+1] = true
			}
		}
		if err := w.RunUntilQuiescent(10_000); err != nil {
			t.Fatal(err)
		}
		sort.SliceStable(want, func(i, j int) bool {
			if want[i].at != want[j].at {
				return want[i].at < want[j].at
			}
			return want[i].seq < want[j].seq
		})
		var expect []int
		for _, e := range want {
			if !cancelled[e.seq] {
				expect = append(expect, e.seq)
			}
		}
		if len(expect) != len(ran) {
			t.Fatalf("ran %v, want %v", ran, expect)
		}
		for i := range ran {
			if ran[i] != expect[i] {
				t.Fatalf("ran %v, want %v", ran, expect)
			}
		}
	})
}
