package sim

import (
	"fmt"
	"math/bits"
	"time"
)

// driftMaxPPM bounds a clock's drift rate: a clock may run at most 50% fast
// or slow. Real quartz drifts by tens of ppm; larger values exist to make
// clock-dependent bugs (lease reads) easy to show.
const driftMaxPPM = 500_000

// Clock is a node's view of time: true time scaled by (1 + drift) and moved
// by an offset. The world keeps true time; nodes only ever read their Clock.
//
// The reading is anchored: at true time anchorTrue the clock read anchorLocal,
// and since then it has advanced at rate (1e6 + driftPPM) / 1e6. Changing the
// drift re-anchors, so a reading never jumps except through SetOffset/Jump.
type Clock struct {
	anchorTrue  Time
	anchorLocal Time
	driftPPM    int64
}

// read returns the local time at true time now.
func (c *Clock) read(now Time) Time {
	elapsed := int64(now - c.anchorTrue)
	if elapsed < 0 {
		failf("clock read before its anchor: now %d anchor %d", now, c.anchorTrue)
	}
	return c.anchorLocal + Time(mulDiv(elapsed, probScale+c.driftPPM, probScale))
}

// trueDelay converts a delay measured on this clock into true time, rounding
// up so that a timer never fires before its local deadline.
func (c *Clock) trueDelay(d time.Duration) time.Duration {
	rate := probScale + c.driftPPM
	return time.Duration(mulDivCeil(int64(d), probScale, rate))
}

// setDrift changes the drift rate from true time now on.
func (c *Clock) setDrift(now Time, ppm int64) {
	c.anchorLocal = c.read(now)
	c.anchorTrue = now
	c.driftPPM = ppm
}

// jump moves the clock's reading by d (negative: backwards) at true time now.
func (c *Clock) jump(now Time, d time.Duration) {
	c.anchorLocal = c.read(now) + Time(d)
	c.anchorTrue = now
}

// mulDiv returns a*b/c for non-negative a and positive b, c without
// overflowing in the product; the quotient must fit in int64.
func mulDiv(a, b, c int64) int64 {
	if a < 0 {
		failf("mulDiv: negative a %d", a)
	}
	if b <= 0 {
		failf("mulDiv: b %d must be positive", b)
	}
	if c <= 0 {
		failf("mulDiv: c %d must be positive", c)
	}
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	q, _ := bits.Div64(hi, lo, uint64(c))
	return int64(q)
}

// mulDivCeil is mulDiv rounded up.
func mulDivCeil(a, b, c int64) int64 {
	if a < 0 {
		failf("mulDivCeil: negative a %d", a)
	}
	if c <= 0 {
		failf("mulDivCeil: c %d must be positive", c)
	}
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	q, r := bits.Div64(hi, lo, uint64(c))
	if r != 0 {
		q++
	}
	return int64(q)
}

// validDrift returns an error naming ppm if it is outside the modelled range.
func validDrift(ppm int64) error {
	if ppm <= -driftMaxPPM || ppm > driftMaxPPM {
		return fmt.Errorf("%w: drift %d ppm, want (-%d, %d]", ErrBadDrift, ppm, driftMaxPPM, driftMaxPPM)
	}
	return nil
}
