package tray

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"tasktray/assets"
	"tasktray/auth"
	"tasktray/server"
)

// README, "Nothing missed, from the first second": "a task published ...
// while the app is not running is delivered", and what a damaged cursor
// file costs.
//
// The agent logs in and gets a task; it is closed; its cursor file is
// damaged meanwhile (a disk error, a crash of an older version); a task is
// published while it is closed; it starts again from the keyring, where
// StartFrom is "" (the login's resume point is not kept). Every save keeps a
// copy of the cursor beside the file (cursor-*.json.prev): with the file
// alone damaged, the link resumes from the copy, so "while closed" is
// delivered, "one" is not shown again, and no gap is reported (there is
// none). With the copy damaged too, the resume point is gone: the user is
// told.
func TestReviewDamagedCursorAtRestartResumesFromItsCopy(t *testing.T) {
	for _, tc := range []struct {
		name     string
		damage   []string // what is damaged: "" the file, ".prev" its copy
		lossless bool
	}{
		{"the file alone", []string{""}, true},
		{"the file and its copy", []string{"", ".prev"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.start(t)
			w := f.login(t, "wonderland")
			w.expect(t, "ok", isResult)
			f.menu.waitView(t, "connected", func(v View) bool { return v.Icon == assets.Connected })
			if _, err := f.srv.Publish("alice", server.TaskInput{Title: "one"}); err != nil {
				t.Fatal(err)
			}
			f.popups.wait(t, 1)
			f.stop()
			acc := auth.Account{Kind: "native", Server: f.url, Username: "alice"}
			waitFor(t, "the token in the keyring", func() bool {
				_, err := f.cfg.Tokens.Load(context.Background(), acc)
				return err == nil
			})

			files, _ := filepath.Glob(filepath.Join(f.cfg.StateDir, "cursor-*.json"))
			if len(files) != 1 {
				t.Fatalf("cursor files %v, want one", files)
			}
			for _, suffix := range tc.damage {
				if err := os.WriteFile(files[0]+suffix, []byte(`{"resume":"1@`), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := f.srv.Publish("alice", server.TaskInput{Title: "while closed"}); err != nil {
				t.Fatal(err)
			}

			f.start(t) // drops the first agent's views: it has stopped
			f.menu.waitView(t, "connected again", func(v View) bool { return v.Icon == assets.Connected && v.User == "alice" })
			if _, err := f.srv.Publish("alice", server.TaskInput{Title: "marker"}); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the marker popup", func() bool {
				for _, p := range f.popups.all() {
					if p.Title == "marker" {
						return true
					}
				}
				return false
			})
			var titles []string
			ones, closed, told := 0, false, false
			for _, p := range f.popups.all() {
				titles = append(titles, p.Title)
				if p.Title == "one" {
					ones++
				}
				closed = closed || p.Title == "while closed"
				told = told || p.ID == "gap"
			}
			switch {
			case tc.lossless && (!closed || told || ones != 1):
				t.Errorf("popups %q: the task published while the app was closed delivered: %v (want true); \"one\" shown %d times (want 1); a gap reported: %v (want false, nothing was lost)", titles, closed, ones, told)
			case !tc.lossless && !told:
				t.Errorf("popups %q: the user was not told that the resume point was lost", titles)
			}
		})
	}
}
