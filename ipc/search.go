package ipc

// The "type" of the search messages.
const (
	TypeSearch = "search"
	TypeFound  = "found"
)

// Search asks for the recent tasks whose title or body holds Query (window
// to agent), ignoring case and width (full-width and half-width forms are
// the same; see tray's searchKey). The agent answers with Found: the newest
// matches with a Seq below Before (0: from the newest task), a page at a
// time as Tasks pages go.
//
//	{"type":"search","query":"采购","before":0}
type Search struct {
	Query  string `json:"query"`
	Before int64  `json:"before,omitempty"`
}

// Found answers a Search (agent to window): the matches, newest first, and
// whether older ones remain (the window asks with Before set to the Seq of
// the oldest it got). Query is the search's, so that a window that has
// moved on to another query drops an answer to an older one.
//
//	{"type":"found","query":"采购","tasks":[{"id":"7","seq":12,...}],"more":false}
type Found struct {
	Query string `json:"query"`
	Tasks []Task `json:"tasks"`
	More  bool   `json:"more"`
}

// Type implements Message.
func (Search) Type() string { return TypeSearch }

// Type implements Message.
func (Found) Type() string { return TypeFound }

func (Search) isMessage() {}
func (Found) isMessage()  {}
