package mvcc

import "fmt"

// OpenBolt opens the store kept in the bbolt file at path, creating it if
// needed, and rebuilds the key index, leases and alarm from it. Only
// committed batches are there: after a crash (Abandon), the store resumes
// at the last commit, with the matching ConsistentIndex.
func OpenBolt(path string, cfg Config) (*Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	be, err := openBoltBackend(path, cfg.BoltNoSync)
	if err != nil {
		return nil, err
	}
	s, err := newStore(cfg.withDefaults(), be)
	if err != nil {
		_ = be.abandon()
		return nil, err
	}
	return s, nil
}

// maybeCommit lets the bbolt backend commit a full batch; it is called only
// between entries, so a commit never holds half of one.
func (s *Store) maybeCommit() {
	if b, ok := s.be.(*boltBackend); ok {
		must(b.maybeCommit())
	}
}

// Defrag rewrites the bbolt file without free pages (a no-op in memory).
// It commits first.
func (s *Store) Defrag() error {
	if s.closed {
		return ErrClosed
	}
	b, ok := s.be.(*boltBackend)
	if !ok {
		return nil
	}
	if err := b.defrag(); err != nil {
		s.closed = true
		return fmt.Errorf("mvcc: defrag left the store closed: %w", err)
	}
	return nil
}

// FileBytes returns the bbolt file size (0 in memory); compare before and
// after Defrag.
func (s *Store) FileBytes() int64 {
	if b, ok := s.be.(*boltBackend); ok {
		return b.fileBytes()
	}
	return 0
}
