package sim

import (
	"fmt"
	"io"
	"slices"
	"sort"
)

// Disk is one node's simulated disk: a flat directory of named files. It
// belongs to the world, not to the node, so it survives crashes; a crash
// keeps only what was synced (optionally plus a torn prefix of the rest).
//
// File metadata (create, remove, rename) is durable at once: the model has
// no directory fsync. Data is durable only after File.Sync. A file that is
// removed, or replaced by a rename, is gone: its handles fail with
// ErrNoSuchFile, and the disk reuses its buffer for files that grow.
type Disk struct {
	w     *World
	node  NodeID
	files map[string]*File
	// spare holds buffers of removed files, emptied, for growing files: a
	// WAL that rewrites its log at each compaction then allocates nothing.
	spare [][]byte
	// Stats, for reports.
	bytesWritten int64
	syncs        int64
}

func newDisk(w *World, node NodeID) *Disk {
	return &Disk{w: w, node: node, files: map[string]*File{}}
}

// Open returns the named file, creating it empty if it does not exist.
func (d *Disk) Open(name string) (*File, error) {
	if name == "" {
		return nil, fmt.Errorf("%w: empty file name on %s", ErrNoSuchFile, d.node)
	}
	if f, ok := d.files[name]; ok {
		return f, nil
	}
	f := &File{disk: d, name: name}
	d.files[name] = f
	return f, nil
}

// Exists reports whether the named file exists.
func (d *Disk) Exists(name string) bool {
	_, ok := d.files[name]
	return ok
}

// Remove deletes the named file.
func (d *Disk) Remove(name string) error {
	f, ok := d.files[name]
	if !ok {
		return fmt.Errorf("%w: %q on %s", ErrNoSuchFile, name, d.node)
	}
	d.release(f)
	delete(d.files, name)
	return nil
}

// Rename atomically renames from to to, replacing any file called to.
func (d *Disk) Rename(from, to string) error {
	f, ok := d.files[from]
	if !ok {
		return fmt.Errorf("%w: %q on %s", ErrNoSuchFile, from, d.node)
	}
	if old, ok := d.files[to]; ok && old != f {
		d.release(old)
	}
	delete(d.files, from)
	f.name = to
	d.files[to] = f
	return nil
}

// spareMax bounds the buffers a disk keeps for reuse.
const spareMax = 4

// release detaches a removed file from its bytes and keeps the buffer.
func (d *Disk) release(f *File) {
	f.removed = true
	if cap(f.data) >= fileCapMin && len(d.spare) < spareMax {
		d.spare = append(d.spare, f.data[:0])
	}
	f.data, f.durable, f.synced = nil, nil, 0
}

// List returns the names of all files, sorted.
func (d *Disk) List() []string {
	names := make([]string, 0, len(d.files))
	for name := range d.files { //det:ok sorted below
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// BytesWritten returns the bytes written to this disk since the world began.
func (d *Disk) BytesWritten() int64 { return d.bytesWritten }

// Syncs returns how many File.Sync calls this disk has served.
func (d *Disk) Syncs() int64 { return d.syncs }

// crash reverts every file to its durable content. With torn set, each file
// keeps a random prefix of its unsynced appended tail, drawn from the
// disk's own stream.
func (d *Disk) crash(torn bool) {
	r := d.w.Rand("disk/" + d.node.String())
	for _, name := range d.List() {
		d.files[name].crash(torn, r)
	}
}

// File is a simulated file. Reads see every write; only synced bytes
// survive a crash.
//
// Invariant: when durable is nil, the durable content is data[:synced];
// otherwise it is durable (a write or truncate reached below synced since
// the last Sync, so the old durable bytes were saved first).
type File struct {
	disk    *Disk
	name    string
	data    []byte
	synced  int
	durable []byte
	removed bool
}

// Name returns the file's current name.
func (f *File) Name() string { return f.name }

// Size returns the file's length as reads see it.
func (f *File) Size() int64 { return int64(len(f.data)) }

// gone is the error of every operation on a removed file.
func (f *File) gone() error {
	return fmt.Errorf("%w: %q on %s was removed", ErrNoSuchFile, f.name, f.disk.node)
}

// ReadAt reads len(p) bytes from off, returning io.EOF when it reads fewer.
func (f *File) ReadAt(p []byte, off int64) (int, error) {
	if f.removed {
		return 0, f.gone()
	}
	if off < 0 {
		return 0, fmt.Errorf("%w: read at %d in %q", ErrBadOffset, off, f.name)
	}
	if off >= int64(len(f.data)) {
		return 0, io.EOF
	}
	n := copy(p, f.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// Write appends p to the file.
func (f *File) Write(p []byte) (int, error) {
	return f.WriteAt(p, int64(len(f.data)))
}

// WriteAt writes p at off, extending the file (with zeros) as needed.
func (f *File) WriteAt(p []byte, off int64) (int, error) {
	if f.removed {
		return 0, f.gone()
	}
	if off < 0 {
		return 0, fmt.Errorf("%w: write at %d in %q", ErrBadOffset, off, f.name)
	}
	if int(off) < f.synced {
		f.saveDurable()
	}
	end := int(off) + len(p)
	if end > len(f.data) {
		f.grow(end)
	}
	copy(f.data[off:], p)
	f.disk.bytesWritten += int64(len(p))
	return len(p), nil
}

// Truncate changes the file's size, as reads see it.
func (f *File) Truncate(size int64) error {
	if f.removed {
		return f.gone()
	}
	if size < 0 {
		return fmt.Errorf("%w: truncate to %d in %q", ErrBadOffset, size, f.name)
	}
	if int(size) < f.synced {
		f.saveDurable()
	}
	if int(size) <= len(f.data) {
		f.data = f.data[:size]
	} else {
		f.grow(int(size))
	}
	return nil
}

// Sync makes the file's current content durable and records a trace event.
func (f *File) Sync() error {
	if f.removed {
		return f.gone()
	}
	f.synced = len(f.data)
	f.durable = nil
	f.disk.syncs++
	f.disk.w.record(Record{Kind: KindSync, Node: f.disk.node, Size: len(f.data), Text: f.name})
	return nil
}

// saveDurable keeps a copy of the durable bytes before they are overwritten.
func (f *File) saveDurable() {
	if f.durable == nil {
		f.durable = append([]byte(nil), f.data[:f.synced]...)
	}
}

// crash reverts the file to its durable content, plus a torn prefix of the
// unsynced tail when torn is set and the tail was only appended.
func (f *File) crash(torn bool, r *Rand) {
	keep := f.synced
	if f.durable != nil {
		f.data = f.durable
		f.durable = nil
	} else if torn && len(f.data) > f.synced {
		keep += r.IntN(len(f.data) - f.synced + 1)
	}
	f.data = f.data[:keep]
	f.synced = len(f.data)
}

// fileCapMin is the least capacity a growing file gets: a WAL appends a
// few hundred bytes at a time, and growing from zero would copy it often.
const fileCapMin = 4 << 10

// grow extends the file to n bytes, zero-filled. Past its capacity it
// takes a removed file's buffer if one is big enough, else at least
// doubles, so appending costs O(1) copies per byte (slices.Grow leaves the
// copied prefix unzeroed).
func (f *File) grow(n int) {
	b := f.data
	if n > cap(b) {
		if k := len(f.disk.spare) - 1; k >= 0 && cap(f.disk.spare[k]) >= n {
			b = append(f.disk.spare[k], b...)
			f.disk.spare[k] = nil
			f.disk.spare = f.disk.spare[:k]
		} else {
			b = slices.Grow(b, max(n, 2*cap(b), fileCapMin)-len(b))
		}
	}
	old := len(b)
	b = b[:n]
	clear(b[old:])
	f.data = b
}
