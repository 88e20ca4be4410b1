"""Use cases: one function per verb, authorization first, one transaction each.

The API, the pages, the CLI and the scheduler call these same functions. They import neither
Flask nor any request object: everything they need comes in through :class:`Context` and an
:class:`Actor`.
"""
