"""The statistical forecast: won revenue by month forecast with exponential smoothing (ETS)
beside the seasonal naive, a pipeline-based estimate, and rolling-origin backtests.

- `methods`, `backtest`, `pipeline_estimate`: pure functions on numpy arrays;
- `selectors`, `scope`: the reads (every queryset through `crm.visibility.visible`);
- `report`: one scope's forecast as the API, the page and the commands give it.
"""
