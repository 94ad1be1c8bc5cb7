// Package app holds Tandem's domain: the CRM and help-desk types, their
// validation rules, the service interfaces the adapters implement, and the
// error codes every layer shares. It imports only the standard library.
package app
