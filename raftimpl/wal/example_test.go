package wal_test

import (
	"fmt"

	"etcdsim/raftimpl"
	"etcdsim/raftimpl/wal"
)

// ExampleOpen writes a hard state and entries, crashes, and recovers them.
func ExampleOpen() {
	dir := wal.NewMemDir()
	w, _, err := wal.Open(dir)
	if err != nil {
		panic(err)
	}
	hs := raftimpl.HardState{Term: 1, Vote: 1, Commit: 1}
	_ = w.Save(hs, []raftimpl.Entry{{Term: 1, Index: 1, Data: []byte("a")}}, true)
	_ = w.Save(raftimpl.HardState{}, []raftimpl.Entry{{Term: 1, Index: 2}}, false) // not synced
	dir.Crash(0)

	_, st, err := wal.Open(dir)
	fmt.Println(err, raftimpl.DescribeHardState(st.HardState), raftimpl.DescribeEntries(st.Entries))
	storage, _ := st.Storage() // feeds raftimpl.New
	fmt.Println(storage.LastIndex())
	// Output:
	// <nil> Term:1 Vote:1 Commit:1 1/1 a
	// 1
}
