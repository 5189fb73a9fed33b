package raftimpl_test

import (
	"testing"

	"etcdsim/raftimpl"
)

// benchCluster is the lightest possible host: no WAL, messages delivered
// in order, so the benchmark measures the Raft core itself.
type benchCluster struct {
	nodes    []*raftimpl.Node
	storages []*raftimpl.MemoryStorage
	queue    []raftimpl.Message
	next     []raftimpl.Message
	// reads collects the ReadStates handed out, for tests.
	reads []raftimpl.ReadState
}

func newBenchCluster(b testing.TB, n int) *benchCluster {
	c := &benchCluster{}
	cfg := raftimpl.Config{ElectionTicks: 10, HeartbeatTicks: 1, Rand: zeroRand{},
		MaxInflightMsgs: 256}
	for i := range n {
		cfg.Voters = append(cfg.Voters, raftimpl.NodeID(i+1))
	}
	for i := range n {
		cfg.ID = raftimpl.NodeID(i + 1)
		ms := raftimpl.NewMemoryStorage()
		node, err := raftimpl.New(cfg, ms)
		if err != nil {
			b.Fatal(err)
		}
		c.nodes = append(c.nodes, node)
		c.storages = append(c.storages, ms)
	}
	if err := c.nodes[0].Campaign(); err != nil {
		b.Fatal(err)
	}
	c.settle()
	return c
}

// settle handles Readies and delivers messages until the cluster is quiet.
func (c *benchCluster) settle() {
	for {
		busy := false
		for _, n := range c.nodes {
			if n.HasReady() {
				busy = true
				rd := n.Ready()
				c.queue = append(c.queue, rd.Messages...)
				c.reads = append(c.reads, rd.ReadStates...)
				n.Advance(rd)
			}
		}
		if !busy && len(c.queue) == 0 {
			return
		}
		c.queue, c.next = c.next[:0], c.queue
		for _, m := range c.next {
			_ = c.nodes[m.To-1].Step(m)
		}
	}
}

// BenchmarkCluster3ProposeBatch measures committed proposals per second on
// a three-node cluster, closed loop: propose a batch of 64 on the leader,
// run the cluster until everything is committed and applied everywhere.
// One op is one proposal, so allocs/op is allocations per committed
// proposal.
func BenchmarkCluster3ProposeBatch(b *testing.B) {
	const batch = 64
	c := newBenchCluster(b, 3)
	payload := make([]byte, 16)
	data := make([][]byte, batch)
	for i := range data {
		data[i] = payload
	}
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; done += batch {
		if err := c.nodes[0].ProposeBatch(data[:min(batch, b.N-done)]); err != nil {
			b.Fatal(err)
		}
		c.settle()
	}
	b.StopTimer()
	if c.nodes[2].AppliedIndex() < raftimpl.LogIndex(b.N) {
		b.Fatalf("applied %v < %d", c.nodes[2].AppliedIndex(), b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "proposals/s")
}

// BenchmarkCluster3ProposeOne is the same without batching: one proposal,
// one round to commit.
func BenchmarkCluster3ProposeOne(b *testing.B) {
	c := newBenchCluster(b, 3)
	payload := make([]byte, 16)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := c.nodes[0].Propose(payload); err != nil {
			b.Fatal(err)
		}
		c.settle()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "proposals/s")
}
