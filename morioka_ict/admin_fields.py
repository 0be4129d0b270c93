"""Admin relation fields and autocomplete widgets that survive tampered forms.

A posted id that is not a number, or a number beyond the column's range, should end in the
form's own "invalid choice" message. Django's multiple-choice field and its autocomplete
widgets pass such ids straight to the database (``pk__in``), where SQLite overflows and
PostgreSQL refuses, so the page would fail with a server error instead. These classes check
ids against the key field first.
"""

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError


def _is_usable_key(field, value) -> bool:
    try:
        field.run_validators(field.to_python(value))
    except (ValidationError, TypeError, ValueError):
        return False
    return True


class _KnownIdsOnly:
    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        to_field = getattr(remote, "field_name", None)
        meta = remote.model._meta
        key = meta.get_field(to_field) if to_field else meta.pk
        usable = [item for item in value if _is_usable_key(key, item)]
        return super().optgroups(name, usable, attr)


class SafeAutocompleteSelect(_KnownIdsOnly, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(_KnownIdsOnly, AutocompleteSelectMultiple):
    pass


class SafeModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        meta = self.queryset.model._meta
        key = meta.get_field(self.to_field_name) if self.to_field_name else meta.pk
        for item in value:
            if not _is_usable_key(key, item):
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": item},
                )
        return super()._check_values(value)


class SafeRelationsAdminMixin:
    """Use the classes above for every many-to-many field and every autocomplete field."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        kwargs.setdefault("form_class", SafeModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)
