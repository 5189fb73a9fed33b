package wal_test

import (
	"testing"

	"etcdsim/raftimpl"
	"etcdsim/raftimpl/wal"
)

type zeroRand struct{}

func (zeroRand) IntN(int) int { return 0 }

// walMember is a node with its WAL on an in-memory disk.
type walMember struct {
	node *raftimpl.Node
	w    *wal.WAL
}

// BenchmarkCluster3ProposeBatchWAL is the closed-loop batching benchmark
// with every Ready written to a WAL (framing, CRC32C, fsync on an
// in-memory disk) before its messages are sent. One op is one committed
// proposal.
func BenchmarkCluster3ProposeBatchWAL(b *testing.B) {
	const batch = 64
	members := make([]walMember, 3)
	cfg := raftimpl.Config{ElectionTicks: 10, HeartbeatTicks: 1, Rand: zeroRand{},
		Voters: []raftimpl.NodeID{1, 2, 3}}
	for i := range members {
		cfg.ID = raftimpl.NodeID(i + 1)
		w, st, err := wal.Open(wal.NewMemDir())
		if err != nil {
			b.Fatal(err)
		}
		ms, _ := st.Storage()
		n, err := raftimpl.New(cfg, ms)
		if err != nil {
			b.Fatal(err)
		}
		members[i] = walMember{node: n, w: w}
	}
	var queue, next []raftimpl.Message
	settle := func() {
		for {
			busy := false
			for _, m := range members {
				if !m.node.HasReady() {
					continue
				}
				busy = true
				rd := m.node.Ready()
				if err := m.w.Save(rd.HardState, rd.Entries, rd.MustSync); err != nil {
					b.Fatal(err)
				}
				queue = append(queue, rd.Messages...)
				m.node.Advance(rd)
			}
			if !busy && len(queue) == 0 {
				return
			}
			queue, next = next[:0], queue
			for _, msg := range next {
				_ = members[msg.To-1].node.Step(msg)
			}
		}
	}
	_ = members[0].node.Campaign()
	settle()
	data := make([][]byte, batch)
	for i := range data {
		data[i] = make([]byte, 16)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; done += batch {
		if err := members[0].node.ProposeBatch(data[:min(batch, b.N-done)]); err != nil {
			b.Fatal(err)
		}
		settle()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "proposals/s")
}
