package mvcc_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"etcdsim/mvcc"
	"etcdsim/mvcc/etcdapi"
)

func TestConfigEtcdVersion(t *testing.T) {
	for _, tc := range []struct {
		version string
		err     string // "" for a valid version
	}{
		{"", ""},
		{mvcc.EtcdVersion37, ""},
		{mvcc.EtcdVersion36, ""},
		{"3.5", `mvcc: unknown EtcdVersion "3.5" (known: "3.7", "3.6")`},
		{"v3.7", `mvcc: unknown EtcdVersion "v3.7" (known: "3.7", "3.6")`},
		{"3.7.3", `mvcc: unknown EtcdVersion "3.7.3" (known: "3.7", "3.6")`},
	} {
		cfg := mvcc.Config{EtcdVersion: tc.version}
		_, openErr := mvcc.OpenMem(cfg)
		if tc.err == "" {
			require.NoError(t, cfg.Validate(), tc.version)
			require.NoError(t, openErr, tc.version)
			continue
		}
		require.EqualError(t, cfg.Validate(), tc.err)
		require.EqualError(t, openErr, tc.err)
		_, err := mvcc.OpenBolt(t.TempDir()+"/db", cfg)
		require.EqualError(t, err, tc.err)
	}
}

// openVersion opens a memory store that follows one etcd release line.
func openVersion(t *testing.T, version string) *mvcc.Store {
	s, err := mvcc.OpenMem(mvcc.Config{EtcdVersion: version})
	require.NoError(t, err)
	return s
}

// etcd v3.7 answers a keys_only range from its key index, which keeps no
// lease, unless the range sorts by VALUE; v3.6 keeps the lease.
func TestKeysOnlyLeaseByVersion(t *testing.T) {
	for _, tc := range []struct {
		version string
		lease   int64 // the lease a keys_only range answers, unless it sorts by VALUE
	}{
		{"", 0},
		{mvcc.EtcdVersion37, 0},
		{mvcc.EtcdVersion36, 9},
	} {
		s := openVersion(t, tc.version)
		_, err := s.LeaseGrant(&etcdapi.LeaseGrantRequest{ID: 9, TTL: 60})
		require.NoError(t, err)
		_, err = s.Put(&etcdapi.PutRequest{Key: []byte("a"), Value: []byte("1"), Lease: 9})
		require.NoError(t, err)
		for _, r := range []*etcdapi.RangeRequest{
			{Key: []byte("a"), KeysOnly: true},
			{Key: []byte("a"), RangeEnd: []byte("b"), KeysOnly: true},
			{Key: []byte("a"), RangeEnd: []byte{0}, KeysOnly: true, Limit: 1,
				SortOrder: etcdapi.RangeRequest_DESCEND, SortTarget: etcdapi.RangeRequest_MOD},
		} {
			kvs := get(t, s, r).Kvs
			require.Len(t, kvs, 1)
			require.Nil(t, kvs[0].Value)
			require.Equal(t, tc.lease, kvs[0].Lease, "version %q, %+v", tc.version, r)
		}
		byValue := get(t, s, &etcdapi.RangeRequest{Key: []byte("a"), RangeEnd: []byte("b"),
			KeysOnly: true, SortTarget: etcdapi.RangeRequest_VALUE}).Kvs
		require.Equal(t, int64(9), byValue[0].Lease, "sorting by VALUE reads the stored key-value")
		require.Nil(t, byValue[0].Value)
		full := get(t, s, &etcdapi.RangeRequest{Key: []byte("a")}).Kvs
		require.Equal(t, int64(9), full[0].Lease, "a keys_only answer changes nothing stored")
		require.Equal(t, []byte("1"), full[0].Value)
	}
}

// A txn's put that names a missing lease and ignores the value of a
// missing key: etcd v3.7 checks the lease first, v3.6 the key. A plain Put
// checks the lease first in both.
func TestTxnPutCheckOrderByVersion(t *testing.T) {
	bad := &etcdapi.PutRequest{Key: []byte("missing"), Lease: 404, IgnoreValue: true}
	for _, tc := range []struct {
		version string
		txnErr  error
	}{
		{"", etcdapi.ErrLeaseNotFound},
		{mvcc.EtcdVersion37, etcdapi.ErrLeaseNotFound},
		{mvcc.EtcdVersion36, etcdapi.ErrKeyNotFound},
	} {
		s := openVersion(t, tc.version)
		_, err := s.Txn(&etcdapi.TxnRequest{Success: []*etcdapi.RequestOp{{RequestPut: bad}}})
		require.ErrorIs(t, err, tc.txnErr, "version %q", tc.version)
		nested := &etcdapi.TxnRequest{Success: []*etcdapi.RequestOp{{RequestTxn: &etcdapi.TxnRequest{
			Success: []*etcdapi.RequestOp{{RequestPut: bad}}}}}}
		_, err = s.Txn(nested)
		require.ErrorIs(t, err, tc.txnErr, "version %q, nested", tc.version)
		_, err = s.Put(bad)
		require.ErrorIs(t, err, etcdapi.ErrLeaseNotFound, "version %q, plain put", tc.version)
		require.Equal(t, int64(1), s.Rev(), "nothing was written")
	}
}

// A txn whose only put is nested has a quota cost (etcd v3.6.14 and v3.7.1
// on), so it can raise the NOSPACE alarm and is refused while it is raised.
func TestQuotaCostsNestedTxnPuts(t *testing.T) {
	for _, version := range []string{mvcc.EtcdVersion37, mvcc.EtcdVersion36} {
		s, err := mvcc.OpenMem(mvcc.Config{EtcdVersion: version, QuotaBackendBytes: 1})
		require.NoError(t, err)
		nested := &etcdapi.TxnRequest{Success: []*etcdapi.RequestOp{{RequestTxn: &etcdapi.TxnRequest{
			Success: []*etcdapi.RequestOp{{RequestPut: &etcdapi.PutRequest{Key: []byte("a")}}}}}}}
		_, err = s.Txn(nested)
		require.ErrorIs(t, err, etcdapi.ErrNoSpace, version)
		require.NotEmpty(t, s.Alarms(), "the alarm is raised")
		deleteOnly := &etcdapi.TxnRequest{Success: []*etcdapi.RequestOp{{RequestTxn: &etcdapi.TxnRequest{
			Success: []*etcdapi.RequestOp{{RequestDeleteRange: &etcdapi.DeleteRangeRequest{
				Key: []byte("a")}}}}}}}
		_, err = s.Txn(deleteOnly)
		require.NoError(t, err, "a txn without puts costs nothing")
	}
}
