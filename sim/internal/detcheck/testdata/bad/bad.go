// Package bad holds one of each construct detcheck must flag, and a few it
// must not. detcheck_test.go names every expected line.
package bad

import (
	crand "crypto/rand"
	"math/rand"
	rand2 "math/rand/v2"
	"os"
	"sort"
	"sync"
	"time"
)

var mu sync.Mutex

func all(m map[string]int, ch chan int) {
	go func() {}()
	select {}
	ch <- 1
	<-ch
	_ = time.Now()
	time.Sleep(1)
	_ = os.Getenv("X")
	_ = rand.Intn(3)
	_ = rand2.IntN(3)
	_ = rand2.New(rand2.NewPCG(1, 2))
	_, _ = crand.Read(nil)
	for k := range m {
		_ = k
	}
	for k := range m { //det:ok summing is order-free
		_ = k
	}
	keys := []string{}
	sort.Strings(keys)
	for _, k := range keys {
		_ = k
	}
	_ = time.Duration(3) * time.Second
}
