package detcheck

import (
	"go/ast"
	"go/token"
	"go/types"
	"strconv"
)

// bannedImports names packages whose mere use breaks determinism, with the
// replacement to use instead.
var bannedImports = map[string]string{
	"sync":        "sync primitives: the world runs on one goroutine, none are needed",
	"sync/atomic": "atomics: the world runs on one goroutine, none are needed",
	"math/rand":   "math/rand: use a seeded sim.Rand stream (World.Rand or Proc.Rand)",
	"crypto/rand": "crypto/rand: use a seeded sim.Rand stream (World.Rand or Proc.Rand)",
}

// bannedFuncs names package-level functions that read the outside world.
var bannedFuncs = map[string]map[string]string{
	"time": {
		"Now": "virtual time", "Since": "virtual time", "Until": "virtual time",
		"Sleep": "a timer", "After": "a timer", "AfterFunc": "a timer",
		"Tick": "a timer", "NewTimer": "a timer", "NewTicker": "a timer",
	},
	"os": {"Getenv": "configuration", "LookupEnv": "configuration", "Environ": "configuration"},
}

// allowedRandV2 lists the math/rand/v2 functions that build seeded sources;
// every other package-level function draws from a global, unseeded source.
var allowedRandV2 = map[string]bool{"New": true, "NewPCG": true, "NewChaCha8": true, "NewZipf": true}

type checker struct {
	fset    *token.FileSet
	info    *types.Info
	optOuts map[int]bool
	found   []Finding
}

func (c *checker) report(pos token.Pos, msg string) {
	c.found = append(c.found, Finding{Pos: c.fset.Position(pos), Message: msg})
}

func (c *checker) visit(n ast.Node) bool {
	switch n := n.(type) {
	case *ast.ImportSpec:
		path, _ := strconv.Unquote(n.Path.Value)
		if why, ok := bannedImports[path]; ok {
			c.report(n.Pos(), "import of "+why)
		}
	case *ast.GoStmt:
		c.report(n.Pos(), "go statement: schedule the work as a sim event instead")
	case *ast.SelectStmt:
		c.report(n.Pos(), "select statement: channels have no place in a world")
	case *ast.ChanType:
		c.report(n.Pos(), "channel type: deliver through the sim network or an event instead")
	case *ast.SendStmt:
		c.report(n.Pos(), "channel send: deliver through the sim network or an event instead")
	case *ast.UnaryExpr:
		if n.Op == token.ARROW {
			c.report(n.Pos(), "channel receive: deliver through the sim network or an event instead")
		}
	case *ast.SelectorExpr:
		c.checkSelector(n)
	case *ast.RangeStmt:
		c.checkRange(n)
	}
	return true
}

// checkSelector flags calls of banned package-level functions.
func (c *checker) checkSelector(sel *ast.SelectorExpr) {
	id, ok := sel.X.(*ast.Ident)
	if !ok {
		return
	}
	pkgName, ok := c.info.Uses[id].(*types.PkgName)
	if !ok {
		return
	}
	path := pkgName.Imported().Path()
	name := sel.Sel.Name
	if path == "math/rand/v2" {
		if _, isFunc := c.info.Uses[sel.Sel].(*types.Func); isFunc && !allowedRandV2[name] {
			c.report(sel.Pos(), "rand."+name+" draws from a global source: use a seeded sim.Rand stream")
		}
		return
	}
	if use, ok := bannedFuncs[path][name]; ok {
		c.report(sel.Pos(), path+"."+name+" reads the outside world: use "+replacement(path, use))
	}
}

func replacement(pkg, use string) string {
	switch use {
	case "virtual time":
		return "World.Now or Proc.Now (virtual time)"
	case "a timer":
		return "Proc.SetTimer or World.Schedule (virtual time)"
	}
	return "explicit configuration passed in (not the " + pkg + " environment)"
}

// checkRange flags a range over a map unless its line opts out.
func (c *checker) checkRange(r *ast.RangeStmt) {
	tv, ok := c.info.Types[r.X]
	if !ok {
		return
	}
	if _, isMap := tv.Type.Underlying().(*types.Map); !isMap {
		return
	}
	if c.optOuts[c.fset.Position(r.For).Line] {
		return
	}
	c.report(r.For, "range over a map: iterate sorted keys, or mark the line "+OptOut+
		" <why order cannot matter>")
}
