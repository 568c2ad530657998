"""Chain events in words (the auditor reads who did what, never raw JSON; Step 11 item 7).

`kind_label(kind)` names an event in the reader's language: a step or notice by its policy name,
a known kind from `KIND_LABELS`, else the kind's namespace and verb from their own tables, else
"其他事件" (a raw key is never shown). `details(payload, names)` turns a payload into (label,
value) pairs: ids become the names the auditor may read (`Names`), codes their labels, a nested
object a short phrase; a key without a label is shown by a readable version of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from fazhan.core import i18n_data

Label = str | Promise

# Sign-ins are not chain events (DESIGN principle 1: login and access logs are separate) but the
# auditor browses them in the same list; these two kinds name them there.
SIGNIN = "signin"
SIGNIN_FAILED = "signin.failed"

KIND_LABELS: dict[str, Label] = {
    SIGNIN: gettext_lazy("登录"),
    SIGNIN_FAILED: gettext_lazy("登录失败"),
    "account.created": gettext_lazy("创建账号"),
    "account.deactivated": gettext_lazy("停用账号"),
    "account.reactivated": gettext_lazy("重新启用账号"),
    "account.handed_over": gettext_lazy("支部账号交接"),
    "account.password_changed": gettext_lazy("本人修改密码"),
    "account.password_reset": gettext_lazy("管理员重置密码"),
    "account.role_ended": gettext_lazy("角色结束"),
    "account.role_granted": gettext_lazy("授予角色"),
    "account.role_revoked": gettext_lazy("撤销角色"),
    "account.factor_enrolled": gettext_lazy("设置第二验证因素"),
    "account.factor_reset": gettext_lazy("重置第二验证因素"),
    "suspend": pgettext_lazy("lifecycle", "暂缓"),
    "resume": pgettext_lazy("lifecycle", "恢复"),
    "withdraw": pgettext_lazy("lifecycle", "撤回申请"),
    "reject": pgettext_lazy("lifecycle", "不予发展"),
    "transfer-out": pgettext_lazy("lifecycle", "转出"),
    "transfer-in": pgettext_lazy("lifecycle", "转入"),
    "correct": pgettext_lazy("lifecycle", "更正"),
    "extension": gettext_lazy("延长预备期"),
    "candidate.opened": gettext_lazy("建立档案"),
    "notice.feedback": gettext_lazy("公示反馈"),
    "revocation.proposed": gettext_lazy("提出取消预备党员资格"),
}

NAMESPACES: dict[str, Label] = {
    "account": gettext_lazy("账号"),
    "notice": gettext_lazy("公示"),
    "meeting": gettext_lazy("支部大会"),
    "member": gettext_lazy("党员名册"),
    "org": gettext_lazy("党组织"),
    "plan": gettext_lazy("计划与指标"),
    "report": gettext_lazy("报表"),
    "paperwork": gettext_lazy("入党志愿书"),
    "holidays": gettext_lazy("节假日"),
    "prereview": gettext_lazy("预审"),
    "case": gettext_lazy("责任追究案件"),
    "irregularity": gettext_lazy("违规登记"),
    "supervision": gettext_lazy("督查"),
    "education": gettext_lazy("教育培养"),
    "candidate": gettext_lazy("档案"),
    "revocation": gettext_lazy("取消预备党员资格"),
}

VERBS: dict[str, Label] = {
    "created": gettext_lazy("新建"),
    "updated": gettext_lazy("修改"),
    "merged": gettext_lazy("合并"),
    "opened": gettext_lazy("开启"),
    "closed": gettext_lazy("关闭"),
    "published": gettext_lazy("发布"),
    "cancelled": gettext_lazy("撤销"),
    "consent": gettext_lazy("同意"),
    "entry_removed": gettext_lazy("移除人选"),
    "added": gettext_lazy("新增"),
    "assigned": gettext_lazy("分派"),
    "sent": gettext_lazy("报送"),
    "issued": gettext_lazy("发放"),
    "used": gettext_lazy("使用"),
    "voided": gettext_lazy("作废"),
    "joined": gettext_lazy("入党"),
    "baseline": gettext_lazy("建立基数"),
    "year_set": gettext_lazy("录入年度"),
    "year_confirmed": gettext_lazy("确认年度"),
    "concluded": gettext_lazy("办结"),
    "explained": gettext_lazy("说明情况"),
    "investigated": gettext_lazy("调查"),
    "nominated": gettext_lazy("推荐"),
    "noted": gettext_lazy("登记"),
    "paired": gettext_lazy("结对"),
    "training_opened": gettext_lazy("开班"),
    "tally": gettext_lazy("计票结果"),
    "tallied": gettext_lazy("计票"),
    "roll": gettext_lazy("点名"),
    "withdrawn": gettext_lazy("撤回"),
    "proposed": gettext_lazy("提出"),
    "recorded": gettext_lazy("记录"),
    "started": gettext_lazy("开始"),
    "ended": gettext_lazy("结束"),
    "approved": gettext_lazy("批准"),
    "confirmed": gettext_lazy("确认"),
    "submitted": gettext_lazy("提交"),
    "returned": gettext_lazy("退回"),
    "accepted": gettext_lazy("接收"),
    "feedback": gettext_lazy("反馈"),
}

FIELD_LABELS: dict[str, Label] = {
    "user_id": gettext_lazy("账号"),
    "role_id": gettext_lazy("角色"),
    "role": gettext_lazy("角色"),
    "org_id": gettext_lazy("组织"),
    "from_org_id": gettext_lazy("原组织"),
    "to_org_id": gettext_lazy("新组织"),
    "candidate_id": gettext_lazy("档案"),
    "candidate_ids": gettext_lazy("档案"),
    "ended_role_ids": gettext_lazy("结束的角色"),
    "member_id": gettext_lazy("党员"),
    "handler_id": gettext_lazy("经办人"),
    "notice_id": gettext_lazy("公示"),
    "notice_seq": gettext_lazy("公示事件"),
    "feedback_id": gettext_lazy("反馈"),
    "entry_id": gettext_lazy("公示人选"),
    "change_id": gettext_lazy("变更"),
    "result": gettext_lazy("结果"),
    "outcome": gettext_lazy("结论"),
    "end": gettext_lazy("截止日期"),
    "deadline": gettext_lazy("期限"),
    "feedback": gettext_lazy("反馈情况"),
    "nomination": gettext_lazy("推荐方式"),
    "contacts": gettext_lazy("培养联系人"),
    "introducers": gettext_lazy("入党介绍人"),
    "vote": gettext_lazy("表决"),
    "approver": gettext_lazy("审批组织"),
    "can_approve": gettext_lazy("有审批权"),
    "hours": gettext_lazy("学时"),
    "days": gettext_lazy("天数"),
    "working_days": gettext_lazy("工作日"),
    "reason": gettext_lazy("理由"),
    "state": gettext_lazy("状态"),
    "status": gettext_lazy("身份"),
    "type": gettext_lazy("类型"),
    "kind": gettext_lazy("类别"),
    "source": gettext_lazy("来源"),
    "extension_months": gettext_lazy("延长月数"),
    "year": gettext_lazy("年度"),
    "count": gettext_lazy("数量"),
    "rows": gettext_lazy("行数"),
    "date": gettext_lazy("日期"),
    "resolved": gettext_lazy("办结日期"),
    "discipline": gettext_lazy("党纪处分"),
    "rights_restored": gettext_lazy("已恢复党员权利"),
    "abstain": gettext_lazy("弃权"),
    "against": gettext_lazy("反对"),
    "for": gettext_lazy("赞成"),
    "candidates": gettext_lazy("表决对象"),
    "expected": gettext_lazy("应到"),
    "present": gettext_lazy("实到"),
    "issued": gettext_lazy("发出选票"),
    "returned": gettext_lazy("收回选票"),
    "monitors": gettext_lazy("监票人"),
    "tellers": gettext_lazy("计票人"),
    "secret": gettext_lazy("无记名投票"),
    "written_abstain": gettext_lazy("书面弃权"),
    "written_against": gettext_lazy("书面反对"),
    "written_for": gettext_lazy("书面赞成"),
    "sha256": gettext_lazy("文件校验值"),
    "code": gettext_lazy("代码"),
    "note": gettext_lazy("说明"),
    "changes": gettext_lazy("变更"),
}

# The codes payloads carry, by the labels their forms and models give them (same msgids).
VALUE_LABELS: dict[str, Label] = {
    "approved": gettext_lazy("批准"),
    "rejected": gettext_lazy("不批准"),
    "returned": gettext_lazy("退回"),
    "pass": gettext_lazy("合格"),
    "fail": gettext_lazy("不合格"),
    "passed": gettext_lazy("通过"),
    "failed": gettext_lazy("未通过"),
    "convert": gettext_lazy("按期转正"),
    "extend": gettext_lazy("延长预备期"),
    "revoke": gettext_lazy("取消预备党员资格"),
    "pending": gettext_lazy("核查中"),
    "unfounded": gettext_lazy("经核查不属实"),
    "founded_minor": gettext_lazy("部分属实，不影响发展"),
    "upheld": gettext_lazy("经核查属实"),
    "full": gettext_lazy("正式党员"),
    "probationary": gettext_lazy("预备党员"),
    "record": gettext_lazy("档案记录"),
    "joined": gettext_lazy("入党"),
    "member": gettext_lazy("党员推荐"),
    "youth_league": gettext_lazy("共青团推优"),
    "women_federation": gettext_lazy("妇联推优"),
    "trade_union": gettext_lazy("工会推优"),
    "federation_of_industry": gettext_lazy("工商联推优"),
}

# Keys whose values are ids of these things; `Names` resolves them.
ACCOUNT_KEYS = frozenset({"user_id", "handler_id"})
ORG_KEYS = frozenset({"org_id", "from_org_id", "to_org_id"})
CANDIDATE_KEYS = frozenset({"candidate_id", "candidate_ids"})
MEMBER_KEYS = frozenset({"member_id"})
NAMED_KEYS = ACCOUNT_KEYS | ORG_KEYS | CANDIDATE_KEYS | MEMBER_KEYS


@dataclass
class Names:
    """The names behind the ids of one page of events (read once per page, by the view)."""

    accounts: dict[int, str] = field(default_factory=dict)
    orgs: dict[int, str] = field(default_factory=dict)
    candidates: dict[int, str] = field(default_factory=dict)
    members: dict[int, str] = field(default_factory=dict)

    def lookup(self, key: str, value: int) -> str | None:
        if key in ACCOUNT_KEYS:
            return self.accounts.get(value)
        if key in ORG_KEYS:
            return self.orgs.get(value)
        if key in CANDIDATE_KEYS:
            return self.candidates.get(value)
        if key in MEMBER_KEYS:
            return self.members.get(value)
        return None


def kind_label(kind: str) -> str:
    """The event kind in the reader's language; never the raw key."""
    if kind in KIND_LABELS:
        return str(KIND_LABELS[kind])
    if kind[:1] in {"S", "N"}:
        label = i18n_data.step_label(kind)
        if label != kind:
            return label
    namespace, _dot, verb = kind.partition(".")
    verb = verb.replace(".", "_")
    if namespace in NAMESPACES:
        action = VERBS.get(verb) or VERBS.get(verb.rsplit("_", 1)[-1])
        if action is not None:
            return f"{NAMESPACES[namespace]}：{action}"
        return f"{NAMESPACES[namespace]}：{_('其他事件')}"
    return _("其他事件")


def field_label(key: str) -> str:
    found = FIELD_LABELS.get(key)
    if found is not None:
        return str(found)
    # A key nobody named yet: readable words, not an identifier.
    return key.removesuffix("_id").replace("_", " ").strip() or _("其他")


def _scalar(key: str, value: Any, names: Names) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, int):
        named = names.lookup(key, value)
        if named is not None:
            return named
        if key == "notice_seq":
            return _("第 %(n)s 号事件") % {"n": value}
        if key.endswith("_id") or key in CANDIDATE_KEYS:
            return "—"  # an internal id is never shown; its thing is gone or not named
        return str(value)
    text = str(value)
    if text in VALUE_LABELS:
        return str(VALUE_LABELS[text])
    if key in {"type"} and text[:1] in {"S", "N"}:
        return i18n_data.step_label(text)
    return text


def value_text(key: str, value: Any, names: Names) -> str:
    """One payload value as words: ids named, codes labelled, objects as "label value" pairs."""
    if isinstance(value, Mapping):
        parts = [f"{field_label(k)} {value_text(k, v, names)}" for k, v in value.items()]
        return "，".join(parts) if parts else "—"
    if isinstance(value, list | tuple):
        if not value:
            return _("无")
        if key.endswith("_ids") and key not in NAMED_KEYS:
            return ngettext("共 %(n)s 项", "共 %(n)s 项", len(value)) % {"n": len(value)}
        single = key[: -len("_ids")] + "_id" if key.endswith("_ids") else key
        return "；".join(value_text(single, item, names) for item in value)
    return _scalar(key, value, names)


def details(payload: Mapping[str, Any], names: Names) -> list[tuple[str, str]]:
    """The payload as (label, value) pairs in the reader's language; an id of a thing without a
    name to show (a notice's or a role's row number) is left out, as internal, and so is an empty
    value."""
    return [
        (field_label(key), value_text(key, value, names))
        for key, value in payload.items()
        if value is not None and not (key.endswith("_id") and key not in NAMED_KEYS)
    ]


def ids_in(payload: Mapping[str, Any], keys: frozenset[str]) -> set[int]:
    """Every id under `keys`, at any depth of the payload (for one query per page)."""
    found: set[int] = set()

    def walk(key: str, value: Any) -> None:
        if isinstance(value, Mapping):
            for k, v in value.items():
                walk(k, v)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(key, item)
        elif key in keys and isinstance(value, int) and not isinstance(value, bool):
            found.add(value)

    for key, value in payload.items():
        walk(key, value)
    return found
