from measures.progress.models import ProgressReport, ReportState
from measures.progress.survey import services

from .conftest import answer


def test_smoke(own_round, divisions, register, people, workbook_of, fill, plan_of):
    content = workbook_of(own_round, divisions[0])
    filled = fill(content, {register.own.name: answer()})
    plan = plan_of(own_round, ("a.xlsx", filled))
    assert not plan.problems, plan.problems
    assert plan.to_store == 1
    services.survey_import_apply(plan=plan, user=people.policy, overwrite=set())
    report = ProgressReport.objects.get(round=own_round, measure=register.own)
    assert report.state == ReportState.SUBMITTED
    assert report.activities == "電子申請を始めた。"
    assert report.progress_percent == 80
