"""Persistence: models, repositories, migrations and the SQL behind dashboards."""
