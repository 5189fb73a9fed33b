package mvcc_test

import (
	"bytes"
	"sort"

	"etcdsim/mvcc/etcdapi"
)

// model is the naive reference for the rapid test: the whole keyspace at
// every revision, and the events of every revision.
type model struct {
	rev        int64
	compactRev int64
	states     []map[string]etcdapi.KeyValue // states[r]: keyspace at revision r
	events     [][]etcdapi.Event             // events[r]: changes of revision r, in order
	leases     map[int64]bool
}

func newModel() *model {
	return &model{rev: 1, compactRev: -1, states: []map[string]etcdapi.KeyValue{{}, {}},
		events: [][]etcdapi.Event{nil, nil},
		leases: map[int64]bool{}}
}

func (m *model) cur() map[string]etcdapi.KeyValue { return m.states[m.rev] }

// modelTxn accumulates one revision's changes.
type modelTxn struct {
	m     *model
	state map[string]etcdapi.KeyValue
	evs   []etcdapi.Event
}

func (m *model) begin() *modelTxn {
	st := make(map[string]etcdapi.KeyValue, len(m.cur()))
	for k, v := range m.cur() { //det:ok copying a map
		st[k] = v
	}
	return &modelTxn{m: m, state: st}
}

func (t *modelTxn) put(k, v string, lease int64) {
	rev := t.m.rev + 1
	kv := etcdapi.KeyValue{Key: []byte(k), Value: []byte(v), CreateRevision: rev, ModRevision: rev,
		Version: 1, Lease: lease}
	if old, ok := t.state[k]; ok {
		kv.CreateRevision, kv.Version = old.CreateRevision, old.Version+1
	}
	t.state[k] = kv
	t.evs = append(t.evs, etcdapi.Event{Type: etcdapi.PUT, Kv: &kv})
}

func (t *modelTxn) del(key, end []byte) int64 {
	keys := inRange(t.state, key, end)
	for _, k := range keys {
		delete(t.state, k)
		t.evs = append(t.evs, etcdapi.Event{Type: etcdapi.DELETE,
			Kv: &etcdapi.KeyValue{Key: []byte(k), ModRevision: t.m.rev + 1}})
	}
	return int64(len(keys))
}

func (t *modelTxn) end() {
	if len(t.evs) == 0 {
		return
	}
	t.m.rev++
	t.m.states = append(t.m.states, t.state)
	t.m.events = append(t.m.events, t.evs)
}

// inRange lists the keys of st in [key, end) (end nil: key only; "\x00":
// every key from key on), sorted.
func inRange(st map[string]etcdapi.KeyValue, key, end []byte) []string {
	var out []string
	for k := range st { //det:ok sorted below
		kb := []byte(k)
		switch {
		case len(end) == 0:
			if bytes.Equal(kb, key) {
				out = append(out, k)
			}
		case len(end) == 1 && end[0] == 0:
			if bytes.Compare(kb, key) >= 0 {
				out = append(out, k)
			}
		case bytes.Compare(kb, key) >= 0 && bytes.Compare(kb, end) < 0:
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// rangeAt answers a range the naive way. Sorting is stable, so for targets
// other than KEY only the sequence of target values is comparable.
func (m *model) rangeAt(r *etcdapi.RangeRequest) ([]etcdapi.KeyValue, int64, bool, error) {
	rev := r.Revision
	if rev > m.rev {
		return nil, 0, false, etcdapi.ErrFutureRev
	}
	if rev <= 0 {
		rev = m.rev
	}
	if rev < m.compactRev {
		return nil, 0, false, etcdapi.ErrCompacted
	}
	st := m.states[rev]
	keys := inRange(st, r.Key, r.RangeEnd)
	if r.CountOnly {
		return nil, int64(len(keys)), false, nil
	}
	var kvs []etcdapi.KeyValue
	for _, k := range keys {
		kv := st[k]
		if r.MinModRevision != 0 && kv.ModRevision < r.MinModRevision ||
			r.MaxModRevision != 0 && kv.ModRevision > r.MaxModRevision ||
			r.MinCreateRevision != 0 && kv.CreateRevision < r.MinCreateRevision ||
			r.MaxCreateRevision != 0 && kv.CreateRevision > r.MaxCreateRevision {
			continue
		}
		kvs = append(kvs, kv)
	}
	// etcd v3.6.5 (server/etcdserver/txn/txn.go executeRange; v3.7.1's
	// txn/range.go rangeLimit and sortRangeResults agree) fetches limit+1
	// keys in key order when the order is NONE and no revision filter is
	// set, and sorts only those, ascending by a non-KEY target.
	if r.SortOrder == etcdapi.RangeRequest_NONE && !hasRevisionFilters(r) && r.Limit > 0 &&
		int64(len(kvs)) > r.Limit+1 {
		kvs = kvs[:r.Limit+1]
	}
	target := func(kv etcdapi.KeyValue) string { return sortKey(kv, r.SortTarget) }
	if r.SortOrder != etcdapi.RangeRequest_NONE || r.SortTarget != etcdapi.RangeRequest_KEY {
		sort.SliceStable(kvs, func(i, j int) bool {
			if r.SortOrder == etcdapi.RangeRequest_DESCEND {
				return target(kvs[i]) > target(kvs[j])
			}
			return target(kvs[i]) < target(kvs[j])
		})
	}
	more := false
	if r.Limit > 0 && int64(len(kvs)) > r.Limit {
		kvs, more = kvs[:r.Limit], true
	}
	return kvs, int64(len(keys)), more, nil
}

func hasRevisionFilters(r *etcdapi.RangeRequest) bool {
	return r.MinModRevision != 0 || r.MaxModRevision != 0 ||
		r.MinCreateRevision != 0 || r.MaxCreateRevision != 0
}

// sortKey renders a KeyValue's sort target so that string order is the
// target's order (numbers are small and positive here).
func sortKey(kv etcdapi.KeyValue, t etcdapi.RangeRequest_SortTarget) string {
	num := func(n int64) string { return string(rune('A' + n)) }
	switch t {
	case etcdapi.RangeRequest_VERSION:
		return num(kv.Version)
	case etcdapi.RangeRequest_CREATE:
		return num(kv.CreateRevision)
	case etcdapi.RangeRequest_MOD:
		return num(kv.ModRevision)
	case etcdapi.RangeRequest_VALUE:
		return string(kv.Value)
	}
	return string(kv.Key)
}
