"""The 推進体制 (chapter 5) as JSON: the bodies with their roles and the figure's relations.
Only what the plan states; no person's name (heads, leaders, members) is part of an answer."""

from ninja import Field, Router

from morioka_ict.api.schemas import ERRORS, Out

from .selectors import governance_structure

router = Router(tags=["推進体制"])


class BodyOut(Out):
    code: str = Field(description="組織のコード")
    name: str = Field(description="名称（例: 庁議）")
    section: str = Field(description="計画書の節")
    heading: str = Field(description="計画書の見出し")
    description: str = Field(description="計画書の本文")
    note: str = Field(description="注記（例: 設置した場合）")
    division: str | None = Field(description="担う課等（部・課等の名称）")
    roles: list[str] = Field(description="役割")


class RelationOut(Out):
    source: str = Field(description="矢印の元の組織のコード")
    target: str = Field(description="矢印の先の組織のコード")
    label: str = Field(description="関係（例: 報告・提案）")


class StructureOut(Out):
    bodies: list[BodyOut] = Field(description="推進体制の組織")
    relations: list[RelationOut] = Field(description="組織の間の関係（計画書の図の矢印）")
    leader_duties: list[str] = Field(description="情報化推進リーダーの役割")


@router.get("/structure", response={200: StructureOut, **ERRORS}, summary="推進体制（組織と関係）")
def structure(request):
    data = governance_structure()
    return {
        "bodies": [
            {
                "code": body.code,
                "name": body.name,
                "section": body.section,
                "heading": body.heading,
                "description": body.description,
                "note": body.note,
                "division": str(body.division) if body.division_id else None,
                "roles": [role.text for role in body.roles.all()],
            }
            for body in data.bodies
        ],
        "relations": [
            {"source": r.source.code, "target": r.target.code, "label": r.label}
            for r in data.relations
        ],
        "leader_duties": [duty.text for duty in data.leader_duties],
    }
