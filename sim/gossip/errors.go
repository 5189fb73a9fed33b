package gossip

import "errors"

// Errors returned by Config.Validate, and so by Run. Each is wrapped with
// the value that broke the bound and the bound itself.
var (
	// ErrNodes is returned when Config.Nodes is outside [NodesMin, NodesMax].
	ErrNodes = errors.New("gossip: node count out of range")
	// ErrDuration is returned when Config.Duration is not positive or is
	// over DurationMax, or when IncrementsStop lies outside [0, Duration].
	ErrDuration = errors.New("gossip: duration out of range")
	// ErrPeriod is returned when Config.Period is not positive.
	ErrPeriod = errors.New("gossip: period out of range")
	// ErrRunTooLong is returned when a run of the config could take more
	// than RunEventsMax events: too many nodes for too long.
	ErrRunTooLong = errors.New("gossip: run too long")
)
