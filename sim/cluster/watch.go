package cluster

import (
	"etcdsim/mvcc/etcdapi"
	"etcdsim/sim"
)

// watchRequestMsg carries one message of a client's watch stream to a
// member. TODO(watch): streams, resumption and the watch check.
type watchRequestMsg struct {
	stream uint64
	req    *etcdapi.WatchRequest
}

// serveWatch handles a message of a watch stream.
func (m *member) serveWatch(from sim.NodeID, msg *watchRequestMsg) {}

// notifyWatches sends the events the last applied entries produced.
func (m *member) notifyWatches() {}
