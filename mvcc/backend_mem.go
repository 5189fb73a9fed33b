package mvcc

import (
	"slices"
	"sort"

	"etcdsim/mvcc/etcdapi"
)

// Chunk capacities of memBackend: chunks never grow, so a put never copies
// old records. The first chunks are small, so that small stores stay small.
const (
	memChunkRecsMin = 64
	memChunkRecs    = 4096
)

// memBackend keeps records in revision order in fixed-size chunks. Records
// arrive in revision order, so put appends; get binary-searches.
//
// Invariant: the records, chunk after chunk, are strictly ascending by rev;
// only the last chunk may be partly filled, and no chunk is empty.
type memBackend struct {
	chunks  [][]record
	meta    map[metaKey]int64
	leaseBy map[LeaseID]int64
	// alarmSet holds the raised alarms.
	alarmSet map[alarmRecord]struct{}
	bytes    int64
}

func newMemBackend() *memBackend {
	return &memBackend{meta: make(map[metaKey]int64), leaseBy: make(map[LeaseID]int64),
		alarmSet: make(map[alarmRecord]struct{})}
}

// find returns the position of the first record >= rev.
func (m *memBackend) find(rev revision) (ci, ri int) {
	ci = sort.Search(len(m.chunks), func(i int) bool {
		c := m.chunks[i]
		return !rev.greaterThan(c[len(c)-1].rev)
	})
	if ci == len(m.chunks) {
		return ci, 0
	}
	c := m.chunks[ci]
	ri = sort.Search(len(c), func(i int) bool { return !rev.greaterThan(c[i].rev) })
	return ci, ri
}

func (m *memBackend) get(rev revision) (etcdapi.KeyValue, bool, error) {
	ci, ri := m.find(rev)
	if ci == len(m.chunks) {
		return etcdapi.KeyValue{}, false, nil
	}
	r := &m.chunks[ci][ri]
	if r.rev != rev || r.tomb {
		return etcdapi.KeyValue{}, false, nil
	}
	return r.kv, true, nil
}

func (m *memBackend) scan(lo, hi revision, f func(r *record) bool) error {
	ci, ri := m.find(lo)
	for ; ci < len(m.chunks); ci, ri = ci+1, 0 {
		c := m.chunks[ci]
		for ; ri < len(c); ri++ {
			if !hi.greaterThan(c[ri].rev) || !f(&c[ri]) {
				return nil
			}
		}
	}
	return nil
}

// last returns the newest record's revision.
func (m *memBackend) last() (revision, bool) {
	if len(m.chunks) == 0 {
		return revision{}, false
	}
	c := m.chunks[len(m.chunks)-1]
	return c[len(c)-1].rev, true
}

func (m *memBackend) put(r record) error {
	if last, ok := m.last(); ok && !r.rev.greaterThan(last) {
		panicf("mem backend: put %v after %v", r.rev, last)
	}
	n := len(m.chunks)
	if n == 0 || len(m.chunks[n-1]) == cap(m.chunks[n-1]) {
		size := min(memChunkRecs, memChunkRecsMin<<min(n, 6))
		m.chunks = append(m.chunks, make([]record, 0, size))
		n++
	}
	m.chunks[n-1] = append(m.chunks[n-1], r)
	m.bytes += recordCost(&r.kv)
	return nil
}

// compact rewrites the chunks without the doomed records.
func (m *memBackend) compact(atRev int64, keep map[revision]struct{}) error {
	old := m.chunks
	m.bytes -= m.recordBytes()
	m.chunks = nil
	for _, c := range old {
		for i := range c {
			if _, ok := keep[c[i].rev]; ok || c[i].rev.main > atRev {
				must(m.put(c[i]))
			}
		}
	}
	return nil
}

// recordBytes is the logical size of the stored records alone.
func (m *memBackend) recordBytes() int64 {
	var n int64
	for _, c := range m.chunks {
		for i := range c {
			n += recordCost(&c[i].kv)
		}
	}
	return n
}

func (m *memBackend) putMeta(k metaKey, v int64) error { m.meta[k] = v; return nil }

func (m *memBackend) getMeta(k metaKey) (int64, bool, error) {
	v, ok := m.meta[k]
	return v, ok, nil
}

// putLease stores l, counting it in the size if it is new.
func (m *memBackend) putLease(l leaseRecord) error {
	if _, ok := m.leaseBy[l.id]; !ok {
		m.bytes += leaseRecordBytes
	}
	m.leaseBy[l.id] = l.ttl
	return nil
}

// deleteLease removes a lease, if stored.
func (m *memBackend) deleteLease(id LeaseID) error {
	if _, ok := m.leaseBy[id]; ok {
		m.bytes -= leaseRecordBytes
		delete(m.leaseBy, id)
	}
	return nil
}

// leases returns every lease in ID order.
func (m *memBackend) leases() ([]leaseRecord, error) {
	ls := make([]leaseRecord, 0, len(m.leaseBy))
	for id, ttl := range m.leaseBy { //det:ok sorted below
		ls = append(ls, leaseRecord{id: id, ttl: ttl})
	}
	sort.Slice(ls, func(i, j int) bool { return ls[i].id < ls[j].id })
	return ls, nil
}

func (m *memBackend) putAlarm(a alarmRecord) error {
	m.alarmSet[a] = struct{}{}
	return nil
}

func (m *memBackend) deleteAlarm(a alarmRecord) error {
	delete(m.alarmSet, a)
	return nil
}

// alarms returns every alarm, ordered by compareAlarms.
func (m *memBackend) alarms() ([]alarmRecord, error) {
	as := make([]alarmRecord, 0, len(m.alarmSet))
	for a := range m.alarmSet { //det:ok sorted below
		as = append(as, a)
	}
	slices.SortFunc(as, compareAlarms)
	return as, nil
}

func (m *memBackend) size() int64 { return m.bytes }

func (m *memBackend) commit() error { return nil }

func (m *memBackend) close() error { return nil }

// abandon on memory loses everything, as a crash loses RAM.
func (m *memBackend) abandon() error { return m.reset() }

// reset forgets everything.
func (m *memBackend) reset() error {
	*m = *newMemBackend()
	return nil
}

// checkInvariants asserts the chunk shape and revision order; whole-structure.
func (m *memBackend) checkInvariants() {
	var prev revision
	for i, c := range m.chunks {
		assertf(len(c) > 0, "mem backend: empty chunk %d", i)
		assertf(i == len(m.chunks)-1 || len(c) == cap(c), "mem backend: short chunk %d", i)
		for j := range c {
			assertf(c[j].rev.greaterThan(prev), "mem backend: %v !> %v", c[j].rev, prev)
			prev = c[j].rev
		}
	}
	leases := int64(len(m.leaseBy)) * leaseRecordBytes
	want := m.recordBytes() + leases
	assertf(m.bytes == want, "mem backend: size %d != %d", m.bytes, want)
}
