package i18n

import "fmt"

// Err formats the text in the current language as fmt.Errorf does, so that
// a %w verb wraps its argument.
func (t *Text) Err(args ...any) error { return fmt.Errorf(localize(t.id, nil), args...) }

// NewError declares a sentinel error whose message is a text: Error() says
// it in the language in use when it is shown, not when it was declared, and
// errors.Is still matches the one value.
func NewError(id, en, zh string) error { return &textError{New(id, en, zh)} }

type textError struct{ t *Text }

func (e *textError) Error() string { return e.t.String() }
