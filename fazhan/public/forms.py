"""Public forms: validate input only. No field asks for or keeps anything about the connection."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from fazhan.notices.actions import TEXT_LIMIT
from fazhan.public.challenge import new_challenge, passes

# A signed form token binds the form to its notice and expires (background §C.5: a per-notice
# signed form token); a hidden honeypot field catches the simplest robots.
FORM_SALT = "fazhan.public.feedback"
FORM_MAX_AGE = 2 * 3600


def form_token(notice_token: str) -> str:
    return signing.dumps(notice_token, salt=FORM_SALT)


class FeedbackForm(forms.Form):
    concerns = forms.TypedChoiceField(label=_("反映的对象"), coerce=int, required=False)
    text = forms.CharField(
        label=_("反映的内容"),
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    sender_name = forms.CharField(label=_("署名（可不填）"), max_length=64, required=False)
    sender_contact = forms.CharField(
        label=_("联系方式（可不填，便于核实）"), max_length=128, required=False
    )
    website = forms.CharField(required=False, label=_("请勿填写此项"))
    form_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        notice_token: str,
        entries: list[tuple[int, str]],
        challenge: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.notice_token = notice_token
        self.fields["concerns"].choices = [(0, _("整份公示")), *entries]  # type: ignore[attr-defined]
        self.fields["form_token"].initial = form_token(notice_token)
        self.challenge = challenge
        if challenge:
            # The notice is flooded (ratelimit.NOTICE_DAY): everyone answers, nobody is blocked.
            # The page always shows a new question (the posted token is the one checked).
            self.question, self.question_token = new_challenge()
            self.fields["challenge_answer"] = forms.CharField(
                label=_("本公示今天收到的反馈较多，请先计算："), max_length=8
            )

    def clean(self) -> dict[str, Any]:
        # Checked here, not in clean_form_token: a hidden field's error would not be shown.
        data = super().clean() or {}
        if data.get("website"):  # the honeypot: people never see it, simple robots fill it in
            raise forms.ValidationError(_("提交未成功，请重试。"))
        try:
            signed = signing.loads(
                self.data.get("form_token", ""), salt=FORM_SALT, max_age=FORM_MAX_AGE
            )
        except signing.BadSignature:
            signed = None
        if signed != self.notice_token:
            raise forms.ValidationError(_("页面已过期，请刷新后重新填写。"))
        if self.challenge and not passes(
            str(self.data.get("challenge_token", "")), str(data.get("challenge_answer", ""))
        ):
            self.add_error("challenge_answer", _("计算结果不对，请重新计算。"))
        return data


class ReceiptForm(forms.Form):
    code = forms.CharField(label=_("回执码"), max_length=100, strip=True)


class AddInfoForm(forms.Form):
    code = forms.CharField(widget=forms.HiddenInput, max_length=100)
    text = forms.CharField(
        label=_("补充的情况"), max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 4})
    )
