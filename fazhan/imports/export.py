"""Exports: the candidate list as Excel, a batch's errors as Excel, the roster template.

Lists are read through `Candidate.objects.visible_to(user)` (DESIGN principle 6) and carry the
masked ID number only: the number is never decrypted (principle 8), so the auditor may export too;
the birth month comes from the birth date, which the field decrypts (docs/privacy.md).
Workbooks are written with openpyxl's write-only mode, which streams rows instead of building
every cell in memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from io import BytesIO
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from fazhan.core import i18n_data
from fazhan.imports.models import ImportBatch
from fazhan.imports.roster import (
    COLUMNS,
    EDUCATION,
    NOMINATION,
    OCCUPATION,
    Column,
)
from fazhan.lib.xlsx import BOLD, append_row
from fazhan.people.models import Candidate, Education, Sex, Stage
from fazhan.policy.data import load_policy
from fazhan.web.filters import filter_candidates

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    UserLike = AbstractBaseUser | AnonymousUser

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def filtered_candidates(user: UserLike, params: Mapping[str, str]) -> QuerySet[Candidate]:
    """The candidates `/candidates/` lists for these GET parameters, in its order."""
    return filter_candidates(user, params).order_by("next_due", "pk")


def _save(book: Workbook) -> bytes:
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def list_workbook(title: str, headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    """Any list as a one-sheet workbook: a bold header, then the rows as given (text that looks
    like a formula written as text). For other apps' lists too ("export any list to Excel")."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    append_row(sheet, headers, BOLD)
    for row in rows:
        append_row(sheet, row)
    return _save(book)


CANDIDATE_HEADERS = (
    gettext_lazy("姓名"),
    gettext_lazy("性别"),
    gettext_lazy("出生年月"),
    gettext_lazy("身份证号"),
    gettext_lazy("学历"),
    gettext_lazy("组织"),
    gettext_lazy("阶段"),
    gettext_lazy("下一步"),
    gettext_lazy("期限"),
    gettext_lazy("违规数"),
)


def candidates_workbook(candidates: QuerySet[Candidate]) -> bytes:
    """The list as Excel: one row per file, the ID number masked as stored (never decrypted)."""
    steps = load_policy().steps
    sexes, educations, stages = dict(Sex.choices), dict(Education.choices), dict(Stage.choices)
    values = candidates.values_list(
        "person__name",
        "person__sex",
        "person__birth_date",
        "person__id_number_masked",
        "person__education",
        "org__name",
        "stage",
        "next_step",
        "next_due",
        "violations",
    )

    def rows() -> Iterator[list[Any]]:
        for (
            name,
            sex,
            born,
            masked,
            education,
            org,
            stage,
            step,
            due,
            violations,
        ) in values.iterator(chunk_size=2000):
            spec = steps.get(step)
            yield [
                name,
                sexes.get(sex, sex),
                born.strftime("%Y-%m") if born else "",
                masked,
                educations.get(education, ""),
                org,
                stages.get(stage, stage),
                i18n_data.step_label(step) if spec else step,
                due,
                violations,
            ]

    return list_workbook(_("发展对象档案"), CANDIDATE_HEADERS, rows())


def errors_workbook(batch: ImportBatch) -> bytes:
    """Every error of a batch by row, column and cell, to fix the file side by side."""
    values = (
        batch.rows.filter(has_errors=True)
        .order_by("number")
        .values_list("number", "label", "errors")
    )

    def rows() -> Iterator[list[Any]]:
        for problem in batch.file_errors:
            yield ["", _("（整个文件）"), "", "", problem]
        for number, label, errors in values.iterator(chunk_size=1000):
            for error in errors:
                yield [
                    number,
                    label,
                    error.get("column", ""),
                    error.get("cell", ""),
                    error["problem"],
                ]

    headers = [_("行号"), _("来源"), _("列"), _("单元格"), _("问题")]
    return list_workbook(_("错误清单"), headers, rows())


def template_workbook() -> bytes:
    """The roster template: the header and one synthetic example row, and a sheet explaining
    each column and the values it accepts (docs/import.md)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("人员名册"))
    append_row(sheet, [c.header for c in COLUMNS], BOLD)
    example = {
        "name": "示例张三",
        "sex": "男",
        "birth_date": "1995-08-15",
        "ethnicity": "汉族",
        "education": "大专",
        "occupations": "工人",
        "frontline": "是",
        "unit": "示例公司",
        "applied_on": "2019-03-04",
        "talked_on": "2019-03-20",
        "activist_notice": "2019-04-15～2019-04-19",
        "activist_on": "2019-04-23",
        "nomination": "党员推荐",
    }
    append_row(sheet, [example.get(c.key, "") for c in COLUMNS])
    notes = book.create_sheet(_("填写说明"))
    append_row(notes, [_("列名"), _("英文键"), _("必填"), _("说明")], BOLD)
    for column in COLUMNS:
        required = _("是") if column.required else ""
        append_row(notes, [column.header, column.key, required, column.note])
    append_row(notes, [])
    append_row(notes, [_("可填的值")], BOLD)
    append_row(notes, [_("学历"), "、".join(EDUCATION)])
    append_row(notes, [_("职业"), "、".join(OCCUPATION)])
    append_row(notes, [_("推荐方式"), "、".join(NOMINATION)])
    append_row(
        notes, [_("日期"), "YYYY-MM-DD、YYYY/MM/DD、YYYY.MM.DD、YYYY年M月D日，或 Excel 日期单元格"]
    )
    return _save(book)


def sheet_template(
    title: str, columns: Sequence[Column], example: Sequence[Sequence[Any]]
) -> bytes:
    """A template for the organization tree or the member roster (contracts.md §7): the
    headers, example rows, and a sheet explaining each column."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    append_row(sheet, [c.header for c in columns], BOLD)
    for row in example:
        append_row(sheet, list(row))
    notes = book.create_sheet(_("填写说明"))
    append_row(notes, [_("列名"), _("必填"), _("说明")], BOLD)
    for column in columns:
        append_row(notes, [column.header, _("是") if column.required else "", column.note])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
