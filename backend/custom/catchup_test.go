package custom

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// The second catch-up holds the stream's tasks until it ran and delivers
// them after what it found; when the missed-tasks address fails then, the
// held tasks go on at once with a Gap, and the stream is no longer held.
func TestCatchUpHoldsTheStreamAndLetsGoOnFailure(t *testing.T) {
	var fail atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if fail.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte(`{"data":[{"data":{"id":2,"title":"missed"}}]}`))
	}))
	defer srv.Close()
	p := mustProtocol(t, unfiltered+`
[resume]
missed_url = "`+srv.URL+`/missed?since={since}&token={token}"
missed_items = "data"
`)
	for _, failing := range []bool{false, true} {
		fail.Store(false)
		s := p.NewSession("tok", "i:1")
		first, err := s.Backfill(context.Background(), "i:1")
		if err != nil || len(first.Tasks) != 1 || first.RefreshIn <= 0 {
			t.Fatalf("Backfill = %+v, %v; want task 2 and a second catch-up planned", first, err)
		}
		// The first frame asks for the catch-up; one without an id is not
		// held: the next link could not fetch it again if this one dropped
		// before the catch-up ran.
		if d, _ := s.Decode([]byte(`{"data":{"title":"no id"}}`)); len(d.Tasks) != 1 || d.RefreshIn <= 0 {
			t.Fatalf("first frame, without an id = %+v; want it through and the catch-up asked for", d)
		}
		if d, _ := s.Decode([]byte(`{"data":{"id":3,"title":"live"}}`)); len(d.Tasks) != 0 || d.RefreshIn != 0 {
			t.Fatalf("a frame with an id = %+v; want it held, the catch-up asked for once", d)
		}
		fail.Store(failing)
		got, err := s.(*session).Refresh(context.Background(), "tok")
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, task := range got.Tasks {
			ids = append(ids, task.ID)
		}
		want := "[2 3]"
		if failing {
			want = "[3]"
		}
		if fmt.Sprint(ids) != want || (got.Gap != nil) != failing {
			t.Errorf("failing %v: catch-up gave %v, gap %+v; want %s, gap %v", failing, ids, got.Gap, want, failing)
		}
		if d, _ := s.Decode([]byte(`{"data":{"id":4,"title":"after"}}`)); len(d.Tasks) != 1 || d.RefreshIn != 0 {
			t.Errorf("failing %v: a frame after the catch-up = %+v; want it straight through", failing, d)
		}
	}
}
