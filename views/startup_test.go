package views

// The window's background integrity check waits for the first seconds of
// the window in the app (integrityCheckDelay); the tests check at once.
func init() { integrityCheckDelay = 0 }
