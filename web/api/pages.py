"""Turning a use-case Page into the API's page envelope."""

from flask import current_app

from web.usecases.pagination import Page, PageRequest


def page_request(args: dict) -> PageRequest:
    settings = current_app.extensions["alur"]["settings"]
    request = PageRequest(args.get("page") or 1, args.get("per_page") or settings.page_size)
    return request.clamped(settings.max_page_size)


def envelope(page: Page) -> dict:
    return {
        "items": page.items,
        "total": page.total,
        "page": page.page,
        "per_page": page.per_page,
        "pages": page.pages,
    }
