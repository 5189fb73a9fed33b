package linearizability

import (
	"testing"
)

// BenchmarkPerKey10k checks a linearizable 10,000-operation history over
// 100 keys, partitioned by key. Target: under one second on one core.
func BenchmarkPerKey10k(b *testing.B) {
	h := genKV(genConfig{seed: 1, clients: 20, ops: 10_000, keys: 100})
	b.ReportAllocs()
	for b.Loop() {
		res, err := Check(h, Options{})
		if err != nil || res.Verdict != Linearizable {
			b.Fatalf("verdict %v, err %v", res.Verdict, err)
		}
	}
}

// BenchmarkEtcd2kUnknown5 checks the etcd model on a linearizable
// 2,000-operation history over 10 keys with 5% indeterminate writes.
// Target: under one second on one core.
func BenchmarkEtcd2kUnknown5(b *testing.B) {
	h := genEtcd(genConfig{seed: 1, clients: 10, ops: 2_000, keys: 10, unknownPct: 5})
	b.ReportAllocs()
	for b.Loop() {
		res, err := Check(h, Options{})
		if err != nil || res.Verdict != Linearizable {
			b.Fatalf("verdict %v, err %v", res.Verdict, err)
		}
	}
}

// BenchmarkEtcdModelStep replays a linearizable 2,000-operation etcd
// history through the model's step function in its linearization order:
// the cost of one accepted step, response comparison included.
func BenchmarkEtcdModelStep(b *testing.B) {
	h := genEtcd(genConfig{seed: 1, clients: 10, ops: 2_000, keys: 10})
	p := prepare(h, ModelEtcd)
	res := searchPartition(p.model, p.parts[0], 1<<40)
	if res.verdict != Linearizable {
		b.Fatalf("verdict %v", res.verdict)
	}
	part := p.parts[0]
	b.ReportAllocs()
	for b.Loop() {
		st := p.model.Init()
		for _, i := range res.order {
			ok, next := step(p.model, st, part[i])
			if !ok {
				b.Fatalf("step %d refused", i)
			}
			st = next
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(part)), "ns/step")
}
