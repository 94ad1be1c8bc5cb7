package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/tandem-crm/tandem/app"
)

// querier is what read helpers need from a *sql.Tx or *sql.DB.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// checkName trims a pipeline or stage name and validates it like the app
// validates other names.
func checkName(name *string) error {
	*name = strings.TrimSpace(*name)
	switch {
	case *name == "":
		return fieldError("Name", app.MsgRequired)
	case utf8.RuneCountInString(*name) > app.MaxNameLen:
		return fieldError("Name", app.MsgTooLong)
	}
	return nil
}

// ListPipelines returns every pipeline in order, each with its stages in
// order and the number of records in each stage.
func (db *DB) ListPipelines(ctx context.Context) ([]app.Pipeline, error) {
	var ps []app.Pipeline
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		ps, err = loadPipelines(ctx, tx, 0)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: list pipelines: %w", err)
	}
	return ps, nil
}

// FindPipeline returns one pipeline with its stages, or ENOTFOUND.
func (db *DB) FindPipeline(ctx context.Context, id int64) (*app.Pipeline, error) {
	var ps []app.Pipeline
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		ps, err = loadPipelines(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: find pipeline: %w", err)
	}
	if len(ps) == 0 {
		return nil, fmt.Errorf("store: find pipeline: %w", notFound("Pipeline"))
	}
	return &ps[0], nil
}

// loadPipelines reads all pipelines, or only the one with id when id != 0.
func loadPipelines(ctx context.Context, q querier, id int64) ([]app.Pipeline, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, name, position FROM pipelines
		WHERE ?1 = 0 OR id = ?1 ORDER BY position, id`, id)
	if err != nil {
		return nil, err
	}
	ps := []app.Pipeline{}
	index := map[int64]int{}
	for rows.Next() {
		var p app.Pipeline
		if err := rows.Scan(&p.ID, &p.Name, &p.Position); err != nil {
			rows.Close()
			return nil, err
		}
		index[p.ID] = len(ps)
		ps = append(ps, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = q.QueryContext(ctx, `SELECT s.id, s.pipeline_id, s.name, s.position,
		(SELECT count(*) FROM pipeline_records r WHERE r.stage_id = s.id)
		FROM stages s WHERE ?1 = 0 OR s.pipeline_id = ?1 ORDER BY s.pipeline_id, s.position, s.id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var s app.Stage
		if err := rows.Scan(&s.ID, &s.PipelineID, &s.Name, &s.Position, &s.Records); err != nil {
			return nil, err
		}
		if i, ok := index[s.PipelineID]; ok {
			ps[i].Stages = append(ps[i].Stages, s)
		}
	}
	return ps, rows.Err()
}

// CreatePipeline inserts p at the end of the pipeline list (or at
// p.Position when set) together with p.Stages in their given order, and
// sets the IDs and positions.
func (db *DB) CreatePipeline(ctx context.Context, p *app.Pipeline) error {
	if err := checkName(&p.Name); err != nil {
		return fmt.Errorf("store: create pipeline: %w", err)
	}
	for i := range p.Stages {
		if err := checkName(&p.Stages[i].Name); err != nil {
			return fmt.Errorf("store: create pipeline: stage %d: %w", i+1, err)
		}
	}
	now := toDB(db.now())
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		if p.Position == 0 {
			if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(position) + 1, 0) FROM pipelines").Scan(&p.Position); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, "INSERT INTO pipelines (name, position, created_at, updated_at) VALUES (?, ?, ?, ?)",
			p.Name, p.Position, now, now)
		if err != nil {
			return err
		}
		if p.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		for i := range p.Stages {
			s := &p.Stages[i]
			s.PipelineID, s.Position, s.Records = p.ID, i, 0
			res, err := tx.ExecContext(ctx, "INSERT INTO stages (pipeline_id, name, position, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
				s.PipelineID, s.Name, s.Position, now, now)
			if err != nil {
				return err
			}
			if s.ID, err = res.LastInsertId(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: create pipeline: %w", err)
	}
	return nil
}

// RenamePipeline renames a pipeline (ENOTFOUND, EINVALID).
func (db *DB) RenamePipeline(ctx context.Context, id int64, name string) error {
	if err := checkName(&name); err != nil {
		return fmt.Errorf("store: rename pipeline: %w", err)
	}
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		return updateOne(ctx, tx, "Pipeline",
			"UPDATE pipelines SET name = ?, updated_at = ?, rev = rev + 1 WHERE id = ?", name, toDB(db.now()), id)
	})
	if err != nil {
		return fmt.Errorf("store: rename pipeline: %w", err)
	}
	return nil
}

// updateOne runs an UPDATE meant to change one row and returns ENOTFOUND
// (for kind) when it changed none.
func updateOne(ctx context.Context, tx *sql.Tx, kind, query string, args ...any) error {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return notFound(kind)
	}
	return nil
}

// DeletePipeline deletes an empty pipeline and its stages. It returns
// ECONFLICT while the pipeline still has records, and ENOTFOUND.
func (db *DB) DeletePipeline(ctx context.Context, id int64) error {
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM pipeline_records WHERE pipeline_id = ?", id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return app.Errorf(app.ECONFLICT, "This pipeline still has %s. Move or delete them first.", plural(n, "record"))
		}
		return deleteRow(ctx, tx, "pipelines", id, "Pipeline")
	})
	if err != nil {
		return fmt.Errorf("store: delete pipeline: %w", err)
	}
	return nil
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// CreateStage appends s to the end of its pipeline and sets its ID and
// Position. It returns ENOTFOUND when the pipeline does not exist.
func (db *DB) CreateStage(ctx context.Context, s *app.Stage) error {
	if err := checkName(&s.Name); err != nil {
		return fmt.Errorf("store: create stage: %w", err)
	}
	now := toDB(db.now())
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, "SELECT 1 FROM pipelines WHERE id = ?", s.PipelineID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("Pipeline")
		}
		if err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(position) + 1, 0) FROM stages WHERE pipeline_id = ?", s.PipelineID).Scan(&s.Position); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, "INSERT INTO stages (pipeline_id, name, position, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
			s.PipelineID, s.Name, s.Position, now, now)
		if err != nil {
			return err
		}
		s.ID, err = res.LastInsertId()
		s.Records = 0
		return err
	})
	if err != nil {
		return fmt.Errorf("store: create stage: %w", err)
	}
	return nil
}

// RenameStage renames a stage (ENOTFOUND, EINVALID).
func (db *DB) RenameStage(ctx context.Context, id int64, name string) error {
	if err := checkName(&name); err != nil {
		return fmt.Errorf("store: rename stage: %w", err)
	}
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		return updateOne(ctx, tx, "Stage",
			"UPDATE stages SET name = ?, updated_at = ?, rev = rev + 1 WHERE id = ?", name, toDB(db.now()), id)
	})
	if err != nil {
		return fmt.Errorf("store: rename stage: %w", err)
	}
	return nil
}

// stageIDs returns the stages of a pipeline in order.
func stageIDs(ctx context.Context, tx *sql.Tx, pipelineID int64) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, "SELECT id FROM stages WHERE pipeline_id = ? ORDER BY position, id", pipelineID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// renumber gives the stages positions 0, 1, 2... in the order of ids.
func renumber(ctx context.Context, tx *sql.Tx, ids []int64, now int64) error {
	for i, id := range ids {
		if _, err := tx.ExecContext(ctx, "UPDATE stages SET position = ?, updated_at = ? WHERE id = ? AND position <> ?",
			i, now, id, i); err != nil {
			return err
		}
	}
	return nil
}

// stagePipeline returns the pipeline of a stage, or ENOTFOUND.
func stagePipeline(ctx context.Context, q querier, stageID int64) (int64, error) {
	var pid int64
	err := q.QueryRowContext(ctx, "SELECT pipeline_id FROM stages WHERE id = ?", stageID).Scan(&pid)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, notFound("Stage")
	}
	return pid, err
}

// MoveStage moves a stage to position pos (0-based, clamped to the ends)
// within its pipeline and renumbers the others.
func (db *DB) MoveStage(ctx context.Context, id int64, pos int) error {
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		pid, err := stagePipeline(ctx, tx, id)
		if err != nil {
			return err
		}
		ids, err := stageIDs(ctx, tx, pid)
		if err != nil {
			return err
		}
		rest := make([]int64, 0, len(ids))
		for _, x := range ids {
			if x != id {
				rest = append(rest, x)
			}
		}
		pos = min(max(pos, 0), len(rest))
		ordered := append(append(append([]int64{}, rest[:pos]...), id), rest[pos:]...)
		return renumber(ctx, tx, ordered, toDB(db.now()))
	})
	if err != nil {
		return fmt.Errorf("store: move stage: %w", err)
	}
	return nil
}

// DeleteStage deletes an empty stage and closes the gap in the positions.
// It returns ECONFLICT while records are in the stage, and ENOTFOUND.
func (db *DB) DeleteStage(ctx context.Context, id int64) error {
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		pid, err := stagePipeline(ctx, tx, id)
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM pipeline_records WHERE stage_id = ?", id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return app.Errorf(app.ECONFLICT, "This stage still has %s. Move them to another stage first.", plural(n, "record"))
		}
		if err := deleteRow(ctx, tx, "stages", id, "Stage"); err != nil {
			return err
		}
		ids, err := stageIDs(ctx, tx, pid)
		if err != nil {
			return err
		}
		return renumber(ctx, tx, ids, toDB(db.now()))
	})
	if err != nil {
		return fmt.Errorf("store: delete stage: %w", err)
	}
	return nil
}
