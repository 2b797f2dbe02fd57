package backend

import (
	"strings"
	"testing"

	"tasktray/auth"
)

// TestAddressesInOrderWithoutCredentials: every address of the account
// becomes one conn.Address, Server first, named without a password.
func TestAddressesInOrderWithoutCredentials(t *testing.T) {
	k, err := Lookup("centrifugo")
	if err != nil {
		t.Fatal(err)
	}
	a := auth.Account{Kind: "centrifugo", Server: "http://127.0.0.1:8001", Username: "alice",
		Servers: []string{"http://127.0.0.1:8002"}}
	addrs, err := k.Addresses(a)
	if err != nil {
		t.Fatal(err)
	}
	if len(addrs) != 2 || addrs[0].Server != "http://127.0.0.1:8001" || addrs[1].Server != "http://127.0.0.1:8002" {
		t.Fatalf("addresses = %+v", addrs)
	}
	for _, ad := range addrs {
		if ad.Protocol == nil {
			t.Fatalf("address %+v", ad)
		}
	}
	// A password in a second address is refused, and not repeated.
	a.Servers = []string{"http://bob:secret@127.0.0.1:8002"}
	if _, err := k.Addresses(a); err == nil || strings.Contains(err.Error(), "secret") {
		t.Fatalf("address with a password: err = %v", err)
	}
}
