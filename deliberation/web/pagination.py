"""Page numbers from the query string and a page of results, shared by HTML lists and the API."""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


MAX_PAGE = 1_000_000


def clamp_page(page: int | None, per_page: int | None, *, default_per_page: int, max_per_page: int
               ) -> tuple[int, int]:
    page = min(page, MAX_PAGE) if page and page > 0 else 1  # a huge page number overflows SQLite's OFFSET
    per_page = per_page if per_page and per_page > 0 else default_per_page
    return page, min(per_page, max_per_page)
