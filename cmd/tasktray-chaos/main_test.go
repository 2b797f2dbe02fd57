package main

import (
	"bytes"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"tasktray/internal/chaos"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func options() chaos.Options {
	// Duration 0: each fault once. Freeze is a failure guard only.
	return chaos.Options{Every: 5 * time.Millisecond, Freeze: 30 * time.Second, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

// Each link fault class once against the reference server through the
// native kind. A scenario fails when its fault was not injected (its
// Check: drops, freezes, injections, repeats counted by the proxy, saves
// refused by the full disk, clock reads after the jump, gaps after the
// damaged cursor), when the client did not come back, or on any loss,
// duplicate or goroutine left over.
func TestEveryLinkFaultOnce(t *testing.T) {
	var kind chaos.Kind
	for _, k := range chaos.Kinds() {
		if k.Name == "native" {
			kind = k
		}
	}
	for _, sc := range chaos.Scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			r := chaos.RunScenario(kind, sc, options())
			t.Logf("published %d, delivered %d, duplicated %d, lost %d, detect %v", r.Published, r.Delivered, r.Duplicated, r.Lost, r.Detect)
			if r.Err != nil || r.Skip != "" {
				t.Fatalf("%v (skip: %q)", r.Err, r.Skip)
			}
			if r.Published == 0 || r.Rounds != 1 {
				t.Fatalf("published %d in %d rounds", r.Published, r.Rounds)
			}
		})
	}
}

// The custom kind through internal/legacyserver, one fault that costs
// the link, so the second backend is exercised too.
func TestCustomKindDrop(t *testing.T) {
	for _, k := range chaos.Kinds() {
		if k.Name != "custom" {
			continue
		}
		for _, sc := range chaos.Scenarios {
			if sc.Name == "drop RST" {
				r := chaos.RunScenario(k, sc, options())
				if r.Err != nil || r.Published == 0 {
					t.Fatalf("%s: %v, published %d", sc.Name, r.Err, r.Published)
				}
				return
			}
		}
	}
	t.Fatal("no custom kind or no drop RST scenario")
}

// Each agent-side fault class once.
func TestEveryAgentFaultOnce(t *testing.T) {
	for _, sc := range chaos.AgentScenarios {
		t.Run(sc.Name, func(t *testing.T) {
			r := chaos.RunAgentScenario(sc, options())
			if r.Err != nil || r.Published == 0 {
				t.Fatalf("%v, published %d", r.Err, r.Published)
			}
		})
	}
}

// The command prints the table, lists what -skip left out, exits 0 when
// all passed and 2 on a selection that matches nothing.
func TestCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"-short", "-run", "native/drop", "-skip", "RST"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "published") || !strings.Contains(out.String(), "drop FIN") ||
		!strings.Contains(out.String(), "LEFT OUT (-skip) native/drop RST") {
		t.Fatalf("no table, or the skipped scenario not listed:\n%s", out.String())
	}
	if code := run([]string{"-run", "no such scenario"}, io.Discard, io.Discard); code != 2 {
		t.Fatalf("exit %d for an empty selection", code)
	}
}
