"""The efficiency dashboard: overview, one SOP, workload, versions, drill-down, event log."""
