"""A flag's evidence keeps codes; the pages name them through evidence_names."""

import pytest

from tests.web.conftest import publish
from web.usecases.analysis.overlap_names import evidence_names
from web.usecases.errors import Forbidden


def test_the_evidence_codes_have_the_organizations_and_librarys_names(ctx, org):
    key = publish(ctx)

    names = evidence_names(ctx, org.actor("citra"))  # a manager

    assert names.positions["UJI-KEPALA"] == "Lurah"
    assert names.units["KEL"] == "Kelurahan Uji"
    assert names.sops[key] == "SOP Uji"


def test_an_officer_may_not_read_them(ctx, org):
    with pytest.raises(Forbidden):
        evidence_names(ctx, org.actor("ani"))
