"""Lead scoring: admin rules (fit + engagement), a predictive model trained on the team's own
history, explanations, versions and their measured quality.

Modules: `models` (rules, settings, model versions), `fields` (what a rule may test),
`rules` (validation and set-based evaluation in SQL), `features` and `training` (the
scikit-learn pipeline and its metrics), `explain` (per-lead factors), `engine` (batch scoring),
`services` (writes), `tasks` (Celery), `api`, `views`.
"""
