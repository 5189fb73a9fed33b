package sim

import (
	"fmt"
	"time"
)

// Time is an instant of virtual time: nanoseconds since the world began.
// It is the world's true time; a node sees it through its own Clock.
type Time int64

// Add returns t moved forward by d.
func (t Time) Add(d time.Duration) Time { return t + Time(d) }

// Sub returns the duration t-u.
func (t Time) Sub(u Time) time.Duration { return time.Duration(t - u) }

// Seconds returns t as floating-point seconds, for reports only.
func (t Time) Seconds() float64 { return float64(t) / 1e9 }

// String prints t as a duration since the start, e.g. "1.5s".
func (t Time) String() string { return time.Duration(t).String() }

// NodeID names a simulated node. The world assigns no meaning to its value;
// the cluster uses Raft member ids.
type NodeID uint64

// WorldID is reserved: trace records of world-level events carry it, and
// no node may take it.
const WorldID NodeID = 0

// String prints the id as "n<id>".
func (id NodeID) String() string { return fmt.Sprintf("n%d", uint64(id)) }

// TimerID identifies a pending timer so that it can be cancelled.
// The zero TimerID never names a timer.
type TimerID struct {
	slot uint32
	seq  uint64
}

// Valid reports whether id names a timer that was scheduled (it may have
// fired or been cancelled since).
func (id TimerID) Valid() bool { return id.seq != 0 }
