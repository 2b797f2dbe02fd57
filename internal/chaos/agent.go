package chaos

// AgentScenario is a fault on the agent's side (a window, the notification
// daemon, the account file), run against tray.Agent with fakes for the
// desktop parts.
type AgentScenario struct {
	Name string
}

// AgentScenarios are the agent-side fault classes.
var AgentScenarios []AgentScenario

// RunAgentScenario runs one agent scenario.
func RunAgentScenario(sc AgentScenario, opts Options) Result {
	return Result{Kind: "agent", Scenario: sc.Name}
}
