package mvcc_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"etcdsim/mvcc"
	"etcdsim/mvcc/etcdapi"
)

// benchKeys are the keys the benchmarks write: few enough to stay in cache
// like a hot working set.
func benchKeys(n int) [][]byte {
	keys := make([][]byte, n)
	for i := range keys {
		keys[i] = []byte(fmt.Sprintf("key-%06d", i))
	}
	return keys
}

func benchEach(b *testing.B, f func(b *testing.B, s *mvcc.Store)) {
	for _, bc := range backends() {
		b.Run(bc.name, func(b *testing.B) { f(b, bc.open(b)) })
	}
}

func BenchmarkPut(b *testing.B) {
	benchEach(b, func(b *testing.B, s *mvcc.Store) {
		keys := benchKeys(1000)
		val := []byte("value-0123456789")
		req := &etcdapi.PutRequest{Value: val}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			req.Key = keys[i%len(keys)]
			if _, err := s.Put(req); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
	})
}

func fill(b *testing.B, s *mvcc.Store, keys [][]byte) {
	for _, k := range keys {
		_, err := s.Put(&etcdapi.PutRequest{Key: k, Value: []byte("value-0123456789")})
		require.NoError(b, err)
	}
}

func BenchmarkRangePoint(b *testing.B) {
	benchEach(b, func(b *testing.B, s *mvcc.Store) {
		keys := benchKeys(1000)
		fill(b, s, keys)
		req := &etcdapi.RangeRequest{}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			req.Key = keys[i%len(keys)]
			if r, err := s.Range(req); err != nil || len(r.Kvs) != 1 {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
	})
}

func BenchmarkRange100(b *testing.B) {
	benchEach(b, func(b *testing.B, s *mvcc.Store) {
		keys := benchKeys(1000)
		fill(b, s, keys)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			lo := (i * 7) % 900
			r, err := s.Range(&etcdapi.RangeRequest{Key: keys[lo], RangeEnd: keys[lo+100]})
			if err != nil || len(r.Kvs) != 100 {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
	})
}

func BenchmarkTxn(b *testing.B) {
	benchEach(b, func(b *testing.B, s *mvcc.Store) {
		keys := benchKeys(1000)
		fill(b, s, keys)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			k := keys[i%len(keys)]
			_, err := s.Txn(&etcdapi.TxnRequest{
				Compare: []*etcdapi.Compare{{Key: k, Target: etcdapi.Compare_VERSION,
					Result: etcdapi.Compare_GREATER}},
				Success: []*etcdapi.RequestOp{{RequestPut: &etcdapi.PutRequest{Key: k,
					Value: []byte("v")}}},
				Failure: []*etcdapi.RequestOp{{RequestRange: &etcdapi.RangeRequest{Key: k}}},
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
	})
}

// BenchmarkWatchFanout100 puts one key watched by 100 watchers and drains
// every stream: one op is one put delivered 100 times.
func BenchmarkWatchFanout100(b *testing.B) {
	benchEach(b, func(b *testing.B, s *mvcc.Store) {
		var streams []*mvcc.WatchStream
		for range 100 {
			ws := s.NewWatchStream()
			_, err := ws.Watch(&etcdapi.WatchCreateRequest{Key: []byte("hot")})
			require.NoError(b, err)
			ws.Poll(0)
			streams = append(streams, ws)
		}
		req := &etcdapi.PutRequest{Key: []byte("hot"), Value: []byte("v")}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := s.Put(req); err != nil {
				b.Fatal(err)
			}
			for _, ws := range streams {
				if len(ws.Poll(0)) != 1 {
					b.Fatal("lost event")
				}
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
	})
}
