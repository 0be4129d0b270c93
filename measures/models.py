"""The measures register: the plan, its periods and categories, measures and re-listings (再掲)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .periods import format_periods
from .text import MAX_SEARCH_WORDS, search_words


class Status(models.TextChoices):
    """A measure's status; the one place that defines its mark, label and colour."""

    IMPLEMENTED = "implemented", _("実施")
    PARTIAL = "partial", _("一部着手")
    NOT_STARTED = "not_started", _("未着手")

    @property
    def mark(self) -> str:
        return _STATUS_MARKS[self]

    @property
    def colour(self) -> str:
        """Return a fill colour (hex, no #) that keeps 4.5:1 contrast with white text."""
        return _STATUS_COLOURS[self]

    @property
    def css_class(self) -> str:
        return f"status-{self.value.replace('_', '-')}"

    @classmethod
    def from_mark(cls, mark: str) -> "Status":
        for status, status_mark in _STATUS_MARKS.items():
            if mark == status_mark:
                return status
        raise ValueError(mark)


_STATUS_MARKS = {
    Status.IMPLEMENTED: "◎",
    Status.PARTIAL: "○",
    Status.NOT_STARTED: "×",
}
_STATUS_COLOURS = {
    Status.IMPLEMENTED: "1B6E3A",
    Status.PARTIAL: "8A5A00",
    Status.NOT_STARTED: "A32020",
}


class HistoryAuthorship(models.Model):
    """Base for history tables: keeps the editor's user name as text, so the record still says
    who made a change after that user account is deleted."""

    history_username = models.CharField(_("変更者"), max_length=150, blank=True)

    class Meta:
        abstract = True


# Kept as module names so the seed loader can write initial entries for rows loaddata saved raw.
PLAN_HISTORY = HistoricalRecords(verbose_name=_("計画の変更履歴"), bases=[HistoryAuthorship])
PERIOD_HISTORY = HistoricalRecords(verbose_name=_("計画期間の変更履歴"), bases=[HistoryAuthorship])
CATEGORY_HISTORY = HistoricalRecords(verbose_name=_("区分の変更履歴"), bases=[HistoryAuthorship])


class PlanManager(models.Manager):
    def get_by_natural_key(self, name):
        return self.get(name=name)


class Plan(models.Model):
    name = models.CharField(_("名称"), max_length=100, unique=True)

    objects = PlanManager()
    history = PLAN_HISTORY

    class Meta:
        verbose_name = _("計画")
        verbose_name_plural = _("計画")

    def __str__(self) -> str:
        return self.name

    def natural_key(self):
        return (self.name,)


class PlanPeriodManager(models.Manager):
    def get_by_natural_key(self, number):
        return self.get(number=number)


class PlanPeriod(models.Model):
    """One plan period (第一次…); numbered so that 一次～三次 means every number in between."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("計画"), on_delete=models.PROTECT, related_name="periods"
    )
    number = models.PositiveSmallIntegerField(_("番号"), unique=True)
    name = models.CharField(_("名称"), max_length=20, help_text=_("例: 第一次"))
    short_name = models.CharField(_("略称"), max_length=10, help_text=_("例: 一次"))

    objects = PlanPeriodManager()
    history = PERIOD_HISTORY

    class Meta:
        verbose_name = _("計画期間")
        verbose_name_plural = _("計画期間")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="planperiod_number_positive",
                violation_error_message=_("番号は 1 以上にしてください。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def natural_key(self):
        return (self.number,)

    natural_key.dependencies = ["measures.plan"]


class CategoryManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Category(models.Model):
    """One of the plan's tables: ア e-citizen づくり, イ e-business づくり, ウ e-city づくり."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("計画"), on_delete=models.PROTECT, related_name="categories"
    )
    code = models.SlugField(_("コード"), max_length=30, unique=True, help_text=_("例: e-city"))
    label = models.CharField(_("見出し記号"), max_length=5, help_text=_("例: ウ"))
    name = models.CharField(_("名称"), max_length=50, help_text=_("例: e-cityづくり"))
    short_name = models.CharField(
        _("区分"), max_length=30, help_text=_("表の「区分」欄に印刷される名称。例: e-city")
    )
    order = models.PositiveSmallIntegerField(_("表示順"), unique=True)

    objects = CategoryManager()
    history = CATEGORY_HISTORY

    class Meta:
        verbose_name = _("区分")
        verbose_name_plural = _("区分")
        ordering = ["order"]

    def __str__(self) -> str:
        return f"{self.label} {self.name}"

    def natural_key(self):
        return (self.code,)

    natural_key.dependencies = ["measures.plan"]


class IndexedHistory(HistoricalRecords):
    """History with an index on (row, history_date, history_id): a row's latest record at a
    moment ("as it stood on") is one step down that index, and checking that no later record
    exists is an index probe, so tables as of a date stay quick as the history grows.

    Rows printed in a table (category, position) also get an index in table order, so that a
    page of a table as of a date walks its records in order instead of sorting them all.
    """

    def get_meta_options(self, model):
        options = super().get_meta_options(model)
        indexes = [models.Index(fields=(model._meta.pk.attname, "history_date", "history_id"))]
        names = {f.name for f in model._meta.fields}
        if {"category", "position"} <= names:
            indexes.append(models.Index(fields=("category", "position", "history_id")))
        options["indexes"] = (*options.get("indexes", ()), *indexes)
        return options


# Kept as module names so the seed loader can write initial entries for rows loaddata saved raw.
MEASURE_HISTORY = IndexedHistory(
    verbose_name=_("施策の変更履歴"),
    m2m_fields=["periods", "cooperating_divisions"],
    excluded_fields=["search_text"],
    bases=[HistoryAuthorship],
)
RELISTING_HISTORY = IndexedHistory(
    verbose_name=_("再掲の変更履歴"), excluded_fields=["search_text"], bases=[HistoryAuthorship]
)


class MeasureQuerySet(models.QuerySet):
    def with_display_data(self):
        """Return the rows with what lists show, fetched in a fixed number of queries."""
        return self.select_related("category").prefetch_related("periods", "relistings__category")

    def search(self, query: str):
        """Return measures that contain every word of ``query``, each in the name or in a
        re-listing label (「GIS 構築」 finds 「統合型GISシステムの構築」).

        Words are split at half- and full-width spaces; full-width/half-width forms and letter
        case are ignored, and words after the first MAX_SEARCH_WORDS (see text.py).
        """
        matching = Q()
        for key in search_words(query)[:MAX_SEARCH_WORDS]:
            matching &= Q(search_text__contains=key) | Q(
                pk__in=Relisting.objects.filter(search_text__contains=key).values("measure")
            )
        return self.filter(matching) if matching else self

    def status_totals(self) -> dict[str, int]:
        """Return {status value: count} for every status, zeros included, in one query."""
        from .totals import status_totals

        return status_totals(self)


class MeasureManager(models.Manager.from_queryset(MeasureQuerySet)):
    def get_by_natural_key(self, category_code, position):
        return self.get(category__code=category_code, position=position)


class Measure(models.Model):
    """A measure (施策) in the table of its category, counted in that category's totals."""

    category = models.ForeignKey(
        Category, verbose_name=_("区分"), on_delete=models.PROTECT, related_name="measures"
    )
    position = models.PositiveSmallIntegerField(
        _("表内の位置"), help_text=_("区分の表の中での行番号（再掲行も数えます）。")
    )
    name = models.CharField(_("施策名"), max_length=200)
    status = models.CharField(
        _("状況"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED
    )
    periods = models.ManyToManyField(
        PlanPeriod, verbose_name=_("計画期間"), related_name="measures"
    )
    notes = models.TextField(_("備考"), blank=True)
    responsible_division = models.ForeignKey(
        "governance.Division",
        verbose_name=_("担当課"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responsible_measures",
    )
    cooperating_divisions = models.ManyToManyField(
        "governance.Division",
        verbose_name=_("協力課"),
        blank=True,
        related_name="cooperating_measures",
    )
    # Unbounded: NFKC can make the key several times longer than the name (㍿ → 株式会社).
    # Not indexed: search is containment (LIKE '%…%'), which a B-tree index cannot serve.
    search_text = models.TextField(_("検索用"), editable=False)
    version = models.PositiveIntegerField(
        _("版"),
        default=1,
        editable=False,
        help_text=_(
            "保存のたびに 1 増えます。同時編集で他の人の変更を上書きしないために使います。"
        ),
    )

    history = MEASURE_HISTORY
    objects = MeasureManager()

    class Meta:
        verbose_name = _("施策")
        verbose_name_plural = _("施策")
        ordering = ["category__order", "position"]
        permissions = [
            ("change_own_division_measure", _("担当課の施策の状況と備考を変更できる")),
            ("import_measures", _("Excel ブックから施策を取り込める")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "position"],
                name="measure_unique_position_in_category",
                violation_error_message=_("この区分のこの位置には既に施策があります。"),
            ),
            models.CheckConstraint(
                condition=Q(position__gte=1),
                name="measure_position_positive",
                violation_error_message=_("表内の位置は 1 以上にしてください。"),
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values),
                name="measure_status_known",
                violation_error_message=_("状況は 実施・一部着手・未着手 のいずれかです。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        """Count every save, so an edit made from an older version can be recognised."""
        if not self._state.adding:
            self.version += 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("measures:detail", args=[self.pk])

    def natural_key(self):
        return (self.category.code, self.position)

    natural_key.dependencies = ["measures.category"]

    @property
    def status_choice(self) -> Status:
        return Status(self.status)

    @property
    def mark(self) -> str:
        return self.status_choice.mark

    @property
    def periods_display(self) -> str:
        return format_periods(self.periods.all())

    def clean(self) -> None:
        super().clean()
        if self.category_id and self.position:
            clash = Relisting.objects.filter(
                category_id=self.category_id, position=self.position
            ).first()
            if clash:
                raise ValidationError(
                    {
                        "position": _(
                            "この区分の %(position)s 行目は再掲「%(label)s」が使っています。"
                        )
                        % {"position": self.position, "label": clash.label}
                    }
                )


class RelistingManager(models.Manager):
    def get_by_natural_key(self, category_code, position):
        return self.get(category__code=category_code, position=position)


class Relisting(models.Model):
    """A measure shown again (再掲) in another category's table; it has no status of its own
    and is never counted there."""

    measure = models.ForeignKey(
        Measure, verbose_name=_("元の施策"), on_delete=models.CASCADE, related_name="relistings"
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("再掲先の区分"),
        on_delete=models.PROTECT,
        related_name="relistings",
    )
    position = models.PositiveSmallIntegerField(_("表内の位置"))
    label = models.CharField(
        _("再掲時の表記"),
        max_length=200,
        help_text=_("再掲先の表に印刷された名称（「（再掲）」は付けない）。"),
    )
    search_text = models.TextField(_("検索用"), editable=False)  # as Measure.search_text

    history = RELISTING_HISTORY
    objects = RelistingManager()

    class Meta:
        verbose_name = _("再掲")
        verbose_name_plural = _("再掲")
        ordering = ["category__order", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "position"],
                name="relisting_unique_position_in_category",
                violation_error_message=_("この区分のこの位置には既に再掲があります。"),
            ),
            models.CheckConstraint(
                condition=Q(position__gte=1),
                name="relisting_position_positive",
                violation_error_message=_("表内の位置は 1 以上にしてください。"),
            ),
        ]

    def __str__(self) -> str:
        return _("%(label)s（再掲）") % {"label": self.label}

    def natural_key(self):
        return (self.category.code, self.position)

    natural_key.dependencies = ["measures.measure"]

    def clean(self) -> None:
        super().clean()
        errors = {}
        measure = self.measure if self.measure_id else None
        if measure and self.category_id and measure.category_id == self.category_id:
            errors["category"] = _(
                "施策はそれ自身の区分には再掲できません（「%(name)s」は %(category)s の施策です）。"
            ) % {"name": measure.name, "category": measure.category.name}
        if self.category_id and self.position:
            clash = Measure.objects.filter(
                category_id=self.category_id, position=self.position
            ).first()
            if clash:
                errors["position"] = _(
                    "この区分の %(position)s 行目は施策「%(name)s」が使っています。"
                ) % {"position": self.position, "name": clash.name}
        if errors:
            raise ValidationError(errors)


# The progress cycle's tables belong to this app; importing them here registers them.
from .progress.models import ProgressReport, ProgressRound  # noqa: E402, F401
