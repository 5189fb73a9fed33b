package cluster_test

import (
	"fmt"
	"time"

	"etcdsim/mvcc/etcdapi"
	"etcdsim/sim"
	"etcdsim/sim/cluster"
)

// exampleRecipes is a quiet 3-member cluster with n recipe nodes, run
// until it has a leader.
func exampleRecipes(n int) (*sim.World, []*cluster.Concurrency) {
	w := sim.New(1, sim.Options{})
	cfg := cluster.DefaultConfig()
	cfg.Members, cfg.Clients, cfg.Watchers, cfg.Lockers = 3, 0, 0, 0
	c, err := cluster.New(w, cfg)
	if err != nil {
		panic(err)
	}
	ccs := make([]*cluster.Concurrency, n)
	for i := range ccs {
		_ = w.AddNode(sim.NodeID(recipeNodeBase+i), func(p *sim.Proc) sim.Node {
			ccs[i] = cluster.NewConcurrency(p, cluster.NewClient(p, cluster.DefaultClientConfig(),
				c.Members()), cluster.NewWatchClient(p, cluster.DefaultWatchConfig(), c.Members()))
			return &recipeNode{cc: ccs[i]}
		})
	}
	_ = w.RunFor(3 * time.Second)
	return w, ccs
}

// ExampleMutex has two sessions ask for one lock at once: the second
// takes it only once the first unlocks, with a higher fencing token.
func ExampleMutex() {
	w, ccs := exampleRecipes(2)
	for i, cc := range ccs {
		opts := cluster.SessionOptions{TTL: 10, GrantID: int64(i + 1)}
		cc.NewSession(opts, func(s *cluster.Session, err error) {
			if err != nil {
				fmt.Println(err)
				return
			}
			m := cluster.NewMutex(s, "locks/demo")
			m.Lock(func(resp *etcdapi.LockResponse, err error) {
				if err != nil {
					fmt.Println(err)
					return
				}
				fmt.Printf("%s holds the lock, token %d\n", resp.Key, m.Rev())
				_, _ = w.Schedule(100*time.Millisecond, "unlock", func() {
					fmt.Printf("%s unlocks\n", resp.Key)
					m.Unlock(func(*etcdapi.UnlockResponse, error) {})
				})
			})
		})
	}
	_ = w.RunFor(2 * time.Second)
	// Output:
	// locks/demo/1 holds the lock, token 2
	// locks/demo/1 unlocks
	// locks/demo/2 holds the lock, token 3
	// locks/demo/2 unlocks
}

// ExampleElection has two candidates campaign at once: the one whose key
// came first leads until it resigns, then the other; an observer sees
// both.
func ExampleElection() {
	w, ccs := exampleRecipes(2)
	for i, cc := range ccs {
		opts := cluster.SessionOptions{TTL: 10, GrantID: int64(i + 1)}
		cc.NewSession(opts, func(s *cluster.Session, err error) {
			if err != nil {
				fmt.Println(err)
				return
			}
			e := cluster.NewElection(s, "svc")
			if i == 0 {
				e.Observe(func(r *etcdapi.LeaderResponse) {
					if r != nil {
						fmt.Printf("observed leader %s = %s\n", r.Kv.Key, r.Kv.Value)
					}
				})
			}
			e.Campaign([]byte(fmt.Sprintf("node %d", i)),
				func(resp *etcdapi.CampaignResponse, err error) {
					if err != nil {
						fmt.Println(err)
						return
					}
					fmt.Printf("%s leads\n", resp.Leader.Key)
					_, _ = w.Schedule(time.Second, "resign", func() {
						e.Resign(func(*etcdapi.ResignResponse, error) {})
					})
				})
		})
	}
	_ = w.RunFor(5 * time.Second)
	// Output:
	// observed leader svc/2 = node 1
	// svc/2 leads
	// observed leader svc/1 = node 0
	// svc/1 leads
}
