from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from measures.progress.models import ProgressRound, RoundState
from measures.progress.survey import writer
from measures.progress.survey.selectors import survey_divisions


def find_round(value: str) -> ProgressRound:
    """Return the round named by its number or its 名称."""
    rounds = ProgressRound.objects.all()
    found = rounds.filter(pk=int(value)).first() if value.isdigit() else None
    found = found or rounds.filter(title=value).first()
    if found is None:
        raise CommandError(f"進捗調査「{value}」がありません（番号または名称で指定します）。")
    return found


class Command(BaseCommand):
    help = (
        "受付中の進捗調査について、課等ごとの調査票（Excel ブック）を DIR に書き出します。"
        "ファイル名は「調査票_<調査の名称>_<課等>.xlsx」です。"
    )

    def add_arguments(self, parser):
        parser.add_argument("round", help="進捗調査の番号または名称")
        parser.add_argument("-o", "--output", required=True, help="書き出すフォルダ")
        parser.add_argument("--zip", action="store_true", help="一つの zip にまとめる")

    def handle(self, *args, round, output, zip=False, **options):
        progress_round = find_round(round)
        if progress_round.state != RoundState.OPEN:
            raise CommandError(
                f"「{progress_round.title}」は{progress_round.state_choice.label}です。"
                "調査票は受付中の進捗調査でだけ書き出せます。"
            )
        directory = Path(output)
        directory.mkdir(parents=True, exist_ok=True)
        surveys = survey_divisions(progress_round)
        if not surveys:
            self.stdout.write("調査票を作る課等がありません（回答待ちの報告がありません）。")
            return
        created_at = timezone.now()
        if zip:
            target = directory / writer.survey_zip_filename(progress_round)
            with target.open("wb") as stream:
                writer.write_survey_zip(stream, progress_round, surveys, created_at=created_at)
            self.stdout.write(f"{target}（{len(surveys)} 課等）")
            return
        names: set[str] = set()
        for survey in surveys:
            name = writer.survey_filename(progress_round, survey.division)
            if name in names:
                name = writer.survey_filename(progress_round, survey.division, with_department=True)
            names.add(name)
            target = directory / name
            target.write_bytes(writer.survey_bytes(progress_round, survey, created_at=created_at))
            self.stdout.write(f"{target}（{len(survey.rows)} 件）")
        self.stdout.write(f"{len(surveys)} 課等の調査票を書き出しました。")
