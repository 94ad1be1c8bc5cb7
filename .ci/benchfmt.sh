#!/usr/bin/env bash
# Prints `go test -bench` output one figure a line under its benchmark, so
# each figure stands beside its floor ("floor-…") and the ratio ("x-…").
# Other lines (failures, logs) pass through.
awk '
/^Benchmark/ {
  print $1 " (" $2 " runs)"
  for (i = 3; i < NF; i += 2) printf "    %-40s %14s\n", $(i+1), $i
  next
}
/^(goos|goarch|pkg|cpu|PASS)/ { next }
{ print }
'
