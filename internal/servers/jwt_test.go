package servers

import "testing"

// The widely published HS256 example token (jwt.io's default): same header, claims and secret.
func TestSignHS256MatchesKnownToken(t *testing.T) {
	payload := []byte(`{"sub":"1234567890","name":"John Doe","iat":1516239022}`)
	got := signHS256Payload([]byte("your-256-bit-secret"), payload)
	want := "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." +
		"eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ." +
		"SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
	if got != want {
		t.Fatalf("signHS256Payload:\n got %s\nwant %s", got, want)
	}
}

func TestSignHS256EncodesClaims(t *testing.T) {
	got, err := signHS256([]byte("s"), map[string]any{"sub": "alice"})
	if err != nil {
		t.Fatal(err)
	}
	want := signHS256Payload([]byte("s"), []byte(`{"sub":"alice"}`))
	if got != want {
		t.Fatalf("signHS256 = %s, want %s", got, want)
	}
}
