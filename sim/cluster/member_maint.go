package cluster

import "etcdsim/sim"

// maintCall is a Maintenance service call. TODO(maintenance): Status,
// Defragment, Alarm, Hash, HashKV, MoveLeader.
type maintCall struct{}

// maintResult answers a maintCall.
type maintResult struct{}

// serveMaintenance answers a Maintenance service call.
func (m *member) serveMaintenance(from sim.NodeID, req *request) {}
