package i18n

import "os"

// EnvVar names the variable through which the agent gives a window process
// its language, so that both speak the same one whatever the user chose.
const EnvVar = "TASKTRAY_LANG"

// Env is the EnvVar=value pair for a child process: the language in use.
func Env() string { return EnvVar + "=" + Current().String() }

// FromEnv picks the language a parent process passed in EnvVar; without it,
// the system's.
func FromEnv() { SetLanguage(os.Getenv(EnvVar)) }
