package app

import (
	"context"
	"os/exec"
	"testing"
	"time"

	"tasktray/i18n"
	"tasktray/ipc"
)

// TestRunSpeaksTheAgentsLanguage: a window process on an English system
// shows Chinese when the agent speaks Chinese (the user's choice): the
// agent's i18n.Env reaches i18n.FromEnv in Run. The window's title is
// looked up on the X server.
func TestRunSpeaksTheAgentsLanguage(t *testing.T) {
	requireDisplay(t)
	if _, err := exec.LookPath("xdotool"); err != nil {
		t.Skip("no xdotool to find the window by its title")
	}
	t.Cleanup(func() { i18n.SetLanguage("en") })
	i18n.SetLanguage("zh-CN")
	cmd := windowProcess(t, ipc.ViewLogin) // LANG=en_US.UTF-8
	cmd.Env = append(cmd.Env, i18n.Env()...)
	i18n.SetLanguage("en")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The agent's state comes first, as it always does: a login window
	// shows once it has it.
	if err := ipc.NewConn(nil, stdin).Send(ipc.State{Phase: "auth-required", Status: "Log in required"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, "xdotool", "search", "--sync", "--name", "^登录 – tasktray$").CombinedOutput(); err != nil {
		t.Errorf("no window titled 登录 – tasktray: %v %s", err, out)
	}
	stdin.Close() // the agent is gone: the window exits
	if err := waitWithin(t, cmd, 30*time.Second); err != nil {
		t.Errorf("window process: %v", err)
	}
}
