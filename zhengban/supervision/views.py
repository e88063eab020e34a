"""Pages of the supervision app: the leaders' board, statistics, drill-down and exports."""
