package custom

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
)

// An empty list of missed tasks comes in many shapes: each is "nothing
// missed", not a gap. Only a shape that cannot be a list is a gap.
func TestMissedItemsShapes(t *testing.T) {
	for _, c := range []struct {
		name, path, body string
		n                int
		ok               bool
	}{
		{"list", "data", `{"data":[{"id":1},{"id":2}]}`, 2, true},
		{"empty list", "data", `{"data":[]}`, 0, true},
		{"null", "data", `{"code":200,"data":null}`, 0, true},
		{"left out", "data", `{"code":200}`, 0, true},
		{"left out, nested", "result.items", `{"result":{"total":0}}`, 0, true},
		{"answer is the list", "", `[{"id":1}]`, 1, true},
		{"answer is null", "", `null`, 0, true},
		{"parent missing", "result.items", `{"code":200}`, 0, false},
		{"parent not an object", "result.items", `{"result":"none"}`, 0, false},
		{"answer is a list, path looks into it", "data", `[1]`, 0, false},
		{"a string", "data", `{"data":"none"}`, 0, false},
		{"an object", "data", `{"data":{"id":1}}`, 0, false},
		{"not JSON", "data", `<html>login</html>`, 0, false},
		{"left out, path with a modifier", "data|@reverse", `{"code":200}`, 0, false},
	} {
		items, ok := missedItems([]byte(c.body), c.path)
		if ok != c.ok || len(items) != c.n {
			t.Errorf("%s: %d items, ok %v; want %d, %v", c.name, len(items), ok, c.n, c.ok)
		}
	}
}

// The login's resume point tells "the backend has no task yet" (l:) from
// "cannot tell" (""), and names the newest id otherwise.
func TestHistoryNowOfAnEmptyBackend(t *testing.T) {
	answer := `{"data":null}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte(answer))
	}))
	defer srv.Close()
	p := mustProtocol(t, unfiltered+`
[resume]
missed_url = "`+srv.URL+`/missed?since={since}&token={token}"
missed_items = "data"
`)
	for _, c := range []struct{ answer, want string }{
		{`{"data":null}`, "l:"},
		{`{"data":[]}`, "l:"},
		{`{"data":[{"data":{"id":7,"title":"x"}}]}`, "l:7"},
		{`{"data":"nope"}`, ""},
	} {
		answer = c.answer
		got, err := p.HistoryNow(context.Background(), "tok")
		if err != nil || got != c.want {
			t.Errorf("answer %s: HistoryNow = %q, %v; want %q", c.answer, got, err, c.want)
		}
	}
}

// FuzzMissedItems: a missed-tasks answer is network bytes.
func FuzzMissedItems(f *testing.F) {
	for _, s := range []string{`{"data":null}`, `{"data":[{"id":1}]}`, `[]`, `{"a":{"b":[1]}}`, `x`} {
		f.Add([]byte(s), "data")
	}
	f.Fuzz(func(t *testing.T, body []byte, path string) {
		if checkPath("p", path) != nil {
			return
		}
		items, ok := missedItems(body, path)
		if !ok && items != nil {
			t.Fatalf("items %v with ok false", items)
		}
	})
}
