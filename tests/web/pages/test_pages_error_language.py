"""Pages show use-case errors in the logged-in user's language."""

import pytest

from tests.web.conftest import build_org
from tests.web.pages.test_pages_officer import log_in, text_of
from web.usecases.organization import login


@pytest.fixture
def org(app, clock):
    app.config["WTF_CSRF_ENABLED"] = False
    return build_org(app.extensions["alur"]["context"])


def test_a_missing_step_is_explained_in_indonesian_then_in_english(app, org):
    client = log_in(app, "ani")

    indonesian = client.get("/work-items/424242")
    login.set_language(app.extensions["alur"]["context"], org.actor("ani"), "en")
    english = log_in(app, "ani").get("/work-items/424242")

    assert indonesian.status_code == english.status_code == 404
    assert "Langkah kerja nomor 424242 tidak ditemukan." in text_of(indonesian)
    assert "Work item 424242 does not exist." in text_of(english)
