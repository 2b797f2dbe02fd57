//go:build !windows && !darwin

package autostart

import (
	"path/filepath"
	"testing"
)

func TestNewFollowsXDGConfigHome(t *testing.T) {
	config := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", config)
	e, err := New(testApp("/usr/bin/tasktray"))
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(config, "autostart", "io.github.tasktray.desktop"); e.String() != want {
		t.Fatalf("entry at %s, want %s", e, want)
	}
	// Unset or relative: ~/.config, as the Base Directory spec says.
	home := t.TempDir()
	t.Setenv("HOME", home)
	for _, v := range []string{"", "relative/config"} {
		t.Setenv("XDG_CONFIG_HOME", v)
		e, err := New(testApp("/usr/bin/tasktray"))
		if err != nil {
			t.Fatal(err)
		}
		if want := filepath.Join(home, ".config", "autostart", "io.github.tasktray.desktop"); e.String() != want {
			t.Fatalf("XDG_CONFIG_HOME=%q: entry at %s, want %s", v, e, want)
		}
	}
}
