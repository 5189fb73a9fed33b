package mvcc

import "fmt"

// Defaults, as etcd sets them (unchanged from v3.5 to v3.7).
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
	// EtcdVersion is the etcd release line whose behaviour the store
	// follows where the lines differ: EtcdVersion37 ("3.7", the default,
	// also for "") or EtcdVersion36 ("3.6"). version.go lists the
	// differences.
	EtcdVersion string
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
	if c.EtcdVersion == "" {
		c.EtcdVersion = EtcdVersion37
	}
	return c
}

// Validate reports a configuration no store can run with, such as an
// EtcdVersion other than "3.7", "3.6" or "".
func (c Config) Validate() error {
	if err := validEtcdVersion(c.EtcdVersion); err != nil {
		return err
	}
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
