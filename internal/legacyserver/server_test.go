package legacyserver

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/gorilla/websocket"
	"go.uber.org/goleak"
)

// Each mode takes the token in its one place and refuses it anywhere else,
// as a browser-era backend would.
func TestTokenOnlyInItsPlace(t *testing.T) {
	defer goleak.VerifyNone(t)
	for _, mode := range []Mode{Query, Path, Cookie, Subprotocol} {
		t.Run(string(mode), func(t *testing.T) {
			s := New(Config{Mode: mode, Username: "ann", Password: "pw"})
			hs := httptest.NewServer(s.Handler())
			defer hs.Close()
			tok := s.IssueToken()
			base := "ws://" + hs.Listener.Addr().String()
			places := map[Mode]struct {
				url string
				h   http.Header
			}{
				Query:       {base + "/websocket?token=" + url.QueryEscape(tok), nil},
				Path:        {base + "/websocket/" + url.PathEscape(tok), nil},
				Cookie:      {base + "/ws", http.Header{"Cookie": {"SESSION=" + tok}}},
				Subprotocol: {base + "/ws", http.Header{"Sec-Websocket-Protocol": {tok}}},
			}
			for place, p := range places {
				h := http.Header{"Authorization": {"Bearer " + tok}} // always ignored
				for k, v := range p.h {
					h[k] = v
				}
				ws, resp, err := websocket.DefaultDialer.Dial(p.url, h)
				if place == mode {
					if err != nil {
						t.Errorf("token in its place (%s): %v", place, err)
						continue
					}
					if mode == Subprotocol && ws.Subprotocol() != tok {
						t.Errorf("subprotocol not echoed")
					}
					ws.Close()
					continue
				}
				if err == nil {
					ws.Close()
					t.Errorf("token in the %s accepted", place)
				} else if resp == nil || (resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusNotFound) {
					t.Errorf("token in the %s: %v", place, err)
				}
			}
			s.Close() // returns once the socket handlers have: goleak sees none
		})
	}
}
