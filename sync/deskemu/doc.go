// Package deskemu is a Zoho Desk compatible HTTP server with in-memory
// state, for tests, demos and benchmarks.
//
// It serves the REST API v1 paths Tandem uses (same JSON names and types,
// string ids, ISO times, from/limit paging, 204 on empty lists, Desk's error
// JSON), the OAuth endpoints with a one-click sign-in, a control API under
// /_emu/ that plays the part of Desk users (customer replies, comments with
// mentions, escalations, ratings, a controllable clock), and fault knobs
// (429, 5xx, latency, dropped connections, malformed JSON).
//
// Where Zoho's behaviour is a guess (profile permissions,
// mention markup) the emulator imports the guess from sync/desk so both
// sides share one definition; everything else uses the emulator's own JSON
// types so that fixtures catch drift between client and emulator.
package deskemu
