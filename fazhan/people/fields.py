"""A date stored encrypted (docs/privacy.md): the birth date is the eight middle digits of the ID
number, so it is kept under the same protection as the number (DESIGN principle 8).

The column holds a Fernet token (fazhan.people.crypto, the field-encryption keys); Python sees a
`datetime.date`, so the rules, the record and the pages read `person.birth_date` as before. Fernet
is randomized, so the database cannot compare or order these values: only `isnull` is allowed,
and queries filter on the clear derived columns instead (`birth_year`, the candidate's
`le35_at_admission` and `le25_at_admission`, computed at projection time).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import FieldError, ValidationError
from django.db import models
from django.db.models import Lookup
from django.db.models.expressions import Combinable
from django.utils.translation import gettext_lazy as _

from fazhan.people import crypto

if TYPE_CHECKING:
    _Base = models.Field[date | Combinable | None, date]
else:
    _Base = models.Field


class EncryptedDateField(_Base):
    # What the model attribute holds, for django-stubs: a date, never the token.
    _pyi_private_set_type: date | Combinable
    _pyi_private_get_type: date

    description = _("加密存储的日期")

    def get_internal_type(self) -> str:
        return "TextField"  # the column holds the token

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> date | None:
        if value is None or value == "":
            return None
        return date.fromisoformat(crypto.decrypt(value))

    def to_python(self, value: Any) -> date | None:
        if value is None or value == "":
            return None
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise ValidationError(_("日期格式应为 YYYY-MM-DD。"), code="invalid") from None

    def get_prep_value(self, value: Any) -> str | None:
        day = self.to_python(value)
        return None if day is None else crypto.encrypt(day.isoformat())

    def get_lookup(self, lookup_name: str) -> type[Lookup[Any]] | None:
        if lookup_name != "isnull":
            raise FieldError(
                f"{self.name} is encrypted: the database cannot compare it "
                f"({lookup_name}); filter on a clear derived column such as birth_year."
            )
        return super().get_lookup(lookup_name)

    def value_to_string(self, obj: models.Model) -> str:
        day = self.value_from_object(obj)
        return day.isoformat() if isinstance(day, date) else ""

    def formfield(
        self, form_class: Any = None, choices_form_class: Any = None, **kwargs: Any
    ) -> forms.Field:
        return forms.DateField(
            required=not self.blank, label=self.verbose_name, help_text=self.help_text, **kwargs
        )
