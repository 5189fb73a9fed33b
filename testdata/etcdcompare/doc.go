// Package etcdcompare is a differential test of etcdsim's mvcc package
// against a real etcd (go.etcd.io/etcd/server/v3, embedded): the same
// requests go to both, as etcdserverpb messages over gRPC to etcd and as
// their etcdsim mirrors (package mvcc/etcdapi) to mvcc.OpenMem, and every
// answer must be equal.
//
// It runs against each etcd release line the store can follow, with the
// store's mvcc.Config.EtcdVersion set to the line of the etcd it is built
// with (read from etcd's version package):
//
//   - go.mod and go.sum pin etcd v3.7.3 (the default: "3.7");
//   - etcd36.mod and etcd36.sum pin etcd v3.6.16 ("3.6"), used in place
//     of go.mod with go's -modfile flag, so that both runs share every
//     test file.
//
// A second store, in the other line's mode, gets every request too. Its
// answers only count, except in TestFixedCases and the other fixed tests:
// there it must answer some request of each of versionCases
// (version_test.go) unlike etcd, and every other request as etcd. So each
// difference that mvcc/version.go lists is shown against both releases.
//
// It is a nested module so that the root module does not depend on etcd's
// server; the root's `go test ./...` skips it (it sits under testdata/).
// Run it with
//
//	cd testdata/etcdcompare && go test ./...
//	go test -modfile=etcd36.mod ./...       # the same against etcd v3.6
//	go test -short ./...                    # 4 seeds x 300 requests
//	go test -run TestRandomSequences -seed=28 -v ./...
//	go test -run TestRandomSequences -seeds=60 -requests=2000 ./...
//
// Update each pin inside this folder with its own flags, e.g.
// `go get -modfile=etcd36.mod go.etcd.io/etcd/server/v3@v3.6.x` and then
// `go mod tidy -modfile=etcd36.mod`.
//
// Tests:
//
//   - TestRandomSequences: seeded random sequences (seeds 1..-seeds, each
//     -requests long, on a fresh etcd and store) of Put, Range, DeleteRange,
//     Txn (nested), Compact, LeaseGrant and LeaseRevoke, plus a comparison of
//     the whole state (every key, the leases, each lease's keys) every 10
//     requests.
//   - TestFixedCases: hand-written tricky cases on one etcd and store:
//     versionCases, where v3.6 and v3.7 differ, then fixedCases.
//   - TestQuotaCountsNestedTxns: an etcd and stores with a one-byte quota.
//   - TestWatchNegativeStart: a watch from a negative start revision.
//   - TestFromKeyDeleteThenIgnorePut, TestFromKeyDeleteRecreateThenCompact:
//     mvcc only, for two requests that crash etcd itself (v3.6.5; v3.6.16
//     and v3.7.3 by their source).
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
