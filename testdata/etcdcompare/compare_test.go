package etcdcompare

import (
	"flag"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"

	"etcdsim/mvcc"
)

var (
	flagSeeds    = flag.Int("seeds", 30, "number of seeds for TestRandomSequences (seeds 1..N); 4 with -short")
	flagSeed     = flag.Uint64("seed", 0, "run only this seed in TestRandomSequences")
	flagRequests = flag.Int("requests", 1000, "requests per seed in TestRandomSequences; 300 with -short")
)

const (
	// stateCheckEvery is how often (in requests) the whole state is compared.
	stateCheckEvery = 10
	// maxMismatches stops a sequence: past a few, later answers mostly
	// repeat an earlier divergence.
	maxMismatches = 5
	// historyShown is how many earlier requests a mismatch report shows.
	historyShown = 8
)

// session sends each request to an embedded etcd and to an mvcc store and
// compares the canonical answers. A second store, in the other release
// line's mode, gets every request too; its answers are only counted.
type session struct {
	t          *testing.T
	name       string // "seed=N" or "fixed cases", for reports
	etcd       *etcdServer
	store      *mvcc.Store // EtcdVersion etcdLine()
	other      *mvcc.Store // EtcdVersion otherLine()
	history    []string
	compared   int
	mismatches int
	// otherDiffers counts the requests that store answered as etcd did
	// and other did not.
	otherDiffers int
	// last is etcd's canonical answer to the last request.
	last string
}

// openStore opens an mvcc store that is closed when the test ends.
func openStore(t *testing.T, cfg mvcc.Config) *mvcc.Store {
	t.Helper()
	s, err := mvcc.OpenMem(cfg)
	if err != nil {
		t.Fatalf("open mvcc store: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// newSession starts an etcd with opts and the two stores, each with the
// same quota.
func newSession(t *testing.T, name string, opts etcdOptions) *session {
	t.Helper()
	srv := startEtcd(t, opts)
	cfg := mvcc.Config{QuotaBackendBytes: opts.quotaBackendBytes, EtcdVersion: etcdLine()}
	store := openStore(t, cfg)
	cfg.EtcdVersion = otherLine()
	other := openStore(t, cfg)
	return &session{t: t, name: name, etcd: srv, store: store, other: other}
}

// do sends req to etcd and both stores and reports a mismatch of store's
// answer; it returns whether the answers were equal.
func (s *session) do(label string, req request) bool {
	s.t.Helper()
	e := doEtcd(s.etcd, req)
	m := doMvcc(s.store, req)
	if o := doMvcc(s.other, req); e == m && o != e {
		s.otherDiffers++
	}
	s.compared++
	s.last = e
	entry := fmt.Sprintf("%s: %s\n    -> %s", label, truncate(req.String(), 600),
		strings.ReplaceAll(strings.TrimSpace(e), "\n", "\n       "))
	defer func() { s.history = append(s.history, entry) }()
	if e == m {
		return true
	}
	s.mismatches++
	from := max(0, len(s.history)-historyShown)
	s.t.Errorf("MISMATCH %s request %s\nrequest:\n  %s\netcd answered:\n%s\nmvcc answered:\n%s\n"+
		"diff (- etcd, + mvcc):\n%s\n%sthe %d requests before it (with etcd's answers):\n%s",
		s.name, label, req, indent(e), indent(m), lineDiff(e, m), explain(req, e, m),
		len(s.history)-from, strings.Join(s.history[from:], "\n"))
	return false
}

// checkState compares the whole visible state: every key, the lease set,
// and each known lease's keys. It returns whether all matched.
func (s *session) checkState(label string) bool {
	s.t.Helper()
	ok := s.do(label+"/all-keys", request{Range: &pb.RangeRequest{Key: []byte{0}, RangeEnd: []byte{0}}})
	ok = s.do(label+"/leases", request{LeaseLeases: &pb.LeaseLeasesRequest{}}) && ok
	ids := append([]int64(nil), genLeaseIDs...)
	ids = append(ids, fixedLeaseIDs...)
	for _, id := range ids {
		ok = s.do(fmt.Sprintf("%s/lease-%d", label, id),
			request{LeaseTimeToLive: &pb.LeaseTimeToLiveRequest{ID: id, Keys: true}}) && ok
	}
	return ok
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + fmt.Sprintf("... (%d more bytes)", len(s)-n)
}

// txnCheckErrors are the errors etcd's txn checks return before any op
// runs (etcd's checkTxn).
var txnCheckErrors = map[string]bool{
	"error FutureRev\n": true, "error Compacted\n": true,
	"error KeyNotFound\n": true, "error LeaseNotFound\n": true,
}

// explain returns a note on a mismatch whose cause is known, or "".
// These mismatches are reported, not normalized: none is listed under
// "Not modeled" in mvcc/doc.go.
func explain(req request, etcd, mvcc string) string {
	if req.Txn != nil && txnCheckErrors[etcd] && txnCheckErrors[mvcc] {
		return "NOTE: both sides rejected the txn before running it, with different errors.\n" +
			"  etcd checks the ops of the chosen path in op order and returns the first\n" +
			"  failure (server/etcdserver/txn/txn.go checkTxn); within one put, v3.7\n" +
			"  checks the lease before the key of an ignore_* put and v3.6 the key first\n" +
			"  (mvcc/version.go putLeaseCheckedFirst). Is the store in the right\n" +
			"  EtcdVersion (" + etcdLine() + ")?\n"
	}
	return ""
}

// answerKind is the kind of a canonical answer: its first word, or
// "error Name" for an error.
func answerKind(answer string) string {
	f := strings.Fields(answer)
	switch {
	case len(f) == 0:
		return ""
	case f[0] == "error" && len(f) > 1:
		return f[0] + " " + f[1]
	case f[0] == "txn" && len(f) > 2:
		return f[0] + " " + f[2]
	}
	return f[0]
}

// kindSummary renders answer kinds by count.
func kindSummary(kinds map[string]int) string {
	names := make([]string, 0, len(kinds))
	for k := range kinds {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool {
		if kinds[names[i]] != kinds[names[j]] {
			return kinds[names[i]] > kinds[names[j]]
		}
		return names[i] < names[j]
	})
	parts := make([]string, 0, len(names))
	for _, k := range names {
		parts = append(parts, fmt.Sprintf("%s:%d", k, kinds[k]))
	}
	return strings.Join(parts, " ")
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n  ")
}

// lineDiff shows the lines of a and b that differ, position by position.
func lineDiff(a, b string) string {
	al := strings.Split(strings.TrimRight(a, "\n"), "\n")
	bl := strings.Split(strings.TrimRight(b, "\n"), "\n")
	var out []string
	for i := range max(len(al), len(bl)) {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			out = append(out, "  - "+x, "  + "+y)
		}
	}
	return strings.Join(out, "\n")
}

func liveLeases(s *mvcc.Store) []int64 {
	resp, err := s.LeaseLeases()
	if err != nil {
		return nil
	}
	var ids []int64
	for _, l := range resp.Leases {
		ids = append(ids, l.ID)
	}
	return ids
}

// TestRandomSequences sends seeded random request sequences to an embedded
// etcd and to mvcc.OpenMem and requires equal answers request by request.
func TestRandomSequences(t *testing.T) {
	nSeeds, n := *flagSeeds, *flagRequests
	if testing.Short() {
		nSeeds, n = min(nSeeds, 4), min(n, 300)
	}
	seeds := make([]uint64, 0, nSeeds)
	for i := 1; i <= nSeeds; i++ {
		seeds = append(seeds, uint64(i))
	}
	if *flagSeed != 0 {
		seeds = []uint64{*flagSeed}
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			start := time.Now()
			s := newSession(t, fmt.Sprintf("seed=%d", seed), etcdOptions{})
			g := newGen(seed)
			kinds := map[string]int{} // etcd's answers by kind
			sent, checks := 0, 0
			for i := range n {
				g.rev, g.compactRev = s.store.Rev(), s.store.CompactRev()
				g.leases = liveLeases(s.store)
				s.do(fmt.Sprintf("#%d", i), g.next())
				sent++
				kinds[answerKind(s.last)]++
				if (i+1)%stateCheckEvery == 0 || i == n-1 {
					checks++
					if !s.checkState(fmt.Sprintf("state-after-#%d", i)) {
						t.Errorf("seed=%d: state diverged after request #%d; stopping this seed", seed, i)
						break
					}
				}
				if s.mismatches >= maxMismatches {
					t.Errorf("seed=%d: %d mismatches; stopping this seed", seed, s.mismatches)
					break
				}
			}
			t.Logf("seed=%d: %d generated requests, %d state checks, %d answers compared, %d mismatches, "+
				"%d answers that a store in %s mode gets wrong, rev=%d compact=%d, %v\n  etcd answers: %s",
				seed, sent, checks, s.compared, s.mismatches, s.otherDiffers, otherLine(),
				s.store.Rev(), s.store.CompactRev(), time.Since(start).Round(time.Millisecond),
				kindSummary(kinds))
		})
	}
}
