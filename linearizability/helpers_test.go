package linearizability_test

import (
	lin "etcdsim/linearizability"
	"etcdsim/mvcc/etcdapi"
)

// builder assembles histories for tests, numbering operations in order.
type builder struct{ h lin.History }

func (b *builder) op(client int, call, ret lin.Time, in lin.Input, out lin.Output) *builder {
	b.h.Ops = append(b.h.Ops, lin.Operation{ID: lin.OpID(len(b.h.Ops)), Client: lin.ClientID(client),
		Call: call, Return: ret, Input: in, Output: out})
	return b
}

func (b *builder) unknown(client int, call lin.Time, in lin.Input) *builder {
	b.h.Ops = append(b.h.Ops, lin.Operation{ID: lin.OpID(len(b.h.Ops)), Client: lin.ClientID(client),
		Call: call, Unknown: true, Input: in})
	return b
}

func put(k, v string) lin.EtcdRequest {
	return lin.EtcdRequest{Put: &etcdapi.PutRequest{Key: []byte(k), Value: []byte(v)}}
}

func putOK(rev lin.Revision) lin.EtcdResponse {
	return lin.EtcdResponse{Revision: rev, Put: &etcdapi.PutResponse{}}
}

func get(k string) lin.EtcdRequest {
	return lin.EtcdRequest{Range: &etcdapi.RangeRequest{Key: []byte(k)}}
}

// getRange reads [k, end); end "\x00" is every key from k on.
func getRange(k, end string) lin.EtcdRequest {
	return lin.EtcdRequest{Range: &etcdapi.RangeRequest{Key: []byte(k), RangeEnd: []byte(end)}}
}

func got(rev lin.Revision, kvs ...*etcdapi.KeyValue) lin.EtcdResponse {
	return lin.EtcdResponse{Revision: rev, Range: rangeResp(kvs...)}
}

func rangeResp(kvs ...*etcdapi.KeyValue) *etcdapi.RangeResponse {
	return &etcdapi.RangeResponse{Kvs: kvs, Count: int64(len(kvs))}
}

func kv(k, v string, create, mod, ver int64) *etcdapi.KeyValue {
	return &etcdapi.KeyValue{Key: []byte(k), Value: []byte(v), CreateRevision: create,
		ModRevision: mod, Version: ver}
}

func del(k string) lin.EtcdRequest {
	return lin.EtcdRequest{DeleteRange: &etcdapi.DeleteRangeRequest{Key: []byte(k)}}
}

func deleted(rev lin.Revision, n int64) lin.EtcdResponse {
	return lin.EtcdResponse{Revision: rev, DeleteRange: &etcdapi.DeleteRangeResponse{Deleted: n}}
}

func fail(err error) lin.EtcdResponse { return lin.EtcdResponse{Err: err} }

func kvGet(k string) lin.KVInput    { return lin.KVInput{Kind: lin.KVGet, Key: k} }
func kvPut(k, v string) lin.KVInput { return lin.KVInput{Kind: lin.KVPut, Key: k, Value: v} }
func kvRead(v string) lin.KVOutput  { return lin.KVOutput{Value: v, Found: v != ""} }
func kvCAS(k, from, to string) lin.KVInput {
	return lin.KVInput{Kind: lin.KVCAS, Key: k, Expected: from, Value: to}
}
