package window

import (
	"reflect"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"tasktray/ipc"
)

// Typing in the search field asks the agent; its answer for the current
// query replaces the list, an answer to an earlier query is dropped, older
// matches come a page at a time, and an empty field shows every task again.
func TestRecentSearch(t *testing.T) {
	fx := newRecentFixture(t)
	all := ipc.Tasks{Total: 3, Unread: 3, Tasks: []ipc.Task{
		{ID: "c", Seq: 3, Title: "周报", Time: now},
		{ID: "b", Seq: 2, Title: "客户投诉：订单 ２０２６", Time: now},
		{ID: "a", Seq: 1, Title: "审批：采购申请", Time: now},
	}}
	fx.view.Apply(all)

	test.Type(fx.view.search, "采购")
	if want := (ipc.Search{Query: "采"}); !reflect.DeepEqual(fx.sent[0], want) {
		t.Fatalf("first keystroke sent %#v, want %#v", fx.sent[0], want)
	}
	if want := (ipc.Search{Query: "采购"}); !reflect.DeepEqual(fx.sent[len(fx.sent)-1], want) {
		t.Fatalf("sent %#v, want %#v", fx.sent[len(fx.sent)-1], want)
	}
	fx.view.ApplyFound(ipc.Found{Query: "采", Tasks: all.Tasks}) // the first keystroke's, late
	if n := len(fx.view.rows()); n != 0 {
		t.Fatalf("an answer to an earlier query shows %d rows", n)
	}
	fx.view.ApplyFound(ipc.Found{Query: "采购", Tasks: all.Tasks[2:], More: true})
	rows := fx.rows()
	if len(rows) != 1 || !strings.Contains(rows[0].title.Text, "采购") {
		t.Fatalf("rows while searching: %d", len(rows))
	}
	if !fx.view.older.Visible() || !strings.Contains(fx.view.count.Text, "1") {
		t.Errorf("older %v, count %q", fx.view.older.Visible(), fx.view.count.Text)
	}
	test.Tap(fx.view.older)
	if want := (ipc.Search{Query: "采购", Before: 1}); !reflect.DeepEqual(fx.sent[len(fx.sent)-1], want) {
		t.Errorf("Show older sent %#v, want %#v", fx.sent[len(fx.sent)-1], want)
	}

	fx.view.search.SetText("没有")
	fx.view.ApplyFound(ipc.Found{Query: "没有", Tasks: []ipc.Task{}})
	if !fx.view.empty.Visible() || !strings.Contains(fx.view.empty.Text, "没有") {
		t.Errorf("no match: empty note %v %q", fx.view.empty.Visible(), fx.view.empty.Text)
	}

	fx.view.search.SetText("")
	if len(fx.rows()) != 3 || fx.view.empty.Visible() {
		t.Errorf("cleared search shows %d rows", len(fx.rows()))
	}
}
