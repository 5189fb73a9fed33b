package linearizability

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/anishathalye/porcupine"
	"github.com/stretchr/testify/require"
)

// The search must agree with porcupine's own checker on every partition:
// the dominance pruning and the determinate-first order may change how
// much is explored, never the verdict. Histories are small and many of
// their writes indeterminate (where the pruning acts), and half of them
// have one response altered so that both verdicts occur.
func TestSearchAgreesWithPorcupine(t *testing.T) {
	verdicts := map[Verdict]int{}
	pinned, unread := 0, 0 // how often the resolution acted
	for seed := uint64(1); seed <= 600; seed++ {
		rng := rand.New(rand.NewPCG(seed, 99))
		cfg := genConfig{seed: seed, clients: 2 + rng.IntN(4), ops: 8 + rng.IntN(40),
			keys: 1 + rng.IntN(2), unknownPct: rng.IntN(50), tokenized: rng.IntN(2) == 0}
		for _, h := range []History{genKV(cfg), genEtcd(cfg)} {
			if rng.IntN(2) == 0 {
				alter(rng, &h)
			}
			kind, err := chooseModel(h, ModelAuto)
			require.NoError(t, err)
			// The search runs on the resolved partitions (pinned, unread
			// marked); porcupine on the raw ones.
			p, raw := prepare(h, kind), prepareWith(h, kind, false)
			for i, part := range p.parts {
				for _, op := range part {
					in, _ := op.Input.(KVInput)
					pinned += map[bool]int{true: 1}[op.Metadata.(opMeta).pinned]
					unread += map[bool]int{true: 1}[in.unread && op.Metadata.(opMeta).unknown]
				}
				got := searchPartition(p.model, part, 1<<40)
				ok := porcupine.CheckOperations(raw.model, raw.parts[i])
				want := map[bool]Verdict{true: Linearizable, false: NotLinearizable}[ok]
				require.Equal(t, want, got.verdict, "seed %d, %v model, partition %q", seed, kind, p.keys[i])
				verdicts[got.verdict]++
				if got.verdict == Linearizable {
					requireLinearization(t, p.model, part, got.order)
					requireLinearization(t, raw.model, plain(part), got.order)
				}
			}
		}
	}
	t.Logf("verdicts: %v; %d writes pinned, %d indeterminate ones unread", verdicts, pinned, unread)
	require.Greater(t, pinned, 100)
	require.Greater(t, unread, 100)
	require.Greater(t, verdicts[NotLinearizable], 100)
	require.Greater(t, verdicts[Linearizable], 100)
}

// requireLinearization replays order: it must hold every operation once,
// respect real time, and step the model without a refusal.
func requireLinearization(t *testing.T, m porcupine.Model, part []porcupine.Operation, order []int) {
	t.Helper()
	require.Len(t, order, len(part))
	seen := make([]bool, len(part))
	st := m.Init()
	for k, i := range order {
		require.False(t, seen[i], "op %d twice", i)
		seen[i] = true
		for _, j := range order[k+1:] {
			// Nothing placed later may have returned before i was called.
			require.False(t, part[j].Return < part[i].Call, "op %d after %d, which returned first", j, i)
		}
		ok, next := m.Step(st, part[i].Input, part[i].Output)
		require.True(t, ok, "step %d (op %d) refused", k, i)
		st = next
	}
}

// alter changes one determinate response of h at random.
func alter(rng *rand.Rand, h *History) {
	var known []int
	for i, op := range h.Ops {
		if !op.Unknown {
			known = append(known, i)
		}
	}
	if len(known) == 0 {
		return
	}
	op := &h.Ops[known[rng.IntN(len(known))]]
	switch out := op.Output.(type) {
	case KVOutput:
		out.OK = !out.OK
		if rng.IntN(2) == 0 {
			out.Value, out.Found = fmt.Sprintf("v%d", rng.IntN(len(h.Ops))), true
		}
		op.Output = out
	case EtcdResponse:
		out.Revision += Revision(rng.IntN(3)) - 1
		op.Output = out
	}
}

// An indeterminate write placed and then overwritten leads to the same
// state as leaving it out. Porcupine explores both; the search explores
// the second only, so its steps stay near linear in the writes left
// pending, where porcupine's double with each one. A failing read at the
// end makes both searches explore everything.
func TestSearchPrunesOverwrittenIndeterminateWrites(t *testing.T) {
	var h History
	// A write that times out, then a put and a read of it, 12 times over;
	// then a read of a value nobody wrote.
	id := OpID(0)
	add := func(op Operation) {
		op.ID = id
		id++
		h.Ops = append(h.Ops, op)
	}
	for i := range 12 {
		at := Time(10 * i)
		add(Operation{Client: ClientID(100 + i), Call: at, Unknown: true,
			Input: KVInput{Kind: KVPut, Key: "k", Value: fmt.Sprintf("lost%d", i)}})
		add(Operation{Client: 1, Call: at + 1, Return: at + 2,
			Input: KVInput{Kind: KVPut, Key: "k", Value: fmt.Sprintf("v%d", i)}, Output: KVOutput{}})
		add(Operation{Client: 1, Call: at + 3, Return: at + 4,
			Input: KVInput{Kind: KVGet, Key: "k"}, Output: KVOutput{Value: fmt.Sprintf("v%d", i), Found: true}})
	}
	add(Operation{Client: 1, Call: 1000, Return: 1001,
		Input: KVInput{Kind: KVGet, Key: "k"}, Output: KVOutput{Value: "phantom", Found: true}})
	res, err := Check(h, Options{})
	require.NoError(t, err)
	require.Equal(t, NotLinearizable, res.Verdict)
	require.Less(t, res.Steps, Steps(5000), "steps grow with the indeterminate writes")
	p := prepare(h, ModelPerKey)
	var counted int64
	m := p.model
	step := m.Step
	m.Step = func(s, i, o any) (bool, any) { counted++; return step(s, i, o) }
	require.False(t, porcupine.CheckOperations(m, p.parts[0]))
	t.Logf("steps: search %v, porcupine %d", res.Steps, counted)
	require.Greater(t, counted, 10*int64(res.Steps))
}
