"""The BPMN engine of Alur: safe loading, SOP metadata, restricted expressions, running instances.

Framework-free: nothing here imports Flask or SQLAlchemy.
"""
