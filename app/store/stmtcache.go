package store

import (
	"context"
	"database/sql"
	gosync "sync"
)

// Statements prepared once per transaction (issue 17). database/sql with
// modernc prepares, runs and finalizes a statement for every Exec given
// SQL text; a first sync's reconcile runs the same six statements for each
// of 12k records, and preparing them was a large part of the ~0.7 ms each
// record cost. A transaction that runs many rows registers a cache; the
// helpers below use it when there is one and plain Exec otherwise, so the
// functions they serve work in any transaction.

// txStmts maps a *sql.Tx to its *stmtCache.
var txStmts gosync.Map

type stmtCache map[string]*sql.Stmt

// cacheStatements gives tx a statement cache until the returned function
// runs (before the transaction ends; its statements close with it).
func cacheStatements(tx *sql.Tx) func() {
	txStmts.Store(tx, stmtCache{})
	return func() { txStmts.Delete(tx) }
}

// cached returns tx's prepared statement for query, or nil without a cache.
func cached(ctx context.Context, tx *sql.Tx, query string) (*sql.Stmt, error) {
	v, ok := txStmts.Load(tx)
	if !ok {
		return nil, nil
	}
	c := v.(stmtCache) // one writer: a transaction is used by one goroutine
	if st, ok := c[query]; ok {
		return st, nil
	}
	st, err := tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c[query] = st
	return st, nil
}

// execTx is tx.ExecContext through tx's statement cache.
func execTx(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	st, err := cached(ctx, tx, query)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return tx.ExecContext(ctx, query, args...)
	}
	return st.ExecContext(ctx, args...)
}

// queryRowTx is tx.QueryRowContext through tx's statement cache.
func queryRowTx(ctx context.Context, tx *sql.Tx, query string, args ...any) *sql.Row {
	st, err := cached(ctx, tx, query)
	if err != nil || st == nil {
		return tx.QueryRowContext(ctx, query, args...) // the same error, if any, from Scan
	}
	return st.QueryRowContext(ctx, args...)
}
