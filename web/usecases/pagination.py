"""Pages of long lists: what a client asked for, clamped, and what it gets back."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from storage.repositories.runtime import page as fetch_page
from web.usecases.bounds import INT_MAX


@dataclass(frozen=True)
class PageRequest:
    page: int = 1
    per_page: int = 25

    def clamped(self, max_per_page: int) -> "PageRequest":
        """Within 1..INT_MAX pages of 1..max_per_page items: the offset stays a database integer."""
        page = min(max(1, self.page), INT_MAX)
        return PageRequest(page, min(max(1, self.per_page), max_per_page))


@dataclass(frozen=True)
class Page:
    items: list[Any]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def paginate(session: Session, query: Select, request: PageRequest) -> Page:
    items, total = fetch_page(
        session, query, (request.page - 1) * request.per_page, request.per_page
    )
    return Page(items, total, request.page, request.per_page)
