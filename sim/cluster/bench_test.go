package cluster_test

import (
	"testing"
	"time"

	"etcdsim/mvcc"
	"etcdsim/mvcc/etcdapi"
	"etcdsim/sim"
	"etcdsim/sim/cluster"
)

// put is the write every benchmark proposal carries: 16 bytes of value.
var put = &mvcc.Request{Put: &etcdapi.PutRequest{Key: []byte("bench"), Value: []byte("0123456789abcdef")}}

// compactEvery is how many proposals separate compactions: as a real
// deployment compacts (Kubernetes every five minutes), so that the store,
// whose snapshot is its whole history, stays bounded.
const compactEvery = 1000

// command is the seq-th benchmark proposal: a put, or every compactEvery
// a compaction of the history behind the revision seq-compactEvery/2
// (each put raises the revision by one, from 2).
func command(seq uint64) []byte {
	if seq%compactEvery == 0 {
		rev := int64(seq - compactEvery/2)
		return cluster.Command(1, seq, &mvcc.Request{Compaction: &etcdapi.CompactionRequest{Revision: rev}})
	}
	return cluster.Command(1, seq, put)
}

// benchCluster builds a cluster without clients on 1ms links (no jitter)
// and waits for a leader.
func benchCluster(b *testing.B, members int) (*sim.World, *cluster.Cluster, sim.NodeID) {
	b.Helper()
	w := sim.New(1, sim.Options{})
	if err := w.Network().SetLatency(sim.Latency{Base: time.Millisecond}); err != nil {
		b.Fatal(err)
	}
	cfg := cluster.DefaultConfig()
	cfg.Members, cfg.Clients, cfg.Watchers, cfg.Lockers = members, 0, 0, 0
	c, err := cluster.New(w, cfg)
	if err != nil {
		b.Fatal(err)
	}
	if err := w.RunFor(3 * time.Second); err != nil {
		b.Fatal(err)
	}
	leader, ok := c.Leader()
	if !ok {
		b.Fatal("no leader after 3s")
	}
	return w, c, leader
}

// BenchmarkCluster3ClosedLoop measures Raft in the simulator at full speed:
// a 3-member cluster on 1ms links, WAL on the simulated disk, the safety
// observer after every event, and proposals kept in a closed loop of
// batches (64 per batch, up to 1024 outstanding). One op is one committed
// and applied proposal.
func BenchmarkCluster3ClosedLoop(b *testing.B) {
	const batch, outstandingMax = 64, 1024
	w, c, leader := benchCluster(b, 3)
	payload := make([][]byte, batch)
	startApplied, startEvents := c.Applied(), w.Events()
	proposed := uint64(0)
	b.ReportAllocs()
	b.ResetTimer()
	for committed := uint64(0); committed < uint64(b.N); {
		for proposed-committed < outstandingMax {
			for i := range payload {
				proposed++
				payload[i] = command(proposed)
			}
			if err := c.ProposeBatch(leader, payload); err != nil {
				b.Fatal(err)
			}
		}
		if !w.Step() {
			b.Fatal("world stopped:", w.Err())
		}
		// Applied counts every member's applies: a proposal is committed
		// and applied everywhere once the three have applied it.
		committed = (c.Applied() - startApplied) / 3
	}
	b.StopTimer()
	wall := b.Elapsed().Seconds()
	b.ReportMetric(float64(b.N)/wall, "proposals/s")
	b.ReportMetric(float64(w.Events()-startEvents)/wall, "events/s")
}

// BenchmarkCluster5Paced measures how much faster than real time a 5-member
// cluster runs at a modest load: 100 proposals per simulated second, one
// every 10ms. One op is one simulated second.
func BenchmarkCluster5Paced(b *testing.B) {
	w, c, leader := benchCluster(b, 5)
	seq := uint64(0)
	var tick func()
	tick = func() {
		seq++
		if err := c.ProposeBatch(leader, [][]byte{command(seq)}); err != nil {
			b.Fatal(err)
		}
		_, _ = w.Schedule(10*time.Millisecond, "propose", tick)
	}
	tick()
	startEvents := w.Events()
	b.ReportAllocs()
	b.ResetTimer()
	if err := w.RunFor(time.Duration(b.N) * time.Second); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sim-s/wall-s")
	b.ReportMetric(float64(w.Events()-startEvents)/float64(b.N), "events/sim-s")
}
