package mvcc

import (
	"slices"

	"etcdsim/mvcc/etcdapi"
)

// Alarms as etcd keeps them (etcd v3.7.1): a set of (member, alarm type)
// pairs in the backend's alarm bucket (server/etcdserver/api/v3alarm/
// alarms.go), changed only by AlarmRequests that went through the
// replicated log (applierV3backend.Alarm, server/etcdserver/apply/
// backend.go), so that every member holds the same set. While any member's
// NOSPACE alarm is raised, puts, txns with puts and lease grants fail with
// etcdapi.ErrNoSpace on every member (applierV3Capped,
// server/etcdserver/apply/capped.go); reads, deletes and compaction still
// work. CORRUPT alarms are kept and listed but refuse nothing: etcd's
// corruption checks and applierV3Corrupt are not modeled.

// alarmRecord is one raised alarm: the member that raised it, and which.
type alarmRecord struct {
	member uint64
	alarm  etcdapi.AlarmType
}

// compareAlarms orders alarms by type, then member (the alarm bucket's key
// order, and the order Alarms lists them in).
func compareAlarms(a, b alarmRecord) int {
	switch {
	case a.alarm != b.alarm:
		return compareInt64(int64(a.alarm), int64(b.alarm))
	case a.member < b.member:
		return -1
	case a.member > b.member:
		return 1
	}
	return 0
}

// api returns a as etcd's message.
func (a alarmRecord) api() *etcdapi.AlarmMember {
	return &etcdapi.AlarmMember{MemberID: a.member, Alarm: a.alarm}
}

// soloMember is the member ID under which a store used on its own (its KV
// calls made directly, outside Apply) raises NOSPACE: there is no log to
// propose the alarm through, so the store raises it at once, as a
// one-member etcd would apply its own AlarmRequest.
const soloMember = 0

// Alarm runs an AlarmRequest as etcd's applier does: GET lists the alarms
// of the type asked (every alarm for NONE); ACTIVATE raises Alarm for
// MemberID (nothing for NONE) and answers it, raised now or before;
// DEACTIVATE clears it and answers it if it was raised. An unknown action
// changes nothing and answers no alarm. In a cluster it runs through Apply
// (Request.Alarm), so that every member agrees.
func (s *Store) Alarm(r *etcdapi.AlarmRequest) (*etcdapi.AlarmResponse, error) {
	if r == nil {
		r = &etcdapi.AlarmRequest{} // a nil message is an empty one, as in protobuf
	}
	if s.closed {
		return nil, ErrClosed
	}
	resp := &etcdapi.AlarmResponse{Header: s.header()}
	a := alarmRecord{member: r.MemberID, alarm: r.Alarm}
	switch r.Action {
	case etcdapi.AlarmRequest_GET:
		resp.Alarms = s.alarmsOf(r.Alarm)
	case etcdapi.AlarmRequest_ACTIVATE:
		if r.Alarm == etcdapi.AlarmType_NONE {
			break
		}
		s.activate(a)
		resp.Alarms = []*etcdapi.AlarmMember{a.api()}
	case etcdapi.AlarmRequest_DEACTIVATE:
		if s.deactivate(a) {
			resp.Alarms = []*etcdapi.AlarmMember{a.api()}
		}
	}
	return resp, nil
}

// Alarms returns every raised alarm, by type and then member.
func (s *Store) Alarms() []*etcdapi.AlarmMember { return s.alarmsOf(etcdapi.AlarmType_NONE) }

// alarmsOf returns the raised alarms of type t, or all of them for NONE.
func (s *Store) alarmsOf(t etcdapi.AlarmType) []*etcdapi.AlarmMember {
	var out []*etcdapi.AlarmMember
	for _, a := range s.alarms {
		if t == etcdapi.AlarmType_NONE || a.alarm == t {
			out = append(out, a.api())
		}
	}
	return out
}

// AlarmDisarm clears every NOSPACE alarm, as `etcdctl alarm disarm` does
// (it lists the alarms, then deactivates each). Writes are accepted again
// while under the quota. A cluster disarms through Apply instead
// (Request.Alarm with DEACTIVATE), one alarm at a time.
func (s *Store) AlarmDisarm() {
	for _, a := range slices.Clone(s.alarms) {
		if a.alarm == etcdapi.AlarmType_NOSPACE {
			s.deactivate(a)
		}
	}
}

// noSpace reports whether any member's NOSPACE alarm is raised: the store
// then refuses writes that cost quota (etcd's capped applier).
func (s *Store) noSpace() bool {
	for _, a := range s.alarms {
		if a.alarm == etcdapi.AlarmType_NOSPACE {
			return true
		}
	}
	return false
}

// activate raises a, durably, unless it is raised already.
func (s *Store) activate(a alarmRecord) {
	i, found := slices.BinarySearchFunc(s.alarms, a, compareAlarms)
	if found {
		return
	}
	s.alarms = slices.Insert(s.alarms, i, a)
	must(s.be.putAlarm(a))
	assertf(slices.IsSortedFunc(s.alarms, compareAlarms), "alarms out of order: %v", s.alarms)
}

// deactivate clears a, durably, and reports whether it was raised.
func (s *Store) deactivate(a alarmRecord) bool {
	i, found := slices.BinarySearchFunc(s.alarms, a, compareAlarms)
	if !found {
		return false
	}
	s.alarms = slices.Delete(s.alarms, i, i+1)
	must(s.be.deleteAlarm(a))
	return true
}
