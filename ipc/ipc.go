// Package ipc is the line-oriented JSON pipe between the always-on agent and
// a short-lived window process: one Message per line on the window's stdin
// (agent to window) and stdout (window to agent). The agent owns all state;
// the window renders it and sends back what the user did.
package ipc
