package i18n

import "os"

// EnvVar names the variable through which the agent gives a window process
// its language, so that both speak the same one whatever the user chose.
const EnvVar = "TASKTRAY_LANG"

// Env is the environment a child process needs to speak the language in
// use: EnvVar for FromEnv, and LANGUAGE, which Fyne's own words (a file
// dialog's "Cancel") follow on Linux before LC_ALL and LANG (GNU gettext's
// order, kept by github.com/jeandeaual/go-locale).
func Env() []string {
	tag, gnu := Current(), "en"
	if tag == Chinese {
		gnu = "zh_CN"
	}
	return []string{EnvVar + "=" + tag.String(), "LANGUAGE=" + gnu}
}

// FromEnv picks the language a parent process passed in EnvVar; without it,
// the system's.
func FromEnv() { SetLanguage(os.Getenv(EnvVar)) }
