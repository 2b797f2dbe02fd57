package servers

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"
)

// post sends one request to the endpoint and returns the status and token.
func post(t *testing.T, e *CentrifugoTokens, body string, bearer string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.URL, bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var answer struct{ Token string }
	json.NewDecoder(resp.Body).Decode(&answer)
	return resp.StatusCode, answer.Token
}

// The endpoint's contract, without a server: logins by password, refreshes
// by a still valid token of its own.
func TestCentrifugoTokens(t *testing.T) {
	c := &Centrifugo{Secret: "test-secret"}
	e := c.StartTokenEndpoint(t, map[string]string{"alice": "pw"}, time.Hour)

	code, token := post(t, e, `{"username":"alice","password":"pw"}`, "")
	if claims, ok := verifyHS256([]byte(c.Secret), token); code != http.StatusOK || !ok || claims.Sub != "alice" || claims.Exp <= time.Now().Unix() {
		t.Fatalf("login: %d, claims %+v %v", code, claims, ok)
	}
	if code, _ := post(t, e, `{"username":"alice","password":"wrong"}`, ""); code != http.StatusUnauthorized {
		t.Errorf("wrong password: %d", code)
	}

	code, renewed := post(t, e, `{}`, token)
	if claims, ok := verifyHS256([]byte(c.Secret), renewed); code != http.StatusOK || !ok || claims.Sub != "alice" {
		t.Fatalf("refresh: %d, claims %+v %v", code, claims, ok)
	}
	for name, bad := range map[string]string{
		"bad signature": token[:len(token)-4] + "AAAA",
		"other secret":  (&Centrifugo{Secret: "other"}).Token("alice", time.Hour),
		"expired":       c.Token("alice", -time.Second),
		"unknown user":  c.Token("mallory", time.Hour),
		"not a JWT":     "opaque",
	} {
		if code, _ := post(t, e, `{}`, bad); code != http.StatusUnauthorized {
			t.Errorf("refresh with %s: %d, want 401", name, code)
		}
	}
	e.Revoke("alice")
	if code, _ := post(t, e, `{}`, renewed); code != http.StatusUnauthorized {
		t.Errorf("refresh after revoke: %d", code)
	}
	if code, _ := post(t, e, `{"username":"alice","password":"pw"}`, ""); code != http.StatusUnauthorized {
		t.Errorf("login after revoke: %d", code)
	}
	if logins, refreshes := e.Counts(); logins != 1 || refreshes != 1 {
		t.Errorf("counts %d logins, %d refreshes; want 1, 1", logins, refreshes)
	}
}
