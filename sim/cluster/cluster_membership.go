package cluster

import (
	"fmt"
	"slices"

	"etcdsim/sim"
)

// addMemberNode adds member id's node to the world. Each incarnation
// (the first start and every restart) builds a new member that recovers
// from the node's disk.
func (c *Cluster) addMemberNode(id sim.NodeID) error {
	return c.w.AddNode(id, func(p *sim.Proc) sim.Node {
		if old := c.members[id-1]; old != nil && old.kv != nil {
			old.kv.crash() // the crashed incarnation's store, as its process died
		}
		m := newMember(c, p)
		c.members[id-1] = m
		return m
	})
}

// StartMember starts the process of a member that MemberAdd added to the
// configuration, as an operator starts etcd with --initial-cluster-state
// existing: a node with an empty disk, which knows the bootstrap
// configuration only and learns the rest from the leader (its log from
// the start, or a snapshot), as a learner or voter as it was added. From
// then on the observer and the end-of-run HashKV check cover it, and
// Members lists it. Clients learn of it only by asking (Client.Sync), as
// clientv3's do.
//
// Starting an ID that is no member of the configuration is allowed (an
// operator may do so too): no leader sends to it, and it never campaigns.
func (c *Cluster) StartMember(id sim.NodeID) error {
	if id < 1 || id > memberIDMax {
		return fmt.Errorf("cluster: member id %s outside [1,%d]", id, memberIDMax)
	}
	if slices.Contains(c.memberIDs, id) {
		return fmt.Errorf("cluster: member %s already started", id)
	}
	for len(c.members) < int(id) {
		c.members = append(c.members, nil)
	}
	if err := c.addMemberNode(id); err != nil {
		return err
	}
	c.memberIDs = append(c.memberIDs, id)
	slices.Sort(c.memberIDs)
	c.w.Logf("started member %s", id)
	return nil
}
