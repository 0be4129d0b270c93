"""Forms of the progress pages; every message in Japanese, every bad value refused here
before any service runs."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from measures.models import Status

from .services import ReportContent, reference_after_deadline

_DATE_ERRORS = {"invalid": _("日付は 2026-03-31 の形で入力してください。")}
_PERCENT_MESSAGE = _("進捗率は 0～100 の整数で入力してください。")


def _required(label) -> str:
    return _("%(label)sを入力してください。") % {"label": label}


def _date_field(label, help_text=""):
    return forms.DateField(
        label=label,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            **_DATE_ERRORS,
            # Formatted when shown, so in the reader's language, not the one at import.
            "required": lazy(_required, str)(label),
        },
    )


class VersionForm(forms.Form):
    """The version of the round or report the page showed (optimistic locking)."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        max_value=2**31 - 1,
        error_messages=dict.fromkeys(
            ["required", "invalid", "min_value", "max_value"],
            _(
                "ページの情報が古いか壊れています。ページを開き直してから、もう一度操作してください。"
            ),
        ),
    )


class RoundForm(forms.Form):
    title = forms.CharField(
        label=_("名称"),
        max_length=100,
        help_text=_("例: 令和7年度 進捗調査"),
        error_messages={"required": _("名称を入力してください。")},
    )
    reference_date = _date_field(_("基準日"), _("報告が表す時点。例: 2026-03-31（年度末）"))
    opens_on = _date_field(_("受付開始"))
    closes_on = _date_field(_("締切"), _("この日までに各課等が報告を提出します。"))

    def clean(self):
        cleaned = super().clean()
        opens_on, closes_on = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens_on and closes_on and closes_on < opens_on:
            self.add_error(
                "closes_on",
                _(
                    "締切（%(closes)s）が受付開始（%(opens)s）より前です。"
                    "受付開始以降の日付にしてください。"
                )
                % {"closes": closes_on.isoformat(), "opens": opens_on.isoformat()},
            )
        reference_date = cleaned.get("reference_date")
        if reference_date and closes_on and reference_date > closes_on:
            self.add_error(
                "reference_date",
                reference_after_deadline(reference_date, closes_on),
            )
        return cleaned


class RoundEditForm(VersionForm, RoundForm):
    pass


def _status_choices():
    return [(s.value, f"{s.mark} {s.label}") for s in Status]


def _normalise_newlines(text: str) -> str:
    """Browsers send CRLF; keep LF so an answer repeated unchanged compares equal."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


class ReportFieldsForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状況"),
        required=False,
        choices=_status_choices,
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": _("状況は ◎ 実施・○ 一部着手・× 未着手 から選んでください。")
        },
    )
    progress_percent = forms.IntegerField(
        label=_("進捗率（%）"),
        required=False,
        min_value=0,
        max_value=100,
        help_text=_("0～100 の整数（任意）。"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": _PERCENT_MESSAGE,
            "min_value": _PERCENT_MESSAGE,
            "max_value": _PERCENT_MESSAGE,
        },
    )
    activities = forms.CharField(
        label=_("取組内容"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("基準日までに行ったこと。提出には必須です。"),
    )
    issues = forms.CharField(
        label=_("課題"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    next_steps = forms.CharField(
        label=_("今後の予定"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    links = forms.CharField(
        label=_("参考リンク"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("1 行に 1 つの URL（http:// または https://、任意）。"),
    )

    def clean_activities(self):
        return _normalise_newlines(self.cleaned_data["activities"])

    def clean_issues(self):
        return _normalise_newlines(self.cleaned_data["issues"])

    def clean_next_steps(self):
        return _normalise_newlines(self.cleaned_data["next_steps"])

    def clean_links(self):
        lines = _normalise_newlines(self.cleaned_data["links"]).split("\n")
        links = "\n".join(line.strip() for line in lines if line.strip())
        invalid = ReportContent(links="\n".join(lines)).invalid_links()
        if invalid:
            raise ValidationError(
                [
                    _("参考リンクの %(number)d 行目「%(line)s」は URL ではありません。")
                    % {"number": number, "line": line[:50]}
                    for number, line in invalid
                ]
            )
        return links

    def content(self) -> ReportContent:
        data = self.cleaned_data
        return ReportContent(
            status=data["status"],
            progress_percent=data["progress_percent"],
            activities=data["activities"],
            issues=data["issues"],
            next_steps=data["next_steps"],
            links=data["links"],
        )

    @staticmethod
    def initial_from(report) -> dict:
        return {
            "status": report.status,
            "progress_percent": report.progress_percent,
            "activities": report.activities,
            "issues": report.issues,
            "next_steps": report.next_steps,
            "links": report.links,
        }


SAVE_DRAFT = "draft"
SUBMIT = "submit"


class ReportForm(VersionForm, ReportFieldsForm):
    """The division's answer; 「提出」 needs a status and 取組内容, 「下書き保存」 does not."""

    action = forms.ChoiceField(
        choices=[(SAVE_DRAFT, _("下書き保存")), (SUBMIT, _("提出"))],
        widget=forms.HiddenInput,
        error_messages={
            "required": _("「下書き保存」か「提出」を押してください。"),
            "invalid_choice": _("「下書き保存」か「提出」を押してください。"),
        },
    )

    @property
    def submitting(self) -> bool:
        return self.cleaned_data.get("action") == SUBMIT

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == SUBMIT:
            if not cleaned.get("status") and "status" not in self.errors:
                self.add_error("status", _("提出するには状況を選んでください。"))
            if not cleaned.get("activities") and "activities" not in self.errors:
                self.add_error("activities", _("提出するには取組内容を書いてください。"))
        return cleaned


class ReturnForm(VersionForm):
    comment = forms.CharField(
        label=_("差戻しの理由（報告者へのコメント）"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("差し戻すには、直してほしい点をコメントに書いてください。")},
    )


class CorrectionForm(VersionForm, ReportFieldsForm):
    """情報企画課's correction of a confirmed round's report; the reason goes to history."""

    reason = forms.CharField(
        label=_("訂正の理由"),
        max_length=80,
        help_text=_("変更履歴に残ります。例: 担当課からの申出により状況を訂正"),
        error_messages={"required": _("訂正の理由を書いてください。")},
    )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("status") and "status" not in self.errors:
            self.add_error("status", _("訂正後の状況を選んでください。"))
        return cleaned


class ScopeForm(VersionForm):
    measures = forms.TypedMultipleChoiceField(
        label=_("調査の対象にする施策"),
        coerce=int,
        error_messages={
            "required": _("対象の施策を一つ以上選んでください。"),
            "invalid_choice": _("選んだ施策の一部が見つかりません。ページを開き直してください。"),
        },
    )

    def __init__(self, *args, measure_pks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measures"].choices = [(pk, pk) for pk in measure_pks]
