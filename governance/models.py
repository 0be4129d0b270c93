"""The plan's promotion structure (第５章 推進体制): departments and divisions, the governance
bodies with their roles and the relations drawn in the plan's figure, 情報化推進リーダー
appointments and project teams."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from measures.models import HistoryAuthorship

_HISTORIES: list[HistoricalRecords] = []


def _history(verbose_name, **kwargs) -> HistoricalRecords:
    """Every governance table keeps a history whose rows keep the editor's name as text."""
    records = HistoricalRecords(verbose_name=verbose_name, bases=[HistoryAuthorship], **kwargs)
    _HISTORIES.append(records)
    return records


def history_recorder(model) -> HistoricalRecords:
    """Return what writes ``model``'s history, so loaders can add entries for raw-saved rows."""
    return next(records for records in _HISTORIES if records.cls is model)


class DepartmentManager(models.Manager):
    def get_by_natural_key(self, name):
        return self.get(name=name)


class Department(models.Model):
    """A department (部) of the city, e.g. 総務部."""

    name = models.CharField(_("部の名称"), max_length=50, unique=True)
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    history = _history(_("部の変更履歴"))
    objects = DepartmentManager()

    class Meta:
        verbose_name = _("部")
        verbose_name_plural = _("部")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self):
        return (self.name,)


class DivisionManager(models.Manager):
    def get_by_natural_key(self, department_name, name):
        return self.get(department__name=department_name, name=name)


class Division(models.Model):
    """A division (課等) of a department: an ICT利活用実施部門 in the plan's words."""

    department = models.ForeignKey(
        Department, verbose_name=_("部"), on_delete=models.PROTECT, related_name="divisions"
    )
    name = models.CharField(_("課等の名称"), max_length=50, help_text=_("例: 情報企画課"))
    head_title = models.CharField(
        _("長の職名"), max_length=30, default="課長", help_text=_("例: 課長、所長、室長")
    )
    head_name = models.CharField(_("長の氏名"), max_length=50, blank=True)
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)
    reporters = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("進捗報告の入力者"),
        blank=True,
        related_name="reporting_divisions",
        help_text=_(
            "情報化推進リーダーのほかに、この課等の施策の進捗報告を作成・提出できるアカウント。"
        ),
    )

    # Who may write a division's reports is a grant of rights: its changes are kept too.
    history = _history(_("課等の変更履歴"), m2m_fields=["reporters"])
    objects = DivisionManager()

    class Meta:
        verbose_name = _("課等")
        verbose_name_plural = _("課等")
        ordering = ["department__order", "department__name", "order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "name"],
                name="division_unique_name_in_department",
                violation_error_message=_("この部には同じ名称の課等が既にあります。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department.name} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("governance:division", args=[self.pk])

    def natural_key(self):
        return (self.department.name, self.name)

    natural_key.dependencies = ["governance.department"]

    @property
    def head_display(self) -> str:
        return f"{self.head_title} {self.head_name}".strip()


class GovernanceBodyManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class GovernanceBody(models.Model):
    """A body of the promotion structure (庁議, 情報政策部門, ICT利活用実施部門, プロジェクト
    チーム)."""

    code = models.SlugField(_("コード"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    section = models.CharField(
        _("計画書の項"), max_length=30, blank=True, help_text=_("例: 第５章１(3)")
    )
    heading = models.CharField(
        _("計画書の見出し"), max_length=100, blank=True, help_text=_("例: 情報政策部門の役割")
    )
    description = models.TextField(_("計画書の本文"), blank=True)
    note = models.CharField(_("注記"), max_length=100, blank=True, help_text=_("例: 設置した場合"))
    division = models.ForeignKey(
        Division,
        verbose_name=_("担当課"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="governance_bodies",
        help_text=_("この機関を担う課（情報政策部門なら総務部 情報企画課）。"),
    )
    order = models.PositiveSmallIntegerField(_("表示順"), unique=True)
    diagram_row = models.PositiveSmallIntegerField(
        _("図の段"), default=0, help_text=_("推進体制図での段（0 が最上段）。")
    )
    diagram_column = models.PositiveSmallIntegerField(
        _("図の列"), default=0, help_text=_("推進体制図での列（0 が左端）。")
    )

    history = _history(_("推進体制の機関の変更履歴"))
    objects = GovernanceBodyManager()

    class Meta:
        verbose_name = _("推進体制の機関")
        verbose_name_plural = _("推進体制の機関")
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self):
        return (self.code,)


class BodyRoleManager(models.Manager):
    def get_by_natural_key(self, body_code, order):
        return self.get(body__code=body_code, order=order)


class BodyRole(models.Model):
    """A role of a body as the plan's figure lists it."""

    body = models.ForeignKey(
        GovernanceBody, verbose_name=_("機関"), on_delete=models.CASCADE, related_name="roles"
    )
    order = models.PositiveSmallIntegerField(_("表示順"))
    text = models.CharField(_("役割"), max_length=200)

    history = _history(_("機関の役割の変更履歴"))
    objects = BodyRoleManager()

    class Meta:
        verbose_name = _("機関の役割")
        verbose_name_plural = _("機関の役割")
        ordering = ["body__order", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "order"],
                name="bodyrole_unique_order_in_body",
                violation_error_message=_("この機関のこの表示順には既に役割があります。"),
            ),
        ]

    def __str__(self) -> str:
        return self.text

    def natural_key(self):
        return (self.body.code, self.order)

    natural_key.dependencies = ["governance.governancebody"]


class BodyRelationManager(models.Manager):
    def get_by_natural_key(self, source_code, target_code, label):
        return self.get(source__code=source_code, target__code=target_code, label=label)


class BodyRelation(models.Model):
    """An arrow of the plan's figure: ``source`` does ``label`` towards ``target``."""

    source = models.ForeignKey(
        GovernanceBody,
        verbose_name=_("矢印の元"),
        on_delete=models.CASCADE,
        related_name="outgoing_relations",
    )
    target = models.ForeignKey(
        GovernanceBody,
        verbose_name=_("矢印の先"),
        on_delete=models.CASCADE,
        related_name="incoming_relations",
    )
    label = models.CharField(_("関係"), max_length=30, help_text=_("例: 報告・提案"))
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    history = _history(_("機関の関係の変更履歴"))
    objects = BodyRelationManager()

    class Meta:
        verbose_name = _("機関の関係")
        verbose_name_plural = _("機関の関係")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "target", "label"],
                name="bodyrelation_unique",
                violation_error_message=_("同じ機関の間に同じ関係が既にあります。"),
            ),
            models.CheckConstraint(
                condition=~Q(source=F("target")),
                name="bodyrelation_not_to_itself",
                violation_error_message=_("矢印の元と先には別の機関を選んでください。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} → {self.target}：{self.label}"

    def natural_key(self):
        return (self.source.code, self.target.code, self.label)

    natural_key.dependencies = ["governance.governancebody"]


class LeaderDutyManager(models.Manager):
    def get_by_natural_key(self, order):
        return self.get(order=order)


class LeaderDuty(models.Model):
    """A duty of a 情報化推進リーダー as the plan lists it (「情報化推進リーダーの役割」)."""

    order = models.PositiveSmallIntegerField(_("表示順"), unique=True)
    text = models.CharField(_("役割"), max_length=200)

    history = _history(_("情報化推進リーダーの役割の変更履歴"))
    objects = LeaderDutyManager()

    class Meta:
        verbose_name = _("情報化推進リーダーの役割")
        verbose_name_plural = _("情報化推進リーダーの役割")
        ordering = ["order"]

    def __str__(self) -> str:
        return self.text

    def natural_key(self):
        return (self.order,)


def _today() -> datetime.date:
    return timezone.localdate()


class PromotionLeaderQuerySet(models.QuerySet):
    def current(self, on: datetime.date | None = None):
        """Return the appointments in force on ``on`` (today by default)."""
        on = on or _today()
        return self.filter(start_date__lte=on).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=on)
        )

    def past(self, on: datetime.date | None = None):
        return self.filter(end_date__lt=on or _today())


class PromotionLeader(models.Model):
    """An appointment of a 情報化推進リーダー to a division by its head, from one date to
    another; ended appointments stay on record."""

    division = models.ForeignKey(
        Division, verbose_name=_("課等"), on_delete=models.PROTECT, related_name="leaders"
    )
    person_name = models.CharField(_("氏名"), max_length=50)
    appointed_by = models.CharField(
        _("指名した長"),
        max_length=100,
        help_text=_("情報化推進リーダーは各課等の長が指名します。例: 情報企画課長 盛岡太郎"),
    )
    start_date = models.DateField(_("任期の開始日"))
    end_date = models.DateField(
        _("任期の終了日"), null=True, blank=True, help_text=_("在任中なら空欄。")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("利用者アカウント"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="promotion_leader_appointments",
        help_text=_("このダッシュボードにログインするアカウント（任意）。"),
    )
    notes = models.TextField(_("備考"), blank=True)

    history = _history(_("情報化推進リーダーの変更履歴"))
    objects = PromotionLeaderQuerySet.as_manager()

    class Meta:
        verbose_name = _("情報化推進リーダー")
        verbose_name_plural = _("情報化推進リーダー")
        ordering = ["division__department__order", "division__order", "-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="promotionleader_end_not_before_start",
                violation_error_message=_("任期の終了日は開始日以降の日付にしてください。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_name}（{self.division.name}）"

    def is_current_on(self, day: datetime.date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)

    @property
    def is_current(self) -> bool:
        """Whether the appointment is in force today."""
        return self.is_current_on(_today())

    def clean(self) -> None:
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError(
                {
                    "end_date": _(
                        "任期の終了日（%(end)s）が開始日（%(start)s）より前です。"
                        "開始日以降の日付にしてください。"
                    )
                    % {"end": self.end_date, "start": self.start_date}
                }
            )


class ProjectTeamQuerySet(models.QuerySet):
    def active(self, on: datetime.date | None = None):
        on = on or _today()
        return self.filter(formed_on__lte=on).filter(
            Q(dissolved_on__isnull=True) | Q(dissolved_on__gte=on)
        )


class ProjectTeamManager(models.Manager.from_queryset(ProjectTeamQuerySet)):
    def get_by_natural_key(self, name, formed_on):
        return self.get(name=name, formed_on=formed_on)


class ProjectTeam(models.Model):
    """A cross-organisational project team (プロジェクトチーム) for a matter beyond one
    division, with its member divisions, people and the measures it works on."""

    name = models.CharField(_("名称"), max_length=100)
    purpose = models.TextField(_("目的"), help_text=_("検討する案件（特定目的）。"))
    divisions = models.ManyToManyField(
        Division, verbose_name=_("参画する課等"), blank=True, related_name="project_teams"
    )
    measures = models.ManyToManyField(
        "measures.Measure",
        verbose_name=_("担当する施策"),
        blank=True,
        related_name="project_teams",
    )
    formed_on = models.DateField(_("設置日"))
    dissolved_on = models.DateField(
        _("解散日"), null=True, blank=True, help_text=_("活動中なら空欄。")
    )
    notes = models.TextField(_("備考"), blank=True)

    history = _history(_("プロジェクトチームの変更履歴"), m2m_fields=["divisions", "measures"])
    objects = ProjectTeamManager()

    class Meta:
        verbose_name = _("プロジェクトチーム")
        verbose_name_plural = _("プロジェクトチーム")
        ordering = ["-formed_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(dissolved_on__isnull=True) | Q(dissolved_on__gte=F("formed_on")),
                name="projectteam_dissolved_not_before_formed",
                violation_error_message=_("解散日は設置日以降の日付にしてください。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("governance:team_detail", args=[self.pk])

    def natural_key(self):
        return (self.name, self.formed_on.isoformat())

    def is_active_on(self, day: datetime.date) -> bool:
        return self.formed_on <= day and (self.dissolved_on is None or day <= self.dissolved_on)

    @property
    def is_active(self) -> bool:
        return self.is_active_on(_today())

    def clean(self) -> None:
        super().clean()
        if self.formed_on and self.dissolved_on and self.dissolved_on < self.formed_on:
            raise ValidationError(
                {
                    "dissolved_on": _(
                        "解散日（%(dissolved)s）が設置日（%(formed)s）より前です。"
                        "設置日以降の日付にしてください。"
                    )
                    % {"dissolved": self.dissolved_on, "formed": self.formed_on}
                }
            )


class ProjectTeamMember(models.Model):
    """A person in a project team, with the division they come from."""

    team = models.ForeignKey(
        ProjectTeam,
        verbose_name=_("プロジェクトチーム"),
        on_delete=models.CASCADE,
        related_name="members",
    )
    person_name = models.CharField(_("氏名"), max_length=50)
    division = models.ForeignKey(
        Division,
        verbose_name=_("所属課等"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="project_team_memberships",
    )
    role = models.CharField(
        _("チームでの役割"), max_length=50, blank=True, help_text=_("例: リーダー、メンバー")
    )
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    history = _history(_("プロジェクトチームのメンバーの変更履歴"))

    class Meta:
        verbose_name = _("プロジェクトチームのメンバー")
        verbose_name_plural = _("プロジェクトチームのメンバー")
        ordering = ["team", "order", "pk"]

    def __str__(self) -> str:
        return self.person_name


# The access record lives in its own module; importing it here registers the model.
from .audit import AccessKind, AccessRecord  # noqa: E402, F401
from .tokens import ApiToken  # noqa: E402, F401
