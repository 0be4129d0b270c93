"""Progress rounds (進捗調査) and the reports (進捗報告) divisions give in them.

A round asks, once or twice a year, for the progress of every counted measure (never a
re-listing row). Each measure's responsible division answers with a report; 情報企画課 returns
or approves it; confirming the round makes the approved statuses the measures' own. The plan
itself is the first, baseline round (「計画書掲載時点」), so the trend has its origin.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from measures.models import HistoryAuthorship, Measure, Status

BASELINE_TITLE = "計画書掲載時点"


class RoundState(models.TextChoices):
    PREPARING = "preparing", _("準備中")
    OPEN = "open", _("受付中")
    # 「締切」 is also the deadline (a date); English needs two words.
    CLOSED = "closed", pgettext_lazy("進捗調査の状態", "締切")
    CONFIRMED = "confirmed", _("確定")


class ReportState(models.TextChoices):
    NOT_SUBMITTED = "not_submitted", _("未提出")
    DRAFT = "draft", _("下書き")
    SUBMITTED = "submitted", _("提出")
    RETURNED = "returned", _("差戻し")
    APPROVED = "approved", _("承認")


class ProgressRoundQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state=RoundState.OPEN)

    def confirmed(self):
        """Rounds whose results are final, oldest first; the baseline always comes first, as
        the origin of the trend, whatever day the plan was loaded on."""
        return self.filter(state=RoundState.CONFIRMED).order_by(
            "-is_baseline", "reference_date", "pk"
        )


class ProgressRound(models.Model):
    """One 進捗調査: what date the answers describe (基準日) and when divisions may answer."""

    title = models.CharField(
        _("名称"), max_length=100, unique=True, help_text=_("例: 令和7年度 進捗調査")
    )
    reference_date = models.DateField(
        _("基準日"), help_text=_("報告が表す時点。例: 2026-03-31（年度末）")
    )
    opens_on = models.DateField(_("受付開始"))
    closes_on = models.DateField(_("締切"))
    state = models.CharField(
        _("状態"), max_length=20, choices=RoundState.choices, default=RoundState.PREPARING
    )
    is_baseline = models.BooleanField(
        _("計画書掲載時点"),
        default=False,
        editable=False,
        help_text=_("計画書の施策一覧そのもの。初期登録で作られ、変更できません。"),
    )
    confirmed_at = models.DateTimeField(_("確定日時"), null=True, blank=True, editable=False)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("確定した人"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reminded_at = models.DateTimeField(
        _("最後に督促した日時"), null=True, blank=True, editable=False
    )
    version = models.PositiveIntegerField(_("版"), default=1, editable=False)

    history = HistoricalRecords(verbose_name=_("進捗調査の変更履歴"), bases=[HistoryAuthorship])
    objects = ProgressRoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("進捗調査")
        verbose_name_plural = _("進捗調査")
        ordering = ["-reference_date", "-pk"]
        permissions = [
            (
                "manage_progress",
                _("進捗調査を開始・締切・確定し、報告を承認・差戻しできる"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")),
                name="progressround_closes_after_opening",
                violation_error_message=_("締切は受付開始の日以降にしてください。"),
            ),
            models.UniqueConstraint(
                fields=["state"],
                condition=Q(state="open"),
                name="progressround_one_open",
                violation_error_message=_(
                    "受付中の進捗調査は一つだけです。先に受付中の調査を締め切ってください。"
                ),
            ),
            models.CheckConstraint(
                condition=Q(state__in=RoundState.values),
                name="progressround_state_known",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        """Count every save, so a stale form or a concurrent change can be recognised."""
        if not self._state.adding:
            self.version += 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        super().save(*args, **kwargs)

    @property
    def state_choice(self) -> RoundState:
        return RoundState(self.state)

    @property
    def accepts_reports(self) -> bool:
        return self.state == RoundState.OPEN

    @property
    def is_final(self) -> bool:
        return self.state == RoundState.CONFIRMED


class ProgressReport(models.Model):
    """A division's answer for one measure in one round: a proposed status and an account."""

    round = models.ForeignKey(
        ProgressRound, verbose_name=_("進捗調査"), on_delete=models.CASCADE, related_name="reports"
    )
    measure = models.ForeignKey(
        Measure,
        verbose_name=_("施策"),
        on_delete=models.CASCADE,
        related_name="progress_reports",
    )
    state = models.CharField(
        _("提出状況"),
        max_length=20,
        choices=ReportState.choices,
        default=ReportState.NOT_SUBMITTED,
        db_index=True,
    )
    status = models.CharField(_("状況（報告）"), max_length=20, choices=Status.choices, blank=True)
    progress_percent = models.PositiveSmallIntegerField(
        _("進捗率（%）"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=_("0～100 の整数（任意）。"),
    )
    activities = models.TextField(_("取組内容"), blank=True)
    issues = models.TextField(_("課題"), blank=True)
    next_steps = models.TextField(_("今後の予定"), blank=True)
    links = models.TextField(
        _("参考リンク"), blank=True, help_text=_("1 行に 1 つの URL（任意）。")
    )
    return_comment = models.TextField(
        _("差戻しの理由"), blank=True, help_text=_("情報企画課から報告者へのコメント。")
    )
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("作成者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    written_at = models.DateTimeField(_("最終更新"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提出者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("提出日時"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("確認者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("確認日時"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版"), default=1, editable=False)

    history = HistoricalRecords(verbose_name=_("進捗報告の変更履歴"), bases=[HistoryAuthorship])

    class Meta:
        verbose_name = _("進捗報告")
        verbose_name_plural = _("進捗報告")
        ordering = ["round", "measure__category__order", "measure__position"]
        permissions = [
            (
                "write_own_division_report",
                _("担当課の施策の進捗報告を作成・提出できる"),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "measure"],
                name="progressreport_one_per_measure_and_round",
                violation_error_message=_("この施策の報告はこの調査に既にあります。"),
            ),
            models.CheckConstraint(
                condition=Q(progress_percent__isnull=True) | Q(progress_percent__lte=100),
                name="progressreport_percent_at_most_100",
                violation_error_message=_("進捗率は 0～100 の整数で入力してください。"),
            ),
            models.CheckConstraint(
                condition=Q(status="") | Q(status__in=Status.values),
                name="progressreport_status_known",
            ),
            models.CheckConstraint(
                condition=Q(state__in=ReportState.values),
                name="progressreport_state_known",
            ),
            models.CheckConstraint(
                # An approved answer always carries the status it approves.
                condition=~Q(state="approved") | ~Q(status=""),
                name="progressreport_approved_has_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round.title}: {self.measure.name}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            self.version += 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        super().save(*args, **kwargs)

    @property
    def state_choice(self) -> ReportState:
        return ReportState(self.state)

    @property
    def status_choice(self) -> Status | None:
        return Status(self.status) if self.status else None

    @property
    def link_list(self) -> list[str]:
        return [line.strip() for line in self.links.splitlines() if line.strip()]


class SurveyReturn(models.Model):
    """A division's 調査票 (Excel survey workbook) imported into a round: which division
    answered by workbook, from which file, and when."""

    round = models.ForeignKey(
        ProgressRound,
        verbose_name=_("進捗調査"),
        on_delete=models.CASCADE,
        related_name="survey_returns",
    )
    division = models.ForeignKey(
        "governance.Division",
        verbose_name=_("課等"),
        on_delete=models.PROTECT,
        related_name="survey_returns",
    )
    filename = models.CharField(_("ファイル名"), max_length=255)
    workbook_created_at = models.DateTimeField(_("調査票の作成日時"))
    imported_at = models.DateTimeField(_("取込日時"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("取り込んだ人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    stored = models.PositiveIntegerField(_("提出として記録した報告"), default=0)
    unchanged = models.PositiveIntegerField(_("変更のなかった報告"), default=0)
    kept = models.PositiveIntegerField(_("競合のため上書きしなかった報告"), default=0)

    class Meta:
        verbose_name = _("調査票の取込")
        verbose_name_plural = _("調査票の取込")
        ordering = ["-imported_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.round.title}: {self.division} ({self.filename})"
