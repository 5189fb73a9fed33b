package mvcc_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"etcdsim/mvcc"
	"etcdsim/mvcc/etcdapi"
)

// backendCase opens a fresh store on one backend.
type backendCase struct {
	name string
	open func(t testing.TB) *mvcc.Store
}

func backends() []backendCase {
	return []backendCase{
		{"mem", func(t testing.TB) *mvcc.Store {
			s, err := mvcc.OpenMem(mvcc.Config{})
			require.NoError(t, err)
			return s
		}},
		{"bolt", func(t testing.TB) *mvcc.Store {
			s, err := mvcc.OpenBolt(t.TempDir()+"/db", mvcc.Config{BoltNoSync: true})
			require.NoError(t, err)
			t.Cleanup(func() { _ = s.Close() })
			return s
		}},
	}
}

func eachBackend(t *testing.T, f func(t *testing.T, s *mvcc.Store)) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) { f(t, b.open(t)) })
	}
}

func put(t testing.TB, s *mvcc.Store, k, v string) *etcdapi.PutResponse {
	resp, err := s.Put(&etcdapi.PutRequest{Key: []byte(k), Value: []byte(v)})
	require.NoError(t, err)
	return resp
}

func get(t testing.TB, s *mvcc.Store, r *etcdapi.RangeRequest) *etcdapi.RangeResponse {
	resp, err := s.Range(r)
	require.NoError(t, err)
	return resp
}

func kv(k, v string, create, mod, ver int64) *etcdapi.KeyValue {
	return &etcdapi.KeyValue{Key: []byte(k), Value: []byte(v), CreateRevision: create,
		ModRevision: mod, Version: ver}
}

func keysOf(kvs []*etcdapi.KeyValue) []string {
	var out []string
	for _, kv := range kvs {
		out = append(out, string(kv.Key))
	}
	return out
}
