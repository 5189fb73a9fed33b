package linearizability

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// stepSuffixes are the decimal multipliers ParseSteps accepts, largest
// first (String picks the largest that divides evenly enough).
var stepSuffixes = []struct {
	suffix string
	mult   Steps
}{{"G", 1_000_000_000}, {"M", 1_000_000}, {"k", 1_000}}

// formatSteps prints s with the largest suffix that leaves at most one
// decimal, or as a plain number.
func formatSteps(s Steps) string {
	for _, x := range stepSuffixes {
		if s >= x.mult && (s*10)%x.mult == 0 {
			return strconv.FormatFloat(float64(s)/float64(x.mult), 'f', -1, 64) + x.suffix
		}
	}
	return strconv.FormatInt(int64(s), 10)
}

// ParseSteps reads a step budget: a positive whole number, optionally with
// a k, M or G suffix (1000, 1e6 and 2.5M are fine; 10s is not: the budget
// counts steps, not time). It returns an error wrapping ErrBadBudget.
func ParseSteps(text string) (Steps, error) {
	num, mult := text, Steps(1)
	for _, x := range stepSuffixes {
		if n, ok := strings.CutSuffix(text, x.suffix); ok {
			num, mult = n, x.mult
			break
		}
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || f <= 0 || f*float64(mult) > float64(math.MaxInt64/2) ||
		f*float64(mult) != math.Trunc(f*float64(mult)) {
		return 0, fmt.Errorf("%w: %q: want a positive number of model steps, such as 50M",
			ErrBadBudget, text)
	}
	return Steps(f * float64(mult)), nil
}
