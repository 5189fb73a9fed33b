package etcdcompare

import (
	"context"
	"net"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	"go.etcd.io/etcd/api/v3/version"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
)

// etcdLine is the release line ("3.7", "3.6") of the etcd this module is
// built with, read from etcd's own version package: go.mod pins v3.7.x and
// etcd36.mod (go test -modfile=etcd36.mod) v3.6.x. The store under test
// runs with it as its mvcc.Config.EtcdVersion.
func etcdLine() string {
	major, rest, _ := strings.Cut(version.Version, ".")
	minor, _, _ := strings.Cut(rest, ".")
	return major + "." + minor
}

// otherLine is the release line the store is not compared in: its answers
// are counted where they differ from etcd's (session.otherDiffers), to
// show that the difference between the lines is where mvcc/version.go
// says.
func otherLine() string {
	if etcdLine() == "3.6" {
		return "3.7"
	}
	return "3.6"
}

// etcdOptions are the settings a test changes from etcd's defaults.
type etcdOptions struct {
	// quotaBackendBytes is etcd's --quota-backend-bytes; 0 keeps etcd's
	// default of 2 GiB.
	quotaBackendBytes int64
}

// etcdServer is a single-member embedded etcd and raw protobuf clients to it.
type etcdServer struct {
	kv    pb.KVClient
	lease pb.LeaseClient
	watch pb.WatchClient
}

// freeURL returns an http://127.0.0.1 URL on a port that was free a moment
// ago.
func freeURL(t *testing.T) url.URL {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("pick a free port: %v", err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatalf("close probe listener: %v", err)
	}
	return url.URL{Scheme: "http", Host: addr}
}

// startEtcd starts an embedded etcd in a temporary directory and returns
// raw KV, Lease and Watch clients; it is closed when the test ends. Timings stay at
// etcd's defaults (100 ms heartbeat, 1 s election) so that the minimum lease
// TTL is 2 s, as mvcc.DefaultLeaseMinTTL assumes.
func startEtcd(t *testing.T, opts etcdOptions) *etcdServer {
	t.Helper()
	cfg := embed.NewConfig()
	cfg.Name = "etcdcompare"
	cfg.Dir = t.TempDir()
	cfg.QuotaBackendBytes = opts.quotaBackendBytes
	lg := zap.NewNop()
	if os.Getenv("ETCDCOMPARE_ETCDLOG") != "" {
		// etcd's own errors on stderr, e.g. to see why it exited
		zc := zap.NewDevelopmentConfig()
		zc.Level = zap.NewAtomicLevelAt(zap.ErrorLevel)
		if l, err := zc.Build(); err == nil {
			lg = l
		}
	}
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(lg)
	cfg.UnsafeNoFsync = true // the data directory is thrown away
	client, peer := freeURL(t), freeURL(t)
	cfg.ListenClientUrls = []url.URL{client}
	cfg.AdvertiseClientUrls = []url.URL{client}
	cfg.ListenPeerUrls = []url.URL{peer}
	cfg.AdvertisePeerUrls = []url.URL{peer}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)

	e, err := embed.StartEtcd(cfg)
	if err != nil {
		t.Fatalf("start embedded etcd: %v", err)
	}
	t.Cleanup(e.Close)
	select {
	case <-e.Server.ReadyNotify():
	case err := <-e.Err():
		t.Fatalf("embedded etcd failed: %v", err)
	case <-time.After(30 * time.Second):
		e.Server.Stop()
		t.Fatalf("embedded etcd not ready after 30 s")
	}

	cli, err := clientv3.New(clientv3.Config{
		Endpoints:   []string{client.String()},
		DialTimeout: 10 * time.Second,
		Logger:      zap.NewNop(),
	})
	if err != nil {
		t.Fatalf("connect to embedded etcd: %v", err)
	}
	t.Cleanup(func() { _ = cli.Close() })
	conn := cli.ActiveConnection()
	srv := &etcdServer{kv: pb.NewKVClient(conn), lease: pb.NewLeaseClient(conn),
		watch: pb.NewWatchClient(conn)}

	// Wait until a linearizable read succeeds: the member is leader.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := srv.kv.Range(ctx, &pb.RangeRequest{Key: []byte("warmup")}); err != nil {
		t.Fatalf("first read from embedded etcd: %v", err)
	}
	return srv
}
