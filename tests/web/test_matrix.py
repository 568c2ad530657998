"""Role × URL × own/other organization: no unexpected access anywhere.

Every URL pattern of the project is discovered from the resolver, so a new page is in the matrix
the day it is added. Pages without parameters are opened by every role; pages about one candidate
are opened on a candidate of the user's own subtree and on one outside it.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

# The public notices, sign-in, language switch, and the in-room ballot page (voters cast with a
# one-time code from a card, deliberately without an account: DESIGN principle 7), and /healthz
# (database up and the chain's length: no personal data).
PUBLIC_PREFIXES = ("gongshi/", "accounts/login/", "i18n/", "meetings/vote/", "healthz")
# Pages that change something on GET are not allowed to exist: GET must be safe everywhere.
SKIP = {"accounts/logout/"}


def patterns(resolver: URLResolver | None = None, prefix: str = "") -> list[str]:
    found = []
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found += patterns(entry, route)
        elif isinstance(entry, URLPattern):
            found.append(route)
    return found


def plain_routes() -> list[str]:
    return sorted(r for r in patterns() if "<" not in r and "(?" not in r and r not in SKIP)


def candidate_routes() -> list[str]:
    # /accept/ exists only while a transfer to the user's branch waits (tests/web/test_owners.py).
    return sorted(
        r
        for r in patterns()
        if re.fullmatch(r"(imports/|reviews/)?candidates/<int:pk>[^<]*(<str:step>/)?", r)
        and not r.endswith("/accept/")
    )


def test_it_finds_the_routes_it_checks():
    assert "candidates/" in plain_routes()
    assert "candidates/<int:pk>/" in candidate_routes()


@pytest.mark.parametrize(
    "username", ["qu", "dangwei", "zhibu", "zhibu2", "shenji", "admin", "baomi", "outsider", None]
)
def test_it_never_fails_and_never_leaks_on_any_plain_page(client, cast, username):
    if username:
        client.force_login(cast.users[username])
    names = [c.person.name for c in cast.candidates.values()]
    for route in plain_routes():
        response = client.get("/" + route)
        assert response.status_code < 500, (username, route)
        public = route.startswith(PUBLIC_PREFIXES)
        if username is None and not public:
            assert response.status_code in (302, 404), route
        if username in (None, "admin", "baomi", "outsider") and response.status_code == 200:
            body = response.content.decode(errors="replace")
            leaked = [n for n in names if n in body]
            assert not leaked, (username, route, leaked)


EXPECTED = {
    "qu": {"cand_a": True, "cand_b": True},
    "dangwei": {"cand_a": True, "cand_b": False},
    "zhibu": {"cand_a": True, "cand_b": False},
    "zhibu2": {"cand_a": False, "cand_b": True},
    "shenji": {"cand_a": True, "cand_b": True},
    "admin": {"cand_a": False, "cand_b": False},
    "outsider": {"cand_a": False, "cand_b": False},
}


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_it_opens_a_candidates_pages_only_inside_the_users_subtree(client, cast, username):
    client.force_login(cast.users[username])
    for route in candidate_routes():
        for name, allowed in EXPECTED[username].items():
            url = "/" + route.replace("<int:pk>", str(cast.candidates[name].pk)).replace(
                "<str:step>", "S01"
            )
            status = client.get(url).status_code
            if allowed:
                assert status in (200, 422), (username, url, status)
            else:
                assert status == 404, (username, url, status)


# -- every route with an object id -------------------------------------------------------------
#
# Each route naming an object is tried with an object of the user's own subtree and one outside it:
# side "a" lives in branch_a (its committee sub_a), side "b" in branch_b (sub_b). A new route
# with an id fails `test_it_covers_every_route_with_an_object_id` until it is listed here.

# route → the object its first id names, and the objects its other ids name.
OBJECT_ROUTES: dict[str, tuple[str, dict[str, str]]] = {
    "accounts/manage/<int:pk>/": ("account", {}),
    "accounts/manage/<int:pk>/reset-password/": ("account", {}),
    "accounts/manage/<int:pk>/deactivate/": ("account", {}),
    "accounts/manage/<int:pk>/reactivate/": ("account", {}),
    "accounts/manage/branches/<int:org_pk>/hand-over/": ("managed_branch", {}),
    "imports/<int:pk>/": ("import_batch", {}),
    "imports/<int:pk>/confirm/": ("import_batch", {}),
    "imports/<int:pk>/progress/": ("import_batch", {}),
    "imports/<int:pk>/discard/": ("import_batch", {}),
    "imports/<int:pk>/errors.xlsx": ("import_batch", {}),
    "imports/candidates/<int:pk>.json": ("candidate", {}),
    "plans/org/<int:pk>/": ("branch", {}),
    "plans/org/<int:pk>/forecast/": ("committee", {}),
    "plans/org/<int:pk>/export.xlsx": ("branch", {}),
    "plans/plan/<int:pk>/": ("plan", {}),
    "plans/plan/<int:pk>/edit/": ("plan", {}),
    "plans/plan/<int:pk>/split/": ("plan", {}),
    "plans/plan/<int:pk>/allocate/": ("plan", {}),
    "plans/plan/<int:pk>/allocate/check/": ("plan", {}),
    "plans/share/<int:pk>/targets/": ("share", {}),
    "reports/campaigns/<int:pk>/": ("campaign", {}),
    "reports/campaigns/<int:pk>/edit/": ("campaign", {}),
    "reports/campaigns/<int:pk>/report.xlsx": ("campaign", {}),
    "reports/campaigns/<int:pk>/report.pdf": ("campaign", {}),
    "reports/submissions/<int:pk>/": ("submission", {}),
    "reports/submissions/<int:pk>/return/": ("submission", {}),
    "reports/submissions/<int:pk>/accept/": ("submission", {}),
    "reports/submissions/<int:pk>/remind/": ("submission", {}),
    "plans/plan/<int:pk>/adopt/": ("plan", {}),
    "plans/requests/<int:year>/<int:org_pk>/": ("committee", {"year": "next_year"}),
    "notices/<int:pk>/": ("notice", {}),
    "notices/<int:pk>/consent/<int:entry_pk>/": ("notice", {"entry_pk": "notice_entry"}),
    "notices/<int:pk>/remove/<int:entry_pk>/": ("notice", {"entry_pk": "notice_entry"}),
    "notices/<int:pk>/publish/": ("notice", {}),
    "notices/<int:pk>/cancel/": ("notice", {}),
    "notices/<int:pk>/decide/<int:entry_pk>/": ("notice", {"entry_pk": "notice_entry"}),
    "notices/<int:pk>/notice.pdf": ("notice", {}),
    "notices/feedback/<int:pk>/": ("feedback", {}),
    "reviews/prereview/<int:pk>/": ("prereview", {}),
    "reviews/candidates/<int:pk>/": ("candidate", {}),
    "reviews/approvals/<int:pk>/": ("approval", {}),
    "reviews/approvals/<int:pk>/sheet.pdf": ("approval", {}),
    "meetings/<int:pk>/": ("meeting", {}),
    "meetings/<int:pk>/roll/": ("meeting", {}),
    "meetings/<int:pk>/officers/": ("meeting", {}),
    "meetings/<int:pk>/exclusions/": ("meeting", {}),
    "meetings/exclusions/<int:pk>/consent/": ("exclusion", {}),
    "meetings/exclusions/<int:pk>/withdraw/": ("exclusion", {}),
    "meetings/<int:pk>/items/": ("meeting", {}),
    "meetings/<int:pk>/open/": ("meeting", {}),
    "meetings/<int:pk>/late/approve/": ("meeting", {}),
    "meetings/<int:pk>/close/": ("meeting", {}),
    "meetings/items/<int:pk>/": ("item", {}),
    "meetings/items/<int:pk>/progress/": ("item", {}),
    "meetings/items/<int:pk>/withdraw/": ("item", {}),
    "meetings/items/<int:pk>/opinions/": ("item", {}),
    "meetings/items/<int:pk>/start/": ("item", {}),
    "meetings/items/<int:pk>/codes/": ("item", {}),
    "meetings/items/<int:pk>/end/": ("item", {}),
    "meetings/items/<int:pk>/count/": ("item", {}),
    "meetings/items/<int:pk>/confirm/": ("item", {}),
    "meetings/items/<int:pk>/close/": ("item", {}),
    "meetings/items/<int:pk>/sheet/": ("item", {}),
    "meetings/items/<int:pk>/sheet.pdf": ("item", {}),
    "orgs/<int:pk>/": ("branch", {}),
    "orgs/<int:pk>/edit/": ("branch", {}),
    "orgs/<int:pk>/type/": ("branch", {}),
    "orgs/<int:pk>/contact/": ("branch", {}),
    "orgs/<int:pk>/approval/": ("committee", {}),
    "orgs/<int:pk>/move/": ("branch", {}),
    "orgs/<int:pk>/merge/": ("branch", {}),
    "orgs/<int:pk>/close/": ("branch", {}),
    "candidates/<int:pk>/": ("candidate", {}),
    "candidates/<int:pk>/record/<str:step>/": ("candidate", {}),
    "candidates/<int:pk>/past/<str:step>/": ("candidate", {}),
    "candidates/<int:pk>/suspend/": ("candidate", {}),
    "candidates/<int:pk>/resume/": ("candidate", {}),
    "candidates/<int:pk>/withdraw/": ("candidate", {}),
    "candidates/<int:pk>/reject/": ("candidate", {}),
    "candidates/<int:pk>/transfer/": ("candidate", {}),
    "candidates/<int:pk>/accept/": ("candidate", {}),
    "candidates/<int:pk>/correct/": ("candidate", {}),
    "candidates/<int:pk>/thoughts/": ("candidate", {}),
    "attachments/<int:pk>/": ("attachment", {}),
    "education/trainings/<int:pk>/": ("training", {}),
    "education/trainings/<int:pk>/attend/": ("training", {}),
    "education/candidates/<int:pk>/pair/": ("candidate", {}),
    "education/nominations/<int:pk>/outcome/": ("nomination", {}),
    "register/<int:pk>/": ("irregularity", {}),
    "register/<int:pk>/explain/": ("irregularity", {}),
    "register/<int:pk>/close/": ("irregularity", {}),
    "register/cases/<int:pk>/": ("case", {}),
    "register/cases/<int:pk>/investigation/": ("case", {}),
    "register/cases/<int:pk>/parties/<int:party_pk>/": ("case", {"party_pk": "party"}),
    "register/cases/<int:pk>/conclude/": ("case", {}),
    "register/cases/<int:pk>/revocation/": ("case", {}),
    "register/supervision/tasks/<int:pk>/": ("task", {}),
    "register/supervision/tasks/<int:pk>/note/": ("task", {}),
    "register/supervision/tasks/<int:pk>/close/": ("task", {}),
    "candidates/<int:pk>/attributes/": ("candidate", {}),
    "members/org/<int:pk>/": ("branch", {}),
    "members/<int:pk>/": ("member", {}),
    "members/<int:pk>/record/<str:kind>/": ("member", {}),
    "paperwork/forms/<int:pk>/": ("volunteer_form", {}),
    "paperwork/candidates/<int:pk>/record.pdf": ("candidate", {}),
    "paperwork/prereview/<int:pk>/opinion.pdf": ("decided_prereview", {}),
    "paperwork/approvals/<int:pk>/notice.pdf": ("approval", {}),
    "paperwork/org/<int:pk>/filing/": ("branch", {}),
    "paperwork/org/<int:pk>/filing.pdf": ("branch", {}),
    "mobility/candidates/<int:pk>/": ("candidate", {}),
    "mobility/history/<int:pk>/": ("candidate", {}),
    "mobility/candidates/<int:pk>/depart/": ("candidate", {}),
    "mobility/candidates/<int:pk>/letter.pdf": ("candidate", {}),
    "mobility/candidates/<int:pk>/file.json": ("candidate", {}),
    "mobility/candidates/<int:pk>/undepart/": ("candidate", {}),
    "mobility/candidates/<int:pk>/refuse/": ("candidate", {}),
    "mobility/candidates/<int:pk>/agreement/": ("candidate", {}),
    "mobility/candidates/<int:pk>/contact/": ("candidate", {}),
    "mobility/agreements/<int:pk>/end/": ("agreement", {}),
    "mobility/agreements/<int:pk>/report/": ("agreement", {}),
    "past-facts/<int:pk>/": ("past_fact", {}),
}
# Routes with an id that names nothing inside an organization's subtree: the national holiday
# table by year is district-wide reference data, the same for every account (tried below with a
# listed and an unlisted year); the public notices are addressed by an unguessable token.
NOT_IN_A_SUBTREE = {
    "holidays/<int:year>/",
    "holidays/<int:year>/confirm/",
    "gongshi/<str:token>/",
    "gongshi/<str:token>/feedback/",
    "gongshi/<str:token>/notice.pdf",
    # The security administrator's, over every account whatever its organization, and 404 for
    # everyone else (tests/accounts/test_signin.py).
    "accounts/manage/security/<int:pk>/reset-factor/",
    "accounts/manage/security/roles/<int:role_pk>/grant/",
    "accounts/manage/security/roles/<int:role_pk>/revoke/",
    # One account's own notifications, 404 for every other account whatever its reach
    # (tests/notify/test_notify.py).
    "notify/<int:pk>/read/",
}
# Who reaches side a and side b. Accounts are reached by those who manage them: the system
# administrator (every account) and district staff (the branch accounts of their subtree).
REACHES = {
    "qu": {"a", "b"},
    "dangwei": {"a"},
    "zhibu": {"a"},
    "zhibu2": {"b"},
    "shenji": {"a", "b"},
    "admin": set(),
    "baomi": set(),
    "outsider": set(),
}
ACCOUNT_REACHES = {"qu": {"a", "b"}, "admin": {"a", "b"}}
ACCOUNT_KINDS = {"account", "managed_branch"}


# Pages that exist only in a later state of their object (a result sheet after the count).
LATER_STATE = {
    "meetings/items/<int:pk>/sheet/",
    "meetings/items/<int:pk>/sheet.pdf",
    # A file's history as its old owner recorded it: only once the file has moved away.
    "mobility/history/<int:pk>/",
}


def object_routes() -> list[str]:
    return sorted(r for r in patterns() if "<int:" in r)


def build_objects(cast) -> dict[str, dict[str, int]]:
    """One object of every kind a route names, in branch_a (side a) and in branch_b (side b)."""
    import uuid
    from datetime import date

    from fazhan.accountability.models import Case, Irregularity, Party, SupervisionTask
    from fazhan.dossier.models import PastFact
    from fazhan.education.models import Nomination, TrainingClass
    from fazhan.imports.models import BatchKind, ImportBatch
    from fazhan.meetings.models import AgendaItem, Exclusion, ExclusionReason, ItemKind, Meeting
    from fazhan.mobility.models import Cooperation, Departure, OutsideOrg
    from fazhan.notices.models import Feedback, Notice, NoticeEntry, NoticeStatus
    from fazhan.orgs.models import Member
    from fazhan.paperwork.models import VolunteerForm
    from fazhan.people.models import CandidateOrgLink, LinkRole
    from fazhan.plans.actions import do_load_plan, do_split
    from fazhan.plans.models import Plan, PlanShare
    from fazhan.reports.actions import do_open_campaign
    from fazhan.reviews.models import Approval, PrereviewRequest

    # A report campaign is the district's (side a and b alike); each committee sends its report.
    campaign = do_open_campaign(cast.qu, org=cast.district, kind="half_year", year=2026)
    district_plan = do_load_plan(cast.qu, name="seed", year=2026)
    do_split(cast.qu, district_plan, shares={cast.sub_a.pk: 200, cast.sub_b.pk: 150})
    sides = {
        "a": (cast.branch_a, cast.sub_a, cast.zhibu, cast.candidates["cand_a"], cast.branch_a2),
        "b": (cast.branch_b, cast.sub_b, cast.zhibu2, cast.candidates["cand_b"], cast.branch_b2),
    }
    found: dict[str, dict[str, int]] = {}
    for side, (branch, committee, secretary, candidate, receiving) in sides.items():
        day = date(2026, 3, 2)
        # A transfer waiting for the other branch of the same committee (the accept page).
        CandidateOrgLink.objects.create(
            candidate=candidate, org=receiving, role=LinkRole.INFLOW, started_on=day
        )
        notice = Notice.objects.create(
            kind="N-TGT",
            org=branch,
            token=uuid.uuid4().hex,
            contact="党群服务中心 0851-0000000",
            created_by=secretary,
            # Published: feedback arrives only while a notice runs.
            status=NoticeStatus.PUBLISHED,
            first_day=day,
            end=date(2026, 3, 6),
        )
        entry = NoticeEntry.objects.create(notice=notice, candidate=candidate, position=1)
        attachment = _attachment(candidate, secretary)
        feedback = Feedback.objects.create(
            notice=notice,
            entry=entry,
            text="反映情况",
            receipt_hash=uuid.uuid4().hex,
            received_on=day,
        )
        meeting = Meeting.objects.create(org=branch, held_on=day, created_by=secretary)
        item = AgendaItem.objects.create(
            meeting=meeting, candidate=candidate, kind=ItemKind.ADMISSION
        )
        member = Member.objects.create(org=branch, name=f"党员{side}")
        exclusion = Exclusion.objects.create(
            meeting=meeting, member=member, reason=ExclusionReason.ABROAD, proposed_by=secretary
        )
        prereview = PrereviewRequest.objects.create(
            candidate=candidate,
            from_org=branch,
            to_org=committee,
            batch=uuid.uuid4().hex,
            s12_on=day,
            sent_on=day,
            sent_by=secretary,
            s12_seq=1,
        )
        approval = Approval.objects.create(
            candidate=candidate,
            step="S17",
            committee=committee,
            meeting_on=day,
            members_total=7,
            members_present=6,
            members_for=6,
            result="approved",
            seq=1,
            head_code="0000-0000",
            recorded_by=secretary,
        )
        decided = PrereviewRequest.objects.create(
            candidate=candidate,
            from_org=branch,
            to_org=committee,
            batch=uuid.uuid4().hex,
            s12_on=day,
            sent_on=day,
            sent_by=secretary,
            s12_seq=1,
            state="pass",
            decided_on=day,
            opinion="同意",
            head_code="0000-0000",
        )
        volunteer_form = VolunteerForm.objects.create(
            district=cast.district,
            number=1 if side == "a" else 2,
            committee=committee,
            issued_on=day,
            issued_by=cast.qu,
            issue_seq=1,
        )
        batch = ImportBatch.objects.create(uploaded_by=secretary, org=branch, kind=BatchKind.FILES)
        plan = Plan.objects.create(
            year=2026,
            org=committee,
            name="seed",
            total=district_plan.total,
            data=district_plan.data,
        )
        irregularity = Irregularity.objects.create(
            candidate=candidate,
            org=branch,
            finding="talk.late",
            severity="late",
            step="S02",
            finding_date=day,
            found_on=day,
        )
        case = Case.objects.create(
            org=committee, title="案件", opened_by=cast.qu, opened_on=day, due_on=day
        )
        party = Party.objects.create(case=case, user=secretary, basis="recorded")
        task = SupervisionTask.objects.create(
            org=branch,
            topic="other",
            title="督办",
            created_by=cast.qu,
            created_on=day,
            due_on=day,
        )
        training = TrainingClass.objects.create(
            org=branch,
            title="培训班",
            form="party_school",
            starts_on=day,
            ends_on=day,
            hours=8,
            created_by=secretary,
        )
        nomination = Nomination.objects.create(
            org=branch, source="youth_league", received_on=day, name="示例"
        )
        # A 跟踪教育 agreement with an organization outside the district (Step 13).
        outside = OutsideOrg.objects.create(
            name=f"区外流动党员党组织{side}",
            kind="mobile",
            contact="联系人 0851-0000000",
            registered_for=committee,
            registered_by=secretary,
            registered_on=day,
        )
        agreement = Cooperation.objects.create(
            candidate=candidate,
            kind="tracking",
            responsible=branch,
            outside=outside,
            steps=["S06"],
            contact="联系人",
            started_on=day,
        )
        Departure.objects.create(
            candidate=candidate,
            outside=outside,
            departed_on=day,
            letter_code="AAAA-AAAA-AAAA",
            head_code="AAAA-AAAA-AAAA",
            document={},
            created_by=secretary,
        )
        past_fact = PastFact.objects.create(
            candidate=candidate,
            step="S11",
            happened_on=day,
            source_kind="certificate",
            source_ref="结业证书",
            reason="纸质档案",
            exception=True,
            payload={"days": 1},
            status="pending",
            confirm_org=committee,
            requested_by=secretary,
        )
        found[side] = {
            "agreement": agreement.pk,
            "past_fact": past_fact.pk,
            "training": training.pk,
            "nomination": nomination.pk,
            "task": task.pk,
            "irregularity": irregularity.pk,
            "case": case.pk,
            "party": party.pk,
            "account": secretary.pk,
            "branch": branch.pk,
            "managed_branch": branch.pk,
            "committee": committee.pk,
            "candidate": candidate.pk,
            "notice": notice.pk,
            "notice_entry": entry.pk,
            "attachment": attachment.pk,
            "feedback": feedback.pk,
            "meeting": meeting.pk,
            "item": item.pk,
            "exclusion": exclusion.pk,
            "member": member.pk,
            "prereview": prereview.pk,
            "decided_prereview": decided.pk,
            "volunteer_form": volunteer_form.pk,
            "approval": approval.pk,
            "import_batch": batch.pk,
            "plan": plan.pk,
            "share": PlanShare.objects.get(plan=district_plan, org=committee).pk,
            "campaign": campaign.pk,
            "submission": campaign.submissions.get(sender=committee).pk,
            "next_year": 2027,  # a year, not an object: the request form's year
        }
    return found


def _attachment(candidate, secretary):
    """A scan kept with the candidate's file (fazhan.attachments), its bytes in the store."""
    import hashlib

    from fazhan.attachments.actions import stored_path
    from fazhan.attachments.models import Attachment

    data = b"%PDF-1.4 matrix " + str(candidate.pk).encode()
    sha = hashlib.sha256(data).hexdigest()
    stored_path(sha).parent.mkdir(parents=True, exist_ok=True)
    stored_path(sha).write_bytes(data)
    return Attachment.objects.create(
        candidate=candidate,
        event_seq=0,
        step="S02",
        original_name="谈话记录.pdf",
        content_type="application/pdf",
        size=len(data),
        sha256=sha,
        uploaded_by=secretary,
    )


def object_url(route: str, ids: dict[str, int]) -> str:
    kind, others = OBJECT_ROUTES[route]
    url = re.sub(r"<int:(pk|org_pk)>", str(ids[kind]), route, count=1)
    for name, other in others.items():
        url = url.replace(f"<int:{name}>", str(ids[other]))
    return "/" + url.replace("<str:step>", "S01").replace("<str:kind>", "died")


def test_it_covers_every_route_with_an_object_id():
    missing = [r for r in object_routes() if r not in OBJECT_ROUTES and r not in NOT_IN_A_SUBTREE]
    assert not missing, f"add these routes to OBJECT_ROUTES with their objects: {missing}"
    assert not set(OBJECT_ROUTES) - set(object_routes()), "a listed route no longer exists"


def _try(client, url: str):
    """GET; a POST-only page (405) is tried with an empty POST, which must not leak either."""
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url, {})
    return response


@pytest.mark.parametrize("username", [*sorted(REACHES), None])
def test_it_answers_every_object_route_inside_and_outside_the_users_subtree(client, cast, username):
    objects = build_objects(cast)
    if username:
        client.force_login(cast.users[username])
    names = [c.person.name for c in cast.candidates.values()]
    for route in sorted(OBJECT_ROUTES):
        kind = OBJECT_ROUTES[route][0]
        reaches = (ACCOUNT_REACHES if kind in ACCOUNT_KINDS else REACHES).get(username or "", set())
        for side in ("a", "b"):
            url = object_url(route, objects[side])
            response = _try(client, url)
            status = response.status_code
            assert status < 500, (username, url, status)
            if username is None:
                assert status in (302, 404), (url, status)
            elif side not in reaches:
                assert status == 404, (username, url, status)
            if username in (None, "admin", "baomi", "outsider") and status == 200:
                body = response.content.decode(errors="replace")
                leaked = [n for n in names if n in body]
                assert not leaked, (username, url, leaked)


def test_the_district_opens_every_object_page_on_both_sides(client, cast):
    """The other half of the matrix: the objects exist and their pages work for someone who
    reaches them, so a 404 above means "outside", not "broken"."""
    objects = build_objects(cast)
    client.force_login(cast.qu)
    for route in sorted(set(OBJECT_ROUTES) - LATER_STATE):
        for side in ("a", "b"):
            url = object_url(route, objects[side])
            response = client.get(url)
            assert response.status_code in (200, 302, 400, 403, 405, 422), (
                url,
                response.status_code,
            )


@pytest.mark.parametrize("username", [*sorted(REACHES), None])
def test_it_answers_the_holiday_years_alike_for_everyone(client, cast, username):
    if username:
        client.force_login(cast.users[username])
    for url in ("/holidays/2026/", "/holidays/1900/"):
        status = client.get(url).status_code
        assert status < 500, (username, url, status)
        if username is None:
            assert status in (302, 404), (url, status)
    assert client.get("/holidays/1900/").status_code in (302, 404)
