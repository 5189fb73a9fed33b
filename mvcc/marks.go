package mvcc

import "sort"

// Mark names a tricky branch. When the branch runs, the store counts the
// mark, and the test or scenario written for the branch asserts that it
// fired (coverage marks).
type Mark string

// String returns the mark's name.
func (m Mark) String() string { return string(m) }

// The marks.
const (
	// MarkWatchFellBehind: a stream's buffer was full, so a watcher fell
	// behind and will catch up from history.
	MarkWatchFellBehind Mark = "watch-fell-behind"
	// MarkWatchCompacted: a watcher was canceled because its next revision
	// was compacted.
	MarkWatchCompacted Mark = "watch-compacted"
	// MarkCompactKeptTombstone: compaction kept a tombstone at exactly the
	// compaction revision (etcd PR 18274).
	MarkCompactKeptTombstone Mark = "compact-kept-tombstone"
	// MarkRestoredLoneTombstone: recovery found a key whose only revision
	// is a tombstone (etcd PR 19188).
	MarkRestoredLoneTombstone Mark = "restore-lone-tombstone"
	// MarkNoSpaceRaised: a write reached the quota and raised NOSPACE in
	// a store used on its own (a replicated store's alarms come from the
	// log).
	MarkNoSpaceRaised Mark = "nospace-raised"
)

// mark counts one firing of m.
func (s *Store) mark(m Mark) {
	if s.marks == nil {
		s.marks = make(map[Mark]int)
	}
	s.marks[m]++
}

// Marks returns the marks fired so far, sorted by name.
func (s *Store) Marks() []Mark {
	out := make([]Mark, 0, len(s.marks))
	for m := range s.marks { //det:ok sorted below
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
