"""Mobile candidates in the demo district (seed 三(三); docs/mobility.md).

`add_demo_mobility(today)` runs after the demo district and its notices are built, through the
mobility app's own actions (so the chain verifies and each file is judged as staff would see it):
a 委托培养 with an outside 流动党员党组织 and one assessment it reported (with its content), a
双边共管 between a branch of 城东街道 and zhibu2's branch (zhibu2 sees the file as one that came
in), a 跟踪教育 whose contact is overdue, a file sent out of the district with its 介绍信 and a
file received from another district with its letter's code. Deterministic: the files are the
first activists by id of dangwei's subtree outside zhibu's branch and not in a notice. Synthetic
data only; a received file carries no ID number.
"""

from __future__ import annotations

import copy
from datetime import date, timedelta

from fazhan.accounts.models import Role, RoleKind, User
from fazhan.mobility.actions import (
    do_open_cooperation,
    do_record_contact,
    do_record_outside_report,
    do_register_outside_org,
)
from fazhan.mobility.crossing import do_receive_file, do_transfer_out_of_district, file_code
from fazhan.mobility.models import OutsideKind
from fazhan.notices.demo import _writer
from fazhan.notices.models import NoticeEntry
from fazhan.orgs.models import Organization
from fazhan.people.models import Candidate, Stage
from fazhan.people.record import candidate_document
from fazhan.policy import mobility as rules

ENTRUSTED_ORG = ("浙江省义乌市某流动党员党委（演示）", "陈书记 0579-0000000（演示）", "浙江义乌")
TRACKING_ORG = ("广东省东莞市某镇流入地党委（演示）", "王书记 0769-0000000（演示）", "广东东莞")
RECEIVED_NAME = "龙晓梅"  # the received file's person (synthetic; no ID number)


def _branch_of(username: str) -> int | None:
    role = Role.objects.filter(
        active=True, kind=RoleKind.BRANCH_SECRETARY, user__username=username
    ).first()
    return role.org_id if role is not None else None


def _files(count: int) -> list[Candidate]:
    """Activists (then development targets) not in a notice and outside zhibu's and zhibu2's
    branches: those of dangwei's subtree first (dangwei sees them), then by id."""
    dangwei = Role.objects.filter(active=True, user__username="dangwei").first()
    if dangwei is None or dangwei.org_id is None:
        return []
    near = Organization.objects.subtree_ids([dangwei.org_id])
    busy = NoticeEntry.objects.values("candidate_id")
    rows = (
        Candidate.objects.filter(stage__in=(Stage.ACTIVIST, Stage.TARGET), suspended=False)
        .exclude(org_id__in=[_branch_of("zhibu"), _branch_of("zhibu2")])
        .exclude(pk__in=busy)
        .values_list("pk", "org_id", "stage")
    )
    ranked = sorted(rows, key=lambda r: (r[1] not in near, r[2] != Stage.ACTIVIST, r[0]))
    chosen = [pk for pk, _org, _stage in ranked[:count]]
    found = Candidate.objects.select_related("person", "org").in_bulk(chosen)
    return [found[pk] for pk in chosen]


def add_demo_mobility(today: date) -> int:
    """The mobile candidates (see the module's text); returns how many files take part."""
    files = _files(5)
    zhibu2 = _branch_of("zhibu2")
    if len(files) < 5 or zhibu2 is None:
        return 0
    entrusted, joint, tracking, leaving, model = files
    users: dict[int, User] = {}
    for candidate in files:
        writer = _writer(candidate.org)
        if writer is None:
            return 0
        users[candidate.pk] = writer
    # 委托培养 with a 流动党员党组织 outside the district, and the assessment it reported.
    name, contact, region = ENTRUSTED_ORG
    user = users[entrusted.pk]
    mobile = do_register_outside_org(
        user,
        registered_for=entrusted.org,
        name=name,
        kind=OutsideKind.MOBILE,
        contact=contact,
        region=region,
    )
    agreement = do_open_cooperation(
        user,
        entrusted,
        kind=rules.ENTRUSTED,
        outside=mobile,
        started_on=today - timedelta(days=120),
    )
    do_record_outside_report(
        user,
        agreement,
        step="S06",
        happened_on=today - timedelta(days=20),
        document="义流党函〔演示〕12号",
        payload={
            "content": {
                "opinion": "在外务工期间按时参加流动党员党委组织的学习，工作积极，群众评价好。",
                "assessor": "陈书记（演示）",
            }
        },
    )
    do_record_contact(user, entrusted, happened_on=today - timedelta(days=30), way="letter")
    # 双边共管 between two branches of the district: zhibu2's branch records its scope too.
    do_open_cooperation(
        users[joint.pk],
        joint,
        kind=rules.JOINT,
        cooperating=Organization.objects.get(pk=zhibu2),
        started_on=today - timedelta(days=60),
    )
    do_record_contact(users[joint.pk], joint, happened_on=today - timedelta(days=14), way="pair")
    # 跟踪教育 through a named contact, the last contact long ago: overdue on /mobility/.
    name, contact, region = TRACKING_ORG
    user = users[tracking.pk]
    inflow = do_register_outside_org(
        user,
        registered_for=tracking.org,
        name=name,
        kind=OutsideKind.INFLOW,
        contact=contact,
        region=region,
    )
    do_open_cooperation(
        user,
        tracking,
        kind=rules.TRACKING,
        outside=inflow,
        contact="李明（支部组织委员，演示）",
        started_on=today - timedelta(days=200),
    )
    do_record_contact(user, tracking, happened_on=today - timedelta(days=150), way="visit")
    # A file sent out of the district, with its letter.
    do_transfer_out_of_district(
        users[leaving.pk], leaving, outside=mobile, happened_on=today - timedelta(days=10)
    )
    # A file received from another district with its letter's code: the model file's record
    # as another district would hand it over, for a new (synthetic) person.
    model.refresh_from_db()
    document = copy.deepcopy(candidate_document(model, as_of=today - timedelta(days=7)))
    document["person"] = dict(document["person"], name=RECEIVED_NAME, ref="DEMO-IN-0001")
    for event in document["events"]:
        for key in ("from_org_id", "to_org_id", "to_outside_org_id"):
            event.pop(key, None)
    receiver = Organization.objects.get(pk=zhibu2)
    writer = _writer(receiver)
    if writer is not None:
        do_receive_file(
            writer,
            org=receiver,
            document=document,
            letter_code=file_code(document),
            arrived_on=today - timedelta(days=5),
            origin="贵州省遵义市某区某村党支部（演示）",
        )
    return len(files)
