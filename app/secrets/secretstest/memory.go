// Package secretstest is an in-memory app.SecretStore for tests that are
// not about the OS keyring (app/secrets' own tests and CI use the real one).
package secretstest

import (
	"context"
	"sync"

	"github.com/tandem-crm/tandem/app"
)

// Memory keeps secrets in a map; it is safe for concurrent use.
type Memory struct {
	mu sync.Mutex
	m  map[string]string
}

// New returns an empty Memory.
func New() *Memory { return &Memory{m: map[string]string{}} }

// GetSecret returns ENOTFOUND for a key never set.
func (s *Memory) GetSecret(_ context.Context, key string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[key]
	if !ok {
		return "", app.Errorf(app.ENOTFOUND, "no secret %s", key)
	}
	return v, nil
}

// SetSecret stores a secret.
func (s *Memory) SetSecret(_ context.Context, key, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = value
	return nil
}

// DeleteSecret removes a secret; removing a missing one is not an error.
func (s *Memory) DeleteSecret(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, key)
	return nil
}

// Len is how many secrets are kept.
func (s *Memory) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m)
}
