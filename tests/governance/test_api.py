"""The 推進体制 in the API: the plan's four bodies, their roles and the figure's arrows."""

import pytest

pytestmark = pytest.mark.django_db


def test_structure_lists_bodies_roles_and_relations(reader_client, governance_seeded):
    body = reader_client.get("/api/v1/governance/structure").json()
    names = [b["name"] for b in body["bodies"]]
    assert len(names) == 4 and "庁議" in names
    assert all(b["roles"] for b in body["bodies"])
    codes = {b["code"] for b in body["bodies"]}
    assert len(body["relations"]) == 6
    assert all(r["source"] in codes and r["target"] in codes for r in body["relations"])
    assert {r["label"] for r in body["relations"]} >= {"報告・提案", "支援・調整"}
    assert body["leader_duties"]
