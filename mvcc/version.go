package mvcc

import "fmt"

// The etcd release lines that Config.EtcdVersion can name. The store
// follows etcd's current release line, v3.7. testdata/etcdcompare holds it
// to a real v3.7.3 request by request. "3.6" switches to what v3.6 does
// where the two lines differ, and the same comparison run against v3.6.16
// checks it (see etcdRules).
const (
	// EtcdVersion37 is etcd v3.7, the default (also for an empty
	// Config.EtcdVersion).
	EtcdVersion37 = "3.7"
	// EtcdVersion36 is etcd v3.6.
	EtcdVersion36 = "3.6"
)

// etcdRules are the behaviours in which the etcd release lines differ.
// The store reads these flags, never the version string, so each
// difference is one hop from its name. Each flag is true for v3.7.
type etcdRules struct {
	// keysOnlyDropsLease: a keys_only range answers Lease 0 unless it sorts
	// by VALUE. From v3.7.0 on, etcd serves such a range from its key index
	// alone (RangeOptions.FastKeysOnly), and the index keeps no lease
	// (etcd v3.7.3 server/etcdserver/txn/range.go executeRange,
	// server/storage/mvcc/kvstore_txn.go rangeKeys; etcd-io/etcd#21791).
	// Upstream reports this as a regression (etcd-io/etcd#22209), so a later
	// v3.7 patch may restore the lease. etcd v3.6.16 reads every key-value
	// from bbolt and keeps the lease (server/etcdserver/txn/txn.go
	// executeRange).
	keysOnlyDropsLease bool
	// putLeaseCheckedFirst: a txn's pre-check of a put looks up the lease
	// before it checks that an ignore_value or ignore_lease put has a key
	// to read. So a put that fails both checks gets ErrLeaseNotFound, where
	// v3.6 gives ErrKeyNotFound (etcd v3.7.3 server/etcdserver/txn/put.go
	// checkPut, checkLease then checkAndGetPrevKV, from etcd-io/etcd#19811;
	// etcd v3.6.16 server/etcdserver/txn/txn.go checkPut, key first). A
	// plain Put checks the lease first in both lines.
	putLeaseCheckedFirst bool
}

// rulesFor returns the rules of a validated EtcdVersion.
func rulesFor(version string) etcdRules {
	switch version {
	case EtcdVersion37:
		return etcdRules{keysOnlyDropsLease: true, putLeaseCheckedFirst: true}
	case EtcdVersion36:
		return etcdRules{}
	}
	panicf("unvalidated EtcdVersion %q", version)
	return etcdRules{}
}

// validEtcdVersion reports an EtcdVersion that names no known release line.
func validEtcdVersion(version string) error {
	switch version {
	case "", EtcdVersion37, EtcdVersion36:
		return nil
	}
	return fmt.Errorf("mvcc: unknown EtcdVersion %q (known: %q, %q)", version,
		EtcdVersion37, EtcdVersion36)
}
