"""Account management pages (/accounts/manage/): typed function views over the account actions.

Only the system administrator and district staff reach them; anyone else gets 404, like any page
outside their scope (principle 6). Pages that show a one-time password are never cached and are
rendered in the response to the POST, never after a redirect: reloading cannot show it again.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from fazhan.accounts.actions import (
    AccountRefused,
    RosterInvalid,
    can_manage,
    check_roster,
    do_change_password,
    do_create_account,
    do_create_branch_secretaries,
    do_deactivate,
    do_hand_over,
    do_reactivate,
    do_reset_password,
    get_account_for_user,
    manageable_ids,
    managed_branches,
    visible_accounts,
)
from fazhan.accounts.authority import authority_required
from fazhan.accounts.forms import (
    AccountForm,
    HandOverForm,
    PasswordChangeForm,
    RosterConfirmForm,
    RosterUploadForm,
    sign_roster,
    unsign_roster,
)
from fazhan.accounts.models import Role, RoleKind, User
from fazhan.accounts.roster import RosterFileError, RosterRow, RowError, read_roster
from fazhan.audit.models import Event
from fazhan.orgs.models import Organization

EVENT_LABELS = {
    "account.created": gettext_lazy("创建账号"),
    "account.handed_over": gettext_lazy("接任支部"),
    "account.role_ended": gettext_lazy("交出支部"),
    "account.password_reset": gettext_lazy("重置密码"),
    "account.password_changed": gettext_lazy("本人修改密码"),
    "account.deactivated": gettext_lazy("停用"),
    "account.reactivated": gettext_lazy("启用"),
}
ROSTER_TEMPLATE = "支部,姓名,用户名,手机\r\n城关社区第一党支部,张三,,\r\n"


# The system administrator and district staff; everyone else gets 404 on the pages.
manager_required = authority_required(lambda a: a.manages_accounts)


def _roles_prefetch() -> Prefetch[str, QuerySet[Role], str]:
    return Prefetch(
        "roles", queryset=Role.objects.select_related("org").order_by("-active", "-created_on")
    )


@manager_required
def account_list(request: HttpRequest) -> HttpResponse:
    accounts: QuerySet[User] = visible_accounts(request.user).prefetch_related(_roles_prefetch())
    query = request.GET.get("q", "").strip()
    if query:
        accounts = accounts.filter(Q(username__icontains=query) | Q(display_name__icontains=query))
    kind = request.GET.get("kind", "")
    if kind in RoleKind.values:
        accounts = accounts.filter(roles__kind=kind, roles__active=True).distinct()
    status = request.GET.get("status", "")
    if status == "active":
        accounts = accounts.filter(is_active=True)
    elif status == "inactive":
        accounts = accounts.filter(is_active=False)
    elif status == "must_change":
        accounts = accounts.filter(must_change_password=True)
    page = Paginator(accounts.order_by("username"), 50).get_page(request.GET.get("page"))
    manageable = manageable_ids(request.user, [u.pk for u in page])
    return render(
        request,
        "accounts/list.html",
        {
            "page": page,
            "manageable": manageable,
            "q": query,
            "kind": kind,
            "status": status,
            "kinds": RoleKind.choices,
        },
    )


def _account_events(user: User) -> list[dict[str, Any]]:
    events = Event.objects.filter(kind__startswith="account.", payload__user_id=user.pk).order_by(
        "-seq"
    )[:50]
    recorders = dict(
        User.objects.filter(pk__in={e.recorded_by_id for e in events}).values_list(
            "pk", "display_name"
        )
    )
    orgs = dict(
        Organization.objects.filter(
            pk__in={e.payload.get("org_id") for e in events if e.payload.get("org_id")}
        ).values_list("pk", "name")
    )
    return [
        {
            "event": e,
            "label": EVENT_LABELS.get(e.kind, e.kind),
            "by": recorders.get(e.recorded_by_id, "") if e.recorded_by_id else "",
            "org": orgs.get(e.payload.get("org_id"), ""),
        }
        for e in events
    ]


def _detail_context(request: HttpRequest, account: User) -> dict[str, Any]:
    roles = list(account.roles.select_related("org").order_by("-active", "-created_on"))
    return {
        "account": account,
        "roles": roles,
        "can_manage": can_manage(request.user, account),
        "events": _account_events(account),
    }


@manager_required
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_account_for_user(request.user, pk)
    return render(request, "accounts/detail.html", _detail_context(request, account))


def _refused(request: HttpRequest, account: User, refused: AccountRefused) -> HttpResponse:
    context = _detail_context(request, account) | {"errors": refused.messages}
    return render(request, "accounts/detail.html", context, status=400)


@manager_required
@require_POST
@never_cache
def reset_password(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_account_for_user(request.user, pk)
    try:
        password = do_reset_password(request.user, account)
    except AccountRefused as refused:
        return _refused(request, account, refused)
    account.refresh_from_db()
    return render(
        request, "accounts/one_time_password.html", {"account": account, "password": password}
    )


@manager_required
@require_POST
def deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_account_for_user(request.user, pk)
    try:
        do_deactivate(request.user, account)
    except AccountRefused as refused:
        return _refused(request, account, refused)
    messages.success(request, _("已停用账号 %(u)s。") % {"u": account.username})
    return redirect("accounts:detail", pk=account.pk)


@manager_required
@require_POST
def reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_account_for_user(request.user, pk)
    try:
        do_reactivate(request.user, account)
    except AccountRefused as refused:
        return _refused(request, account, refused)
    messages.success(request, _("已启用账号 %(u)s。") % {"u": account.username})
    return redirect("accounts:detail", pk=account.pk)


# -- roster --------------------------------------------------------------------------------------


def _preview(
    request: HttpRequest, rows: list[RosterRow], file_errors: list[RowError] | None = None
) -> HttpResponse:
    if file_errors:
        return render(
            request,
            "accounts/roster.html",
            {"form": RosterUploadForm(), "errors": file_errors, "planned": []},
            status=400,
        )
    check = check_roster(request.user, rows)
    lines = [{"plan": plan, "errors": check.errors_of(plan.row.line)} for plan in check.planned]
    confirm = (
        RosterConfirmForm(initial={"token": sign_roster(request.user.pk, rows)})  # type: ignore[arg-type]
        if check.ok
        else None
    )
    return render(
        request,
        "accounts/roster.html",
        {
            "form": RosterUploadForm(),
            "errors": check.errors,
            "lines": lines,
            "confirm": confirm,
            "previewed": True,
        },
        status=200 if check.ok else 400,
    )


@manager_required
@never_cache
def roster(request: HttpRequest) -> HttpResponse:
    """Upload → preview (every error by row and column, nothing written) → confirm → passwords."""
    if request.method != "POST":
        return render(request, "accounts/roster.html", {"form": RosterUploadForm()})
    if "token" in request.POST:
        confirm = RosterConfirmForm(request.POST)
        rows = (
            unsign_roster(request.user.pk, confirm.cleaned_data["token"])  # type: ignore[arg-type]
            if confirm.is_valid()
            else None
        )
        if rows is None:
            notice = [_("预览已过期或无效，请重新上传。")]
            return render(
                request,
                "accounts/roster.html",
                {"form": RosterUploadForm(), "notice": notice},
                status=400,
            )
        try:
            created = do_create_branch_secretaries(request.user, rows)
        except RosterInvalid:
            return _preview(request, rows)
        except AccountRefused as refused:
            return render(
                request,
                "accounts/roster.html",
                {"form": RosterUploadForm(), "notice": refused.messages},
                status=409,
            )
        accounts = [
            {"user": user, "password": password, "branch": user.roles.get().org}
            for user, password in created
        ]
        return render(request, "accounts/roster_done.html", {"accounts": accounts})
    form = RosterUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "accounts/roster.html", {"form": form}, status=400)
    upload = form.cleaned_data["file"]
    try:
        rows, file_errors = read_roster(upload.name, upload.read())
    except RosterFileError as error:
        form.add_error("file", str(error))
        return render(request, "accounts/roster.html", {"form": form}, status=400)
    return _preview(request, rows, file_errors)


@manager_required
def roster_template(request: HttpRequest) -> HttpResponse:
    # UTF-8 with a BOM: Excel on Windows then opens the Chinese headers correctly.
    response = HttpResponse(("\ufeff" + ROSTER_TEMPLATE).encode("utf-8"), content_type="text/csv")
    response["Content-Disposition"] = "attachment; filename=roster.csv"
    return response


# -- branches and handover -----------------------------------------------------------------------


@manager_required
def branch_list(request: HttpRequest) -> HttpResponse:
    branches = managed_branches(request.user)
    query = request.GET.get("q", "").strip()
    if query:
        branches = branches.filter(
            Q(name__icontains=query) | Q(short_name__icontains=query) | Q(code__icontains=query)
        )
    holders_of = Role.objects.filter(kind=RoleKind.BRANCH_SECRETARY, active=True)
    if request.GET.get("show") == "vacant":
        branches = branches.exclude(pk__in=holders_of.values("org_id"))
    page = Paginator(branches.order_by("code"), 50).get_page(request.GET.get("page"))
    holders: dict[int, list[User]] = defaultdict(list)
    for role in holders_of.filter(org__in=list(page)).select_related("user"):
        assert role.org_id is not None
        holders[role.org_id].append(role.user)
    rows = [{"branch": b, "holders": holders.get(b.pk, [])} for b in page]
    return render(
        request,
        "accounts/branches.html",
        {"page": page, "rows": rows, "q": query, "show": request.GET.get("show", "")},
    )


def _get_branch(request: HttpRequest, org_pk: int) -> Organization:
    try:
        return managed_branches(request.user).get(pk=org_pk)
    except (Organization.DoesNotExist, ValueError, TypeError):
        raise Http404(_("没有找到该支部。")) from None


@manager_required
@never_cache
def hand_over(request: HttpRequest, org_pk: int) -> HttpResponse:
    branch = _get_branch(request, org_pk)
    current = list(
        Role.objects.filter(org=branch, kind=RoleKind.BRANCH_SECRETARY, active=True)
        .select_related("user")
        .order_by("pk")
    )
    holders = [(r.user.pk, f"{r.user}（{r.user.username}）") for r in current]
    form = HandOverForm(request.POST or None, holders=holders)
    context: dict[str, Any] = {"branch": branch, "current": current, "form": form}
    if request.method != "POST" or not form.is_valid():
        return render(
            request, "accounts/hand_over.html", context, status=400 if form.is_bound else 200
        )
    data = form.cleaned_data
    old_user = next((r.user for r in current if r.user.pk == data["old_user"]), None)
    new_user: User | None = None
    new_row: RosterRow | None = None
    if data["successor"] == HandOverForm.EXISTING:
        new_user = (
            visible_accounts(request.user)
            .filter(username__iexact=data["existing_username"].strip())
            .first()
        )
        if new_user is None:
            form.add_error("existing_username", _("找不到该账号。"))
            return render(request, "accounts/hand_over.html", context, status=400)
    else:
        new_row = RosterRow(1, branch.code, data["new_name"], data["new_username"])
    try:
        handover = do_hand_over(
            request.user,
            branch=branch,
            new_user=new_user,
            new_row=new_row,
            old_user=old_user,
            deactivate_old=data["deactivate_old"],
        )
    except RosterInvalid as invalid:
        for error in invalid.errors:
            form.add_error(
                "new_username" if error.column == "用户名" else "new_name", error.message
            )
        return render(request, "accounts/hand_over.html", context, status=400)
    except AccountRefused as refused:
        field = refused.field if refused.field in form.fields else None
        if refused.field == "new_user":
            field = "existing_username"
        form.add_error(field, refused.messages)
        return render(request, "accounts/hand_over.html", context, status=400)
    return render(request, "accounts/hand_over_done.html", {"branch": branch, "handover": handover})


# -- one's own password --------------------------------------------------------------------------


@login_required
@never_cache
def password_change(request: HttpRequest) -> HttpResponse:
    user = request.user
    forced = bool(getattr(user, "must_change_password", False))
    form = PasswordChangeForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    context = {"form": form, "forced": forced, "next": next_url}
    if request.method != "POST" or not form.is_valid():
        return render(
            request, "accounts/password_change.html", context, status=400 if form.is_bound else 200
        )
    try:
        changed = do_change_password(
            user,
            old_password=form.cleaned_data["old_password"],
            new_password=form.cleaned_data["new_password1"],
        )
    except AccountRefused as refused:
        form.add_error(refused.field if refused.field in form.fields else None, refused.messages)
        return render(request, "accounts/password_change.html", context, status=400)
    # Keep this session signed in; every other session of the account ends with the old hash.
    update_session_auth_hash(request, changed)
    messages.success(request, _("密码已修改。"))
    return redirect(next_url or "/")


@manager_required
@never_cache
def create_account(request: HttpRequest) -> HttpResponse:
    """The system administrator creates one account of any role (the roster makes many branch
    secretaries at once); the one-time password is shown once, in the response to the POST."""
    if request.method == "POST":
        form = AccountForm(request.POST)
        if form.is_valid():
            try:
                account, password = do_create_account(
                    request.user,
                    username=form.cleaned_data["username"],
                    display_name=form.cleaned_data["display_name"],
                    kind=form.cleaned_data["kind"],
                    org=form.cleaned_data["org"],
                )
            except AccountRefused as refused:
                form.add_error(refused.field, refused.messages)
            else:
                return render(
                    request,
                    "accounts/one_time_password.html",
                    {"account": account, "password": password},
                )
    else:
        form = AccountForm()
    return render(request, "accounts/create.html", {"form": form})
