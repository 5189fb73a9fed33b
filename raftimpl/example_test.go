package raftimpl_test

import (
	"errors"
	"fmt"

	"etcdsim/raftimpl"
)

// ExampleNew drives a single-member cluster: campaign, propose, and the
// host loop that handles each Ready (here without a WAL; see package wal).
func ExampleNew() {
	cfg := raftimpl.Config{ID: 1, Voters: []raftimpl.NodeID{1}, ElectionTicks: 10,
		HeartbeatTicks: 1, Rand: zeroRand{}}
	node, err := raftimpl.New(cfg, raftimpl.NewMemoryStorage())
	if err != nil {
		panic(err)
	}
	handle := func() {
		for node.HasReady() {
			rd := node.Ready()
			// 1. persist rd.HardState and rd.Entries (and fsync if MustSync)
			// 2. send rd.Messages
			for _, e := range rd.CommittedEntries { // 3. apply
				fmt.Println("apply", raftimpl.DescribeEntry(e))
			}
			node.Advance(rd) // 4. acknowledge
		}
	}
	_ = node.Campaign()
	handle()
	_ = node.Propose([]byte("hello"))
	handle()
	fmt.Println(node.Role(), "term", node.Term(), "commit", node.CommitIndex())
	// Output:
	// apply 1/1 <noop>
	// apply 1/2 hello
	// leader term 1 commit 2
}

// ExampleParseBug turns a CLI name into a planted bug.
func ExampleParseBug() {
	b, err := raftimpl.ParseBug("figure8-commit")
	fmt.Println(b, err)
	_, err = raftimpl.ParseBug("nope")
	fmt.Println(errors.Is(err, raftimpl.ErrUnknownBug))
	// Output:
	// figure8-commit <nil>
	// true
}

// ExampleChecker observes nodes after each step.
func ExampleChecker() {
	cfg := raftimpl.Config{ID: 1, Voters: []raftimpl.NodeID{1}, ElectionTicks: 10,
		HeartbeatTicks: 1, Rand: zeroRand{}}
	node, _ := raftimpl.New(cfg, raftimpl.NewMemoryStorage())
	checker := raftimpl.NewChecker()
	_ = node.Campaign()
	for node.HasReady() {
		rd := node.Ready()
		node.Advance(rd)
		fmt.Println(checker.Observe([]*raftimpl.Node{node}))
	}
	// Output:
	// <nil>
}
