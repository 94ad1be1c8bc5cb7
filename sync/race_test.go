//go:build race

package sync_test

// raceEnabled: the race detector makes SQLite (modernc) several times
// slower, so TestRandomized does fewer operations per seed under -race
// (the same seeds; the plain run keeps the full length).
const raceEnabled = true
