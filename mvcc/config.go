package mvcc

import "fmt"

// Defaults, as etcd v3.5 sets them.
const (
	// DefaultMaxRequestBytes is etcd's --max-request-bytes (1.5 MiB).
	DefaultMaxRequestBytes = 3 * 512 * 1024
	// DefaultQuotaBackendBytes is etcd's --quota-backend-bytes (2 GiB).
	DefaultQuotaBackendBytes = int64(2) << 30
	// DefaultMaxTxnOps is etcd's --max-txn-ops.
	DefaultMaxTxnOps = 128
	// DefaultLeaseMinTTL is the minimum lease TTL in seconds etcd derives from
	// its default timings: ceil(1.5 * election timeout 1s).
	DefaultLeaseMinTTL = 2
)

// Config sets a store's limits. Zero fields take the defaults above.
type Config struct {
	// MaxRequestBytes bounds the encoded size of one write request.
	MaxRequestBytes int
	// QuotaBackendBytes bounds the logical backend size; exceeding it raises
	// the NOSPACE alarm.
	QuotaBackendBytes int64
	// MaxTxnOps bounds the compares and the operations of each txn list.
	MaxTxnOps int
	// LeaseMinTTL is the smallest lease TTL, in seconds, granted.
	LeaseMinTTL int64
	// BoltNoSync skips fsync on bbolt commits. Simulations can set it: a
	// simulated crash is Abandon, which drops the uncommitted batch either
	// way; only a real power loss would need the fsync.
	BoltNoSync bool
}

// withDefaults returns c with zero fields set to the defaults.
func (c Config) withDefaults() Config {
	if c.MaxRequestBytes == 0 {
		c.MaxRequestBytes = DefaultMaxRequestBytes
	}
	if c.QuotaBackendBytes == 0 {
		c.QuotaBackendBytes = DefaultQuotaBackendBytes
	}
	if c.MaxTxnOps == 0 {
		c.MaxTxnOps = DefaultMaxTxnOps
	}
	if c.LeaseMinTTL == 0 {
		c.LeaseMinTTL = DefaultLeaseMinTTL
	}
	return c
}

// Validate reports a configuration no store can run with.
func (c Config) Validate() error {
	c = c.withDefaults()
	switch {
	case c.MaxRequestBytes < 0:
		return fmt.Errorf("mvcc: negative MaxRequestBytes %d", c.MaxRequestBytes)
	case c.QuotaBackendBytes < 0:
		return fmt.Errorf("mvcc: negative QuotaBackendBytes %d", c.QuotaBackendBytes)
	case c.MaxTxnOps < 0:
		return fmt.Errorf("mvcc: negative MaxTxnOps %d", c.MaxTxnOps)
	case c.LeaseMinTTL < 0:
		return fmt.Errorf("mvcc: negative LeaseMinTTL %d", c.LeaseMinTTL)
	}
	return nil
}
