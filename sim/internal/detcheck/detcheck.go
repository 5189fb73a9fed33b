// Package detcheck reads the source of etcdsim's simulated packages and
// reports every construct that could make a run depend on something other
// than its seed: goroutines, channels, select, sync primitives, the wall
// clock, global or cryptographic randomness, the environment, and ranging
// over a map. A map range whose order cannot matter is allowed when its
// `for` line carries the comment //det:ok followed by the reason.
package detcheck

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// Finding is one violation, with its place in the source.
type Finding struct {
	Pos     token.Position
	Message string
}

// String prints the finding as file:line:col: message.
func (f Finding) String() string { return fmt.Sprintf("%s: %s", f.Pos, f.Message) }

// OptOut is the comment that allows a map range on its line.
const OptOut = "//det:ok"

type listedPackage struct {
	ImportPath string
	Dir        string
	GoFiles    []string
	Export     string
	DepOnly    bool
	Error      *struct{ Err string }
}

// Check type-checks the packages that match patterns (as `go list` takes
// them, run in dir) and returns every finding in their non-test files,
// sorted by position.
func Check(dir string, patterns ...string) ([]Finding, error) {
	pkgs, err := goList(dir, patterns)
	if err != nil {
		return nil, err
	}
	exports := map[string]string{}
	for _, p := range pkgs {
		exports[p.ImportPath] = p.Export
	}
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		file, ok := exports[path]
		if !ok || file == "" {
			return nil, fmt.Errorf("detcheck: no export data for %q", path)
		}
		return os.Open(file)
	})
	var out []Finding
	for _, p := range pkgs {
		if p.DepOnly {
			continue
		}
		if p.Error != nil {
			return nil, fmt.Errorf("detcheck: package %s: %s", p.ImportPath, p.Error.Err)
		}
		found, err := checkPackage(fset, imp, p)
		if err != nil {
			return nil, err
		}
		out = append(out, found...)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].Pos, out[j].Pos
		if a.Filename != b.Filename {
			return a.Filename < b.Filename
		}
		return a.Offset < b.Offset
	})
	return out, nil
}

func goList(dir string, patterns []string) ([]listedPackage, error) {
	args := append([]string{"list", "-e", "-export", "-deps",
		"-json=ImportPath,Dir,GoFiles,Export,DepOnly,Error"}, patterns...)
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	raw, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("detcheck: go list: %v\n%s", err, stderr.String())
	}
	var pkgs []listedPackage
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	for dec.More() {
		var p listedPackage
		if err := dec.Decode(&p); err != nil {
			return nil, fmt.Errorf("detcheck: decoding go list output: %w", err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs, nil
}

func checkPackage(fset *token.FileSet, imp types.Importer, p listedPackage) ([]Finding, error) {
	var files []*ast.File
	for _, name := range p.GoFiles {
		f, err := parser.ParseFile(fset, filepath.Join(p.Dir, name), nil, parser.ParseComments)
		if err != nil {
			return nil, fmt.Errorf("detcheck: %w", err)
		}
		files = append(files, f)
	}
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Uses: map[*ast.Ident]types.Object{}}
	conf := types.Config{Importer: imp}
	if _, err := conf.Check(p.ImportPath, fset, files, info); err != nil {
		return nil, fmt.Errorf("detcheck: type-checking %s: %w", p.ImportPath, err)
	}
	var out []Finding
	for _, f := range files {
		c := &checker{fset: fset, info: info, optOuts: optOutLines(fset, f)}
		ast.Inspect(f, c.visit)
		out = append(out, c.found...)
	}
	return out, nil
}

// optOutLines returns the lines that carry the opt-out comment.
func optOutLines(fset *token.FileSet, f *ast.File) map[int]bool {
	lines := map[int]bool{}
	for _, group := range f.Comments {
		for _, c := range group.List {
			if strings.HasPrefix(c.Text, OptOut) {
				lines[fset.Position(c.Slash).Line] = true
			}
		}
	}
	return lines
}
