package mvcc

import (
	"fmt"
	"slices"

	"etcdsim/mvcc/etcdapi"
)

// Store is an etcd v3 MVCC key-value store: revisions, key index, range,
// put, delete, txn, compaction, watch and lease, over a backend. It is
// driven from one goroutine and never reads the wall clock.
//
// Exported entry points:
//
//	OpenMem(cfg) / OpenBolt(path, cfg)     open a store
//	Apply(index, *Request) *Response       apply one committed entry, once
//	ValidateRequest, AppendRequest,
//	DecodeRequest                          check and encode log entries
//	Range, Put, DeleteRange, Txn, Compact  the KV service
//	LeaseGrant, LeaseRevoke, LeaseKeepAlive, LeaseTimeToLive, LeaseLeases,
//	SetTime, ExpiredLeases, Promote, Demote  the lease service
//	NewWatchStream                         the watch service
//	Alarm, Alarms, AlarmDisarm             alarms (NOSPACE)
//	Snapshot, Restore, Defrag, Commit,
//	Hash, HashKV, Size, FileBytes          maintenance
//	CheckInvariants, Marks                 paranoid checks, coverage marks
//	Close, Abandon                         shut down cleanly, or as a crash
type Store struct {
	cfg Config
	// rules are the behaviours of the etcd release line cfg.EtcdVersion
	// names. Moves: only in newStore.
	rules etcdRules
	be    backend
	ix    *index

	// currentRev is the revision of the last applied change (1 when empty).
	// Invariant: compactRev <= currentRev.
	// Moves: only in writeTxn.end and recover.
	currentRev int64
	// compactRev is the last compaction revision, -1 before any.
	// Moves: only in compact and recover.
	compactRev int64
	// consistentIndex is the index of the last entry given to Apply.
	// Moves: only in Apply and recover.
	consistentIndex uint64
	// alarms are the raised alarms (alarm.go), as the backend holds them.
	// Invariant: sorted by compareAlarms, without duplicates.
	// Moves: only in activate, deactivate and recover.
	alarms []alarmRecord
	// inApply is true while Apply runs a request: batches commit only
	// after the entry's index is recorded.
	inApply bool
	// now is the member clock last given to SetTime.
	now Time

	// changesBuf is reused by every writeTxn for its changes.
	changesBuf []etcdapi.KeyValue

	lessor *lessor
	hub    *watchHub
	// marks counts the coverage marks fired (marks.go).
	marks  map[Mark]int
	closed bool
}

// OpenMem returns an empty store on the in-memory backend.
func OpenMem(cfg Config) (*Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return newStore(cfg.withDefaults(), newMemBackend())
}

// newStore builds the in-memory state of a store from what be holds.
func newStore(cfg Config, be backend) (*Store, error) {
	s := &Store{cfg: cfg, rules: rulesFor(cfg.EtcdVersion), be: be}
	if err := s.recover(); err != nil {
		return nil, err
	}
	return s, nil
}

// recover rebuilds index, revisions, leases and alarm from the backend, as
// etcd's store.restore does.
func (s *Store) recover() error {
	s.ix = newIndex()
	s.currentRev, s.compactRev = 1, -1
	s.lessor = newLessor(s.cfg.LeaseMinTTL)
	if s.hub == nil {
		s.hub = newWatchHub()
	}
	ci, _, err := s.be.getMeta(metaConsistentIndex)
	if err != nil {
		return err
	}
	s.consistentIndex = uint64(ci)
	if s.alarms, err = s.be.alarms(); err != nil {
		return err
	}
	compacted, ok, err := s.be.getMeta(metaCompactRev)
	if err != nil {
		return err
	}
	if ok {
		s.compactRev = compacted
	}
	leases, err := s.be.leases()
	if err != nil {
		return err
	}
	for _, l := range leases {
		s.lessor.restore(l)
	}
	if err := s.restoreIndex(); err != nil {
		return err
	}
	s.currentRev = max(s.currentRev, s.compactRev)
	return nil
}

// restoreIndex replays every stored record into the index and reattaches
// keys to their leases.
func (s *Store) restoreIndex() error {
	keyLease := make(map[string]LeaseID)
	var failed error
	err := s.be.scan(revision{}, revision{main: maxRevMain}, func(r *record) bool {
		if r.rev.main <= 0 || len(r.kv.Key) == 0 {
			failed = fmt.Errorf("%w: record %v with key %q", ErrCorruptRecord, r.rev, r.kv.Key)
			return false
		}
		ki := s.ix.lookup(r.kv.Key)
		switch {
		case ki != nil && !r.rev.greaterThan(ki.modified):
			failed = fmt.Errorf("%w: record %v out of order", ErrCorruptRecord, r.rev)
			return false
		case r.tomb && ki != nil:
			ki.tombstone(r.rev)
			delete(keyLease, string(ki.key))
		case r.tomb:
			// the puts it ends were compacted: keep it until the next compaction
			ki = s.ix.getOrCreate(r.kv.Key)
			ki.restoreTombstone(r.rev)
			s.mark(MarkRestoredLoneTombstone)
		case ki != nil:
			ki.put(r.rev)
		default:
			ki = s.ix.getOrCreate(r.kv.Key)
			ki.restore(revision{main: r.kv.CreateRevision}, r.rev, r.kv.Version)
		}
		if !r.tomb {
			keyLease[string(ki.key)] = LeaseID(r.kv.Lease)
		}
		s.currentRev = max(s.currentRev, r.rev.main)
		return true
	})
	if err != nil {
		return err
	}
	if failed != nil {
		return failed
	}
	for _, ki := range s.ix.sorted {
		id := keyLease[string(ki.key)]
		if id == noLease {
			continue
		}
		if !s.lessor.exists(id) {
			// etcd logs this and panics on the key's next put; refuse it here.
			return fmt.Errorf("%w: live key %q on missing lease %v", ErrCorruptRecord, ki.key, id)
		}
		s.lessor.attach(id, ki.key)
	}
	return nil
}

// maxRevMain bounds scans over every revision.
const maxRevMain = int64(1<<63 - 1)

// Rev returns the current revision.
func (s *Store) Rev() int64 { return s.currentRev }

// CompactRev returns the last compaction revision, or -1 before any.
func (s *Store) CompactRev() int64 { return s.compactRev }

// ConsistentIndex returns the index of the last entry given to Apply.
func (s *Store) ConsistentIndex() uint64 { return s.consistentIndex }

// Size returns the logical backend size in bytes that the quota counts.
func (s *Store) Size() int64 { return s.be.size() }

// Commit makes every write so far durable (a no-op in memory).
func (s *Store) Commit() error {
	if s.closed {
		return ErrClosed
	}
	return s.be.commit()
}

// Close commits and closes the store.
func (s *Store) Close() error {
	if s.closed {
		return ErrClosed
	}
	s.closed = true
	return s.be.close()
}

// Abandon closes the store dropping the uncommitted batch, as a crash
// would. Reopening shows only committed writes.
func (s *Store) Abandon() error {
	if s.closed {
		return ErrClosed
	}
	s.closed = true
	return s.be.abandon()
}

func (s *Store) header() *etcdapi.ResponseHeader {
	return &etcdapi.ResponseHeader{Revision: s.currentRev}
}

// CheckInvariants asserts every invariant of the store: key index, backend
// order, leases and watch streams. It is for paranoid runs and tests (cost
// grows with the data); it panics on a broken invariant, which is a bug.
func (s *Store) CheckInvariants() { s.checkInvariants(true) }

// checkInvariants asserts the store's cheap invariants, and with full set the
// whole key index, backend order and watch streams.
func (s *Store) checkInvariants(full bool) {
	assertf(s.compactRev <= s.currentRev, "compactRev %d > currentRev %d",
		s.compactRev, s.currentRev)
	assertf(s.currentRev >= 1, "currentRev %d < 1", s.currentRev)
	if !full {
		return
	}
	s.ix.checkInvariants()
	switch be := s.be.(type) {
	case *memBackend:
		be.checkInvariants()
	case *boltBackend:
		be.checkInvariants()
	}
	stored, err := s.be.alarms()
	must(err)
	assertf(slices.Equal(stored, s.alarms), "alarms %v, stored %v", s.alarms, stored)
	s.lessor.checkInvariants()
	s.hub.checkInvariants(s.currentRev)
}
