"""The governance seed against the plan document's chapter 5 itself.

The text was extracted from a PDF, so lines are broken mid-sentence and the figure's boxes and
arrow labels come out as loose lines; texts are compared with line breaks and spaces removed.
"""

import json
import re
from pathlib import Path

import pytest

SEED_DOCUMENT = (
    Path(__file__).resolve().parents[3] / "shared" / "seeds" / "000_3cf166d67478313d.txt"
)
FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "governance.json"

pytestmark = pytest.mark.skipif(
    not SEED_DOCUMENT.exists(), reason="shared/seeds is not beside the repo"
)


def _chapter_5() -> str:
    text = SEED_DOCUMENT.read_text(encoding="utf-8")
    chapter = text[text.index("第５章 推進体制") : text.index("【参考資料】")]
    return chapter


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _fixture(model: str) -> list[dict]:
    rows = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return [row["fields"] for row in rows if row["model"] == f"governance.{model}"]


def test_every_seed_text_is_printed_in_chapter_5():
    chapter = _squash(_chapter_5())
    texts = [body["name"] for body in _fixture("governancebody")]
    texts += [body["heading"] for body in _fixture("governancebody")]
    texts += [
        paragraph
        for body in _fixture("governancebody")
        for paragraph in body["description"].splitlines()
    ]
    texts += [role["text"] for role in _fixture("bodyrole")]
    texts += [duty["text"] for duty in _fixture("leaderduty")]
    missing = [text for text in texts if _squash(text) not in chapter]
    assert missing == []


def test_every_arrow_label_of_the_figure_is_a_relation_as_often_as_printed():
    lines = [line.strip() for line in _chapter_5().splitlines()]
    printed = sorted(
        line
        for line in lines
        if line in {"報告・提案", "支援・調整", "働きかけ", "参画・検討", "招集・検討"}
    )
    seeded = sorted(relation["label"] for relation in _fixture("bodyrelation"))
    assert seeded == printed
    assert printed.count("報告・提案") == 2


def test_policy_division_is_the_one_the_plan_names():
    assert "情報政策部門（総務部情報企画課）" in _chapter_5()
    policy = next(b for b in _fixture("governancebody") if b["name"] == "情報政策部門")
    assert policy["division"] == ["総務部", "情報企画課"]
