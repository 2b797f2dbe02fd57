package custom

import (
	"testing"

	"go.uber.org/goleak"

	"tasktray/auth"
)

// TestMain fails the package's tests if any goroutine outlives them.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func authAccount() auth.Account { return auth.Account{Kind: KindName} }
