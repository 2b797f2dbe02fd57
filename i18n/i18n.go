// Package i18n holds every string a user sees, in English and Simplified
// Chinese, and picks the language: the user's choice in settings, else the
// system's (LC_ALL, LC_MESSAGES, LANG on Linux; the UI language elsewhere).
//
// Each package declares its own texts beside the code that shows them,
// both languages side by side, so that a text cannot exist in one language
// only:
//
//	var msgLogin = i18n.New("tray.login", "Log in…", "登录…")
//	var msgUnread = i18n.NewPlural("tray.unread", "%d unread task", "%d unread tasks", "%d 个未读任务")
//
// Plural forms follow CLDR rules through github.com/nicksnyder/go-i18n.
// Arguments are fmt verbs, and both languages must use the same verbs in the
// same order (CheckTexts, which each package's tests call, checks).
//
// A text is resolved when it is shown (String, F, Err, N), never kept
// translated: SetLanguage applies to the next render. Sentinel errors the
// user reads are NewError values, which errors.Is still matches. A window
// process speaks the agent's language: the agent passes Env to it, and the
// window calls FromEnv. Package i18ntest finds string literals handed to
// UI calls in a package's source.
package i18n

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// The languages the app speaks; English is the fallback.
var (
	English = language.English
	Chinese = language.SimplifiedChinese
)

// Supported lists the language settings a user can pick: "" follows the
// system.
var Supported = []string{"", "en", "zh-CN"}

var (
	mu       sync.Mutex
	registry = map[string]entry{}
	// bundle holds the counted texts (NewPlural) for go-i18n's plural
	// rules; it is built when the first one is shown (pluralLocalizer), not
	// at start: CLDR's rules of every language and a message per text and
	// language made the biggest part of the start-up of a program that
	// shows a few plain texts. A plain text needs no rule: it is its own
	// form. loc caches a localizer per language; both are guarded by mu.
	bundle *goi18n.Bundle
	loc    map[language.Tag]*goi18n.Localizer

	current atomic.Pointer[state]
)

type entry struct {
	id            string
	enOne, en, zh string
	plural        bool
}

type state struct {
	tag language.Tag
}

// Text is one message, in every language the app speaks.
type Text struct{ id string }

// Plural is one message whose English form depends on a count.
type Plural struct{ id string }

// New declares a text; en and zh may hold fmt verbs. It panics on a
// duplicate id or an empty translation: a program with either must not
// start.
func New(id, en, zh string) *Text {
	register(entry{id: id, en: en, zh: zh})
	return &Text{id: id}
}

// NewPlural declares a counted text: enOne for 1, enOther for every other
// count, zh for all counts (Chinese has one form).
func NewPlural(id, enOne, enOther, zh string) *Plural {
	register(entry{id: id, enOne: enOne, en: enOther, zh: zh, plural: true})
	return &Plural{id: id}
}

func register(e entry) {
	if e.id == "" || e.en == "" || e.zh == "" || (e.plural && e.enOne == "") {
		panic("i18n: text " + e.id + " lacks a language")
	}
	mu.Lock()
	defer mu.Unlock()
	if _, dup := registry[e.id]; dup {
		panic("i18n: text " + e.id + " declared twice")
	}
	registry[e.id] = e
	if e.plural && bundle != nil {
		addPlural(e)
		loc = nil // a localizer made before sees no new message
	}
	current.Store(nil)
}

// addPlural puts a counted text into bundle; mu is held.
func addPlural(e entry) {
	bundle.MustAddMessages(English, &goi18n.Message{ID: e.id, One: e.enOne, Other: e.en})
	bundle.MustAddMessages(Chinese, &goi18n.Message{ID: e.id, Other: e.zh})
}

// pluralLocalizer is go-i18n's localizer for tag, over a bundle of every
// counted text, made on first use.
func pluralLocalizer(tag language.Tag) *goi18n.Localizer {
	mu.Lock()
	defer mu.Unlock()
	if bundle == nil {
		bundle = goi18n.NewBundle(English)
		for _, e := range registry {
			if e.plural {
				addPlural(e)
			}
		}
	}
	if l := loc[tag]; l != nil {
		return l
	}
	if loc == nil {
		loc = map[language.Tag]*goi18n.Localizer{}
	}
	l := goi18n.NewLocalizer(bundle, tag.String())
	loc[tag] = l
	return l
}

// String is the text in the current language.
func (t *Text) String() string { return localize(t.id, nil) }

// F formats the text in the current language with args, as fmt.Sprintf.
func (t *Text) F(args ...any) string { return fmt.Sprintf(localize(t.id, nil), args...) }

// N is the form for n in the current language; args follow n for the
// verbs after the first, which takes n.
func (p *Plural) N(n int, args ...any) string {
	return fmt.Sprintf(localize(p.id, n), append([]any{n}, args...)...)
}

func localize(id string, count any) string {
	s := current.Load()
	if s == nil {
		s = use(Detect())
	}
	mu.Lock()
	e := registry[id]
	mu.Unlock()
	if !e.plural || count == nil {
		if s.tag == Chinese {
			return e.zh
		}
		return e.en
	}
	out, err := pluralLocalizer(s.tag).Localize(&goi18n.LocalizeConfig{MessageID: id, PluralCount: count})
	if err != nil {
		return e.en
	}
	return out
}

// SetLanguage picks the language: "" follows the system, else a BCP 47
// tag ("en", "zh-CN"). A tag the app does not speak picks the closest one.
func SetLanguage(setting string) language.Tag {
	if setting == "" {
		return use(Detect()).tag
	}
	return use(match(setting)).tag
}

// Current is the language in use.
func Current() language.Tag {
	s := current.Load()
	if s == nil {
		s = use(Detect())
	}
	return s.tag
}

func use(tag language.Tag) *state {
	mu.Lock()
	defer mu.Unlock()
	s := &state{tag: tag}
	current.Store(s)
	return s
}

var matcher = language.NewMatcher([]language.Tag{English, Chinese})

// match is the supported language closest to a locale or tag; English when
// nothing is close.
func match(locale string) language.Tag {
	locale = strings.TrimSpace(locale)
	if i := strings.IndexAny(locale, ".@"); i >= 0 { // zh_CN.UTF-8, de_DE@euro
		locale = locale[:i]
	}
	locale = strings.ReplaceAll(locale, "_", "-")
	if locale == "" || locale == "C" || locale == "POSIX" {
		return English
	}
	tag, err := language.Parse(locale)
	if err != nil {
		return English
	}
	_, i, conf := matcher.Match(tag)
	if conf == language.No {
		return English
	}
	return []language.Tag{English, Chinese}[i]
}

// Detect is the system's language: the first of LC_ALL, LC_MESSAGES and
// LANG that is set; else, on Windows and macOS, the user's UI language.
func Detect() language.Tag {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if l := os.Getenv(v); l != "" {
			return match(l)
		}
	}
	if l := systemLocale(); l != "" {
		return match(l)
	}
	return English
}

// IDs lists every declared text, sorted; tests walk it.
func IDs() []string {
	mu.Lock()
	defer mu.Unlock()
	ids := make([]string, 0, len(registry))
	for id := range registry {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Forms returns a text's forms in both languages (English one and other,
// Chinese), for tests.
func Forms(id string) (enOne, en, zh string, ok bool) {
	mu.Lock()
	defer mu.Unlock()
	e, ok := registry[id]
	return e.enOne, e.en, e.zh, ok
}

// NF is the form for n in the current language, formatted with args only:
// for a count written otherwise than %d, e.g. with thousands separators.
func (p *Plural) NF(n int, args ...any) string {
	return fmt.Sprintf(localize(p.id, n), args...)
}
