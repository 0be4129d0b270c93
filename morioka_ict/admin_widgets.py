"""Admin autocomplete widgets that survive tampered forms.

Django's autocomplete widgets look up the submitted ids again when a form with errors is shown;
an id that is not a number (or out of the column's range) makes that lookup raise, so a
tampered form would end in a server error instead of the form's own message. These widgets
leave such ids out of the lookup; the field still reports them as invalid choices.
"""

from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError


class _KnownIdsOnly:
    def _target_field(self):
        remote = self.field.remote_field
        to_field = getattr(remote, "field_name", None)
        meta = remote.model._meta
        return meta.get_field(to_field) if to_field else meta.pk

    def optgroups(self, name, value, attr=None):
        target = self._target_field()
        usable = []
        for item in value:
            try:
                target.run_validators(target.to_python(item))
            except (ValidationError, TypeError, ValueError):
                continue
            usable.append(item)
        return super().optgroups(name, usable, attr)


class SafeAutocompleteSelect(_KnownIdsOnly, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(_KnownIdsOnly, AutocompleteSelectMultiple):
    pass


class SafeAutocompleteAdminMixin:
    """Use the widgets above for every field listed in ``autocomplete_fields``."""

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
        return super().formfield_for_manytomany(db_field, request, **kwargs)
