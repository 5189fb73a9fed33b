// Package etcdcompare is a differential test of etcdsim's mvcc package
// against a real etcd (go.etcd.io/etcd/server/v3 v3.6.5, embedded): the same
// requests go to both, as etcdserverpb messages over gRPC to etcd and as
// their etcdsim mirrors (package mvcc/etcdapi) to mvcc.OpenMem, and every
// answer must be equal.
//
// It is a nested module so that the root module does not depend on etcd's
// server; the root's `go test ./...` skips it (it sits under testdata/).
// Run it with
//
//	cd testdata/etcdcompare && go test ./...
//	go test -short ./...                    # 4 seeds x 300 requests
//	go test -run TestRandomSequences -seed=28 -v ./...
//	go test -run TestRandomSequences -seeds=60 -requests=2000 ./...
//
// Tests:
//
//   - TestRandomSequences: seeded random sequences (seeds 1..-seeds, each
//     -requests long, on a fresh etcd and store) of Put, Range, DeleteRange,
//     Txn (nested), Compact, LeaseGrant and LeaseRevoke, plus a comparison of
//     the whole state (every key, the leases, each lease's keys) every 10
//     requests.
//   - TestFixedCases: hand-written tricky cases on one etcd and store.
//   - TestFromKeyDeleteThenIgnorePut, TestFromKeyDeleteRecreateThenCompact:
//     mvcc only, for two requests that crash etcd v3.6.5 itself.
//
// Answers are compared as canonical text (canon_test.go): header revision
// (not cluster ID, member ID or raft term), every KeyValue field, more,
// count, deleted, prev kvs, succeeded and nested responses; errors by a
// canonical name (etcd's rpctypes errors, etcdapi's sentinels, whose gRPC
// code and text TestErrorsMatchEtcd holds to etcd's).
//
// Environment: ETCDCOMPARE_TRACE=1 prints each request before etcd gets it
// (to find one that crashes etcd); ETCDCOMPARE_ETCDLOG=1 shows etcd's own
// error log.
package etcdcompare
