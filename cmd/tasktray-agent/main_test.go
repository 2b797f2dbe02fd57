package main

import (
	"os/exec"
	"strings"
	"testing"
)

// fyneModule is the GUI toolkit the agent binary must not link: its
// package inits and pages are what made the agent cost 23.5 MB Pss while
// it waits (issue 13, docs/benchmarks.md).
const fyneModule = "fyne.io/fyne/v2"

// fyneDeps lists the packages of fyneModule that pkg links.
func fyneDeps(t *testing.T, pkg string) []string {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", pkg)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v", pkg, err)
	}
	var fyne []string
	for _, p := range strings.Fields(string(out)) {
		if p == fyneModule || strings.HasPrefix(p, fyneModule+"/") {
			fyne = append(fyne, p)
		}
	}
	return fyne
}

func TestAgentDoesNotLinkFyne(t *testing.T) {
	if fyne := fyneDeps(t, "tasktray/cmd/tasktray-agent"); len(fyne) > 0 {
		t.Fatalf("cmd/tasktray-agent links %d packages of %s, e.g. %s: find the import (go list -deps -f '{{.ImportPath}}: {{.Imports}}') and move it out of the agent's packages",
			len(fyne), fyneModule, fyne[0])
	}
	// The check itself sees Fyne where it is: in the window binary.
	if fyne := fyneDeps(t, "tasktray"); len(fyne) == 0 {
		t.Fatalf("go list -deps found no %s in the tasktray binary: the check above cannot fail", fyneModule)
	}
}
