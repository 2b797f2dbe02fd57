package tray

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"tasktray/assets"
	"tasktray/conn"
	"tasktray/ipc"
	"tasktray/server"
)

// Searching Recent tasks finds a task whatever case or width the user types
// or the server sent: full-width Latin letters and digits (common in
// Chinese and Japanese input methods), half-width katakana, Hangul typed as
// syllables or stored as jamo; and in Chinese, Japanese and Korean text.
func TestSearchRecentIgnoresCaseAndWidth(t *testing.T) {
	r := newRecent(100)
	for _, title := range []string{
		"审批：第四季度服务器采购申请",                          // 1
		"客户投诉：订单 ＃２０２６１２０２ 未发货",                   // 2: full-width digits
		"ＶＰＮ 证书即将过期",                              // 3: full-width Latin
		"至急：ｻｰﾊﾞｰ停止",                              // 4: half-width katakana
		"긴급: 서울 지사 서버 점검",                         // 5
		"\u1112\u1161\u11ab\u1100\u116e\u11a8 지사", // 6: 한국 as jamo
		"Deploy FAILED on main",                   // 7
	} {
		r.add(conn.Task{ID: title, Title: title, Body: "正文 body", Time: time.Now()})
	}
	r.add(conn.Task{ID: "8", Title: "周报", Body: "本周 VPN 故障两次"})
	tests := []struct {
		query string
		want  []int64 // seqs, newest first
	}{
		{"采购", []int64{1}},
		{"20261202", []int64{2}}, // half-width query, full-width text
		{"＃２０２６", []int64{2}},    // full-width query
		{"vpn", []int64{8, 3}},   // case and width, title or body
		{"サーバー", []int64{4}},     // full-width query, half-width text
		{"서버", []int64{5}},
		{"한국", []int64{6}}, // syllables against jamo
		{"deploy failed", []int64{7}},
		{"  采购  ", []int64{1}}, // spaces around are not part of it
		{"没有这个", nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			var got []int64
			for _, task := range r.search(tt.query, 0).tasks {
				got = append(got, task.Seq)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("search(%q) = seqs %v, want %v", tt.query, got, tt.want)
			}
		})
	}
}

// A search answers a page at a time, newest first, and continues before
// the oldest task of the last page; an empty query is every task.
func TestSearchRecentPages(t *testing.T) {
	r := newRecent(MaxRecent)
	for i := range 2*RecentPage + 10 {
		title := fmt.Sprintf("其他 %d", i)
		if i%2 == 0 {
			title = fmt.Sprintf("紧急 %d", i)
		}
		r.add(conn.Task{ID: fmt.Sprint(i), Title: title})
	}
	first := r.search("紧急", 0)
	if len(first.tasks) != RecentPage || first.tasks[0].Seq != int64(2*RecentPage+9) {
		t.Fatalf("first page: %d tasks from seq %d", len(first.tasks), first.tasks[0].Seq)
	}
	next := r.search("紧急", first.tasks[len(first.tasks)-1].Seq)
	if len(next.tasks) != 5 || !strings.HasPrefix(next.tasks[0].Title, "紧急") {
		t.Fatalf("second page: %d tasks", len(next.tasks))
	}
	if all := r.search("", 0); len(all.tasks) != RecentPage {
		t.Errorf("an empty query gave %d tasks, want a full page", len(all.tasks))
	}
}

// BenchmarkSearchFullRecent searches Recent tasks at its byte cap (32 MiB
// of Chinese text) for a word no task holds: the worst case of one search
// on the agent's loop.
func BenchmarkSearchFullRecent(b *testing.B) {
	r := newRecent(MaxRecent)
	body := strings.Repeat("财务部王经理提交了采购单，请审批。", maxTaskBody/17)
	for i := 0; r.bytes < MaxRecentBytes-len(body)*2; i++ {
		r.add(capTask(conn.Task{ID: fmt.Sprint(i), Title: "审批：第四季度服务器采购申请", Body: body}))
	}
	b.Logf("%d tasks, %d MiB", len(r.tasks), r.bytes>>20)
	for b.Loop() {
		if p := r.search("没有这个词", 0); len(p.tasks) != 0 {
			b.Fatal("found a word no task holds")
		}
	}
}

// The Recent tasks window searches through the agent: a Search gets a Found
// with the matches, and More when a page did not hold them all.
func TestRecentWindowSearches(t *testing.T) {
	f := newFixture(t)
	f.start(t)
	f.login(t, "wonderland").expect(t, "ok", isResult)
	f.menu.waitView(t, "connected", func(v View) bool { return v.Icon == assets.Connected })
	for _, title := range []string{"审批：采购申请", "客户投诉：订单 ２０２６", "周报"} {
		if _, err := f.srv.Publish("alice", server.TaskInput{Title: title}); err != nil {
			t.Fatal(err)
		}
	}
	f.menu.waitView(t, "3 unread", func(v View) bool { return v.Unread == 3 })
	f.menu.actions <- ActionRecent
	w := f.window(t)
	w.user.Send(ipc.Search{Query: "2026"})
	got := w.expect(t, "the search's answer", func(m ipc.Message) bool { _, ok := m.(ipc.Found); return ok }).(ipc.Found)
	if got.Query != "2026" || len(got.Tasks) != 1 || got.Tasks[0].Title != "客户投诉：订单 ２０２６" || got.More {
		t.Fatalf("found %+v", got)
	}
}
