package tray

import "context"

// Request is what another start of tasktray asks of the running agent.
// TODO(instance): the single-instance work (issue 13) owns this file.
type Request struct{}

func (a *Agent) onRequest(ctx context.Context, req Request) {}
