package tray

import "context"

// copyDiagnostics gathers a report for the user to send.
// TODO(diagnostics): the logs work (issue 14) owns this file.
func (a *Agent) copyDiagnostics(ctx context.Context) {
	a.log.Warn("copy diagnostics is not implemented yet")
}
