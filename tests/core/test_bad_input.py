"""Bad input is a clear 4xx, never a server error (issue 18): NUL anywhere, ids parsed one way, imported cells."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from django.test import Client

from partnerhub.core.domain.text import NUL_MESSAGE, first_nul_path, nul_position
from partnerhub.core.forms.fields import IdForm
from scorecards.domain.import_parsing import FileProblem, parse_table

ROOT = Path(__file__).resolve().parents[2]
APP_CODE = ("partnerhub", "scorecards", "reviews", "remediation", "recognition")


def test_nul_is_found_in_text_and_in_json_keys_and_values():
    assert nul_position("abc") is None
    assert nul_position("ab\x00c") == 2
    assert first_nul_path({"a": [{"b": "ok"}, {"c": "x\x00"}]}) == "a[1].c"
    assert first_nul_path({"k\x00": 1}) == "k\x00"
    assert first_nul_path(["fine", 3, None]) is None


@pytest.mark.parametrize("raw", ["①", "²", "\u0661\u0662x", "-3", "0", "9" * 30, "9" * 5000, "1.5", " ", "abc"])
def test_an_id_that_is_not_one_parses_to_nobodys_id_not_an_error(raw):
    assert IdForm.parse({"id": raw}) == 0


def test_an_id_parses_and_an_absent_one_is_none():
    assert IdForm.parse({"id": "42"}) == 42
    assert IdForm.parse({"id": ""}) is None
    assert IdForm.parse({}) is None
    assert IdForm.parse({"partner": "7"}, "partner") == 7


def test_no_app_code_parses_ids_with_isdigit():
    """``str.isdigit()`` is true for '①' and '²', which ``int()`` refuses: ids go through IdField (forms, API)."""
    offenders = []
    for package in APP_CODE:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Attribute) and node.attr in ("isdigit", "isnumeric", "isdecimal"):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


@pytest.mark.django_db
class TestNulIsRefusedAtTheEdge:
    @pytest.fixture
    def admin_client(self, actor, client_for):
        return client_for(actor("admin"))

    def test_in_a_search_box(self, admin_client, tenant):
        response = admin_client.get(f"/t/{tenant.slug}/audit/", {"q": "a\x00b"})
        assert response.status_code == 400
        assert "NUL character" in response.content.decode()

    def test_in_a_form_field_name_or_value(self, admin_client, tenant):
        for data in ({"name": "x\x00"}, {"na\x00me": "x"}):
            response = admin_client.post(f"/t/{tenant.slug}/partners/new/", data)
            assert response.status_code == 400

    def test_in_an_api_json_body_in_the_error_shape(self, actor, api_client_for, tenant):
        client = api_client_for(actor("admin"))
        body = json.dumps({"name": "Acme\x00", "partner_type": "si", "region": "emea"})
        response = client.post(f"/api/v1/t/{tenant.slug}/partners/", body, content_type="application/json")
        assert response.status_code == 400
        assert response.json() == {"detail": NUL_MESSAGE, "code": "nul_character", "extra": {"field": "name"}}

    def test_in_the_login_name_before_the_lockout_machinery_sees_it(self, db):
        for url, field in (
            ("/accounts/login/", "login"),
            ("/admin/login/", "username"),
            ("/api/v1/auth/token/", "username"),
        ):
            response = Client().post(url, {field: "a\x00@example.test", "password": "x"})
            assert response.status_code == 400

    def test_a_json_body_nested_too_deeply_to_parse_is_a_400_not_a_500(self, actor, api_client_for, tenant):
        client = api_client_for(actor("admin"))
        body = "[" * 100_000 + "]" * 100_000
        response = client.post(f"/api/v1/t/{tenant.slug}/partners/", body, content_type="application/json")
        assert response.status_code == 400
        assert response.json()["code"] == "too_deep"

    def test_a_literal_backslash_u0000_text_is_not_a_nul(self, actor, api_client_for, tenant):
        client = api_client_for(actor("admin"))
        body = json.dumps({"name": "Acme \\u0000 Ltd", "partner_type": "si", "region": "emea"})
        response = client.post(f"/api/v1/t/{tenant.slug}/partners/", body, content_type="application/json")
        assert response.status_code == 201


def test_the_notification_read_mark_with_a_digit_int_refuses_is_a_400(actor, client_for, tenant):
    client = client_for(actor("manager"))
    for raw in ("①", "²", "9" * 30):
        response = client.post(f"/t/{tenant.slug}/notifications/read/", {"id": raw})
        assert response.status_code == 400


def test_an_imported_csv_cell_with_nul_deep_in_the_file_is_a_file_problem():
    rows = "Partner,Amount\n" + "Acme,1\n" * 20_000 + "Ac\x00me,2\n"
    with pytest.raises(FileProblem) as excinfo:
        parse_table(rows.encode(), "deals.csv")
    assert NUL_MESSAGE in excinfo.value.reason
    assert excinfo.value.reason.startswith("Line 20002:")


@pytest.mark.parametrize("api", [True, False], ids=["api", "page"])
def test_a_form_with_more_fields_than_django_reads_is_a_400_in_the_callers_language(
    actor, client_for, api_client_for, tenant, settings, api
):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    member = actor("manager")
    body = "&".join(f"f{n}=1" for n in range(50))
    form = "application/x-www-form-urlencoded"
    if api:
        response = api_client_for(member).post(f"/api/v1/t/{tenant.slug}/notifications/read/", body, content_type=form)
        assert response.status_code == 400
        assert response.json()["code"] == "bad_request"
    else:
        response = client_for(member).post(f"/t/{tenant.slug}/notifications/read/", body, content_type=form)
        assert response.status_code == 400
        assert "could not be read" in response.content.decode()
