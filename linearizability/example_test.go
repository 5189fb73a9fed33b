package linearizability_test

import (
	"fmt"
	"strings"

	lin "etcdsim/linearizability"
	"etcdsim/mvcc/etcdapi"
)

func ExampleCheck() {
	a := []byte("a")
	h := lin.History{Ops: []lin.Operation{
		{ID: 0, Client: 0, Call: 10, Return: 20,
			Input:  lin.EtcdRequest{Put: &etcdapi.PutRequest{Key: a, Value: []byte("1")}},
			Output: lin.EtcdResponse{Revision: 2, Put: &etcdapi.PutResponse{}}},
		{ID: 1, Client: 1, Call: 30, Return: 40,
			Input: lin.EtcdRequest{Range: &etcdapi.RangeRequest{Key: a}},
			Output: lin.EtcdResponse{Revision: 2, Range: &etcdapi.RangeResponse{Count: 1,
				Kvs: []*etcdapi.KeyValue{{Key: a, Value: []byte("1"), CreateRevision: 2,
					ModRevision: 2, Version: 1}}}}},
		// A read at a compacted revision fails with etcd's error.
		{ID: 2, Client: 1, Call: 50, Return: 60,
			Input:  lin.EtcdRequest{Range: &etcdapi.RangeRequest{Key: a, Revision: 1}},
			Output: lin.EtcdResponse{Err: etcdapi.ErrCompacted}},
		// The client never learned whether this compaction took effect.
		{ID: 3, Client: 2, Call: 41, Unknown: true,
			Input: lin.EtcdRequest{Compact: &etcdapi.CompactionRequest{Revision: 2}}},
	}}
	res, err := lin.Check(h, lin.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Verdict, res.Model, res.Ops)
	// Output: linearizable etcd 4
}

func ExampleParse() {
	log := `INFO  jepsen.util - 0	:invoke	:write	1
INFO  jepsen.util - 0	:ok	:write	1
INFO  jepsen.util - 1	:invoke	:write	2
INFO  jepsen.util - 1	:ok	:write	2
INFO  jepsen.util - 2	:invoke	:read	nil
INFO  jepsen.util - 2	:ok	:read	1
`
	h, err := lin.Parse(strings.NewReader(log), lin.FormatAuto)
	if err != nil {
		panic(err)
	}
	res, err := lin.Check(h, lin.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Verdict)
	fmt.Println(res.Explanation.Anomaly)
	// Output:
	// not-linearizable
	// stale read
}

func ExampleResult_WriteHTML() {
	h := lin.History{
		Ops: []lin.Operation{
			{ID: 0, Client: 0, Call: 10, Return: 20,
				Input:  lin.KVInput{Kind: lin.KVPut, Key: "x", Value: "1"},
				Output: lin.KVOutput{}},
			{ID: 1, Client: 1, Call: 30, Unknown: true,
				Input: lin.KVInput{Kind: lin.KVPut, Key: "x", Value: "2"}},
		},
		Annotations: []lin.Annotation{
			{Start: 25, End: 40, Node: "n1", Kind: lin.AnnotationFault, Text: "partition {n1} | {n2,n3}"},
		},
	}
	res, err := lin.Check(h, lin.Options{Visualize: true})
	if err != nil {
		panic(err)
	}
	var page strings.Builder
	if err := res.WriteHTML(&page); err != nil {
		panic(err)
	}
	fmt.Println(res.Verdict, strings.Contains(page.String(), "partition {n1}"))
	// Output: linearizable true
}
