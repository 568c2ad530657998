from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Installation(models.Model):
    """One row describing this database: whether it holds the demo district (every page then says
    演示数据, contracts.md §6) and when it was set up."""

    demo = models.BooleanField(default=False)
    district_name = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        demo = _("（演示数据）") if self.demo else ""
        return f"{self.district_name or 'Fazhan'}{demo}"

    @classmethod
    def is_demo(cls) -> bool:
        return cls.objects.filter(demo=True).exists()
