"""The public side's only table: fixed-window counters for rate limiting, without IP addresses.

Background §C.5: no raw IP is stored with feedback. A client is keyed by HMAC-SHA256(SECRET_KEY,
salt of the day + address): the salt is random and deleted with the day's counters, so after the
day not even the holder of the keys can turn a counter back into an address. Everything runs on
the database (SQLite by default), so the limit holds on an offline intranet with several worker
processes and no cache server.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RateCounter(models.Model):
    scope = models.CharField(max_length=32)
    key = models.CharField(max_length=64)
    window = models.BigIntegerField()  # the window's start, in seconds since the epoch
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("访问频率计数")
        verbose_name_plural = _("访问频率计数")
        constraints = [
            models.UniqueConstraint(fields=["scope", "key", "window"], name="ratecounter_unique"),
        ]
        indexes = [models.Index(fields=["window"])]

    def __str__(self) -> str:
        return f"{self.scope} {self.window} {self.hits}"


class DaySalt(models.Model):
    """The random salt of one day's client keys; deleted when the day is over."""

    day = models.DateField(unique=True)
    salt = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("当日计数盐值")
        verbose_name_plural = _("当日计数盐值")

    def __str__(self) -> str:
        return str(self.day)
