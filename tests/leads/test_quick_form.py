"""The quick-add lead form reads well."""

import pytest

from leads.forms import LeadQuickForm
from tests.conftest import Org

pytestmark = pytest.mark.django_db


def test_the_source_select_asks_for_a_source_instead_of_dashes(org: Org) -> None:
    html = str(LeadQuickForm(actor=org.rep)["source"])

    assert '<option value="" selected>Choose a source</option>' in html
    assert "---------" not in html
