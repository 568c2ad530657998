"""The fixed cast every permission test runs against (DESIGN.md Conventions, healthchecks' alice,
bob and charlie): a small district and one user per role, plus an outsider with no role.

    district 示范区委
    ├── sub_a 城关街道党工委 (approval authority)
    │   ├── general_branch_a 城关社区党总支
    │   │   └── branch_a  第一党支部        ← zhibu
    │   └── branch_a2 机关党支部
    └── sub_b 乌江镇党委 (approval authority)
        ├── general_branch_b 乌江村党总支
        │   └── branch_b  第一党支部        ← zhibu2
        └── branch_b2 镇属企业党支部

qu is district staff at the root, dangwei sub-organization staff at sub_a (the same account names as
the demo, contracts.md §6), shenji the auditor, admin the system administrator. With candidates,
each branch holds one applicant file: cand_a, cand_a2, cand_b, cand_b2.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fazhan.accounts.models import RoleKind, User
from fazhan.orgs.models import Organization, OrgType
from fazhan.people.models import Candidate
from fazhan.testing.factories import (
    BranchFactory,
    CandidateFactory,
    DistrictFactory,
    GeneralBranchFactory,
    RoleFactory,
    SubOrgFactory,
    UserFactory,
)


@dataclass(frozen=True)
class Cast:
    district: Organization
    sub_a: Organization
    general_branch_a: Organization
    branch_a: Organization
    branch_a2: Organization
    sub_b: Organization
    general_branch_b: Organization
    branch_b: Organization
    branch_b2: Organization
    qu: User
    dangwei: User
    zhibu: User
    zhibu2: User
    shenji: User
    admin: User
    baomi: User
    outsider: User
    candidates: dict[str, Candidate] = field(default_factory=dict)

    @property
    def users(self) -> dict[str, User]:
        return {
            "qu": self.qu,
            "dangwei": self.dangwei,
            "zhibu": self.zhibu,
            "zhibu2": self.zhibu2,
            "shenji": self.shenji,
            "admin": self.admin,
            "baomi": self.baomi,
            "outsider": self.outsider,
        }


def build_cast(*, with_candidates: bool = True, password: str | None = None) -> Cast:
    """Create the cast. `password` (e.g. "fazhan-demo") makes the accounts able to sign in;
    without it they have unusable passwords and tests use client.force_login."""
    district = DistrictFactory.create(name="示范区委", short_name="示范区", code="D")
    sub_a = SubOrgFactory.create(
        parent=district, name="城关街道党工委", code="D-A", org_type=OrgType.COMMUNITY
    )
    general_branch_a = GeneralBranchFactory.create(
        parent=sub_a, name="城关社区党总支", code="D-A-1", org_type=OrgType.COMMUNITY
    )
    branch_a = BranchFactory.create(
        parent=general_branch_a, name="城关社区第一党支部", code="D-A-1-1"
    )
    branch_a2 = BranchFactory.create(
        parent=sub_a, name="城关街道机关党支部", code="D-A-2", org_type=OrgType.ORGAN
    )
    sub_b = SubOrgFactory.create(
        parent=district, name="乌江镇党委", code="D-B", org_type=OrgType.RURAL
    )
    general_branch_b = GeneralBranchFactory.create(
        parent=sub_b, name="乌江村党总支", code="D-B-1", org_type=OrgType.RURAL
    )
    branch_b = BranchFactory.create(
        parent=general_branch_b, name="乌江村第一党支部", code="D-B-1-1", org_type=OrgType.RURAL
    )
    branch_b2 = BranchFactory.create(
        parent=sub_b, name="乌江镇属企业党支部", code="D-B-2", org_type=OrgType.STATE_ENTERPRISE
    )

    def user(username: str, display_name: str) -> User:
        return UserFactory.create(username=username, display_name=display_name, password=password)

    qu = user("qu", "区委组织部")
    dangwei = user("dangwei", "城关街道党工委")
    zhibu = user("zhibu", "城关社区第一党支部书记")
    zhibu2 = user("zhibu2", "乌江村第一党支部书记")
    shenji = user("shenji", "安全审计员")
    admin = user("admin", "系统管理员")
    baomi = user("baomi", "安全保密管理员")
    outsider = user("outsider", "无角色用户")
    RoleFactory.create(user=qu, org=district, kind=RoleKind.DISTRICT_STAFF)
    RoleFactory.create(user=dangwei, org=sub_a, kind=RoleKind.SUB_STAFF)
    RoleFactory.create(user=zhibu, org=branch_a, kind=RoleKind.BRANCH_SECRETARY)
    RoleFactory.create(user=zhibu2, org=branch_b, kind=RoleKind.BRANCH_SECRETARY)
    RoleFactory.create(user=shenji, org=None, kind=RoleKind.AUDITOR)
    RoleFactory.create(user=admin, org=None, kind=RoleKind.SYSADMIN)
    RoleFactory.create(user=baomi, org=None, kind=RoleKind.SECURITY_ADMIN)

    candidates: dict[str, Candidate] = {}
    if with_candidates:
        candidates = {
            "cand_a": CandidateFactory.create(org=branch_a),
            "cand_a2": CandidateFactory.create(org=branch_a2, activist=True),
            "cand_b": CandidateFactory.create(org=branch_b, target=True),
            "cand_b2": CandidateFactory.create(org=branch_b2, probationary=True),
        }
    return Cast(
        district=district,
        sub_a=sub_a,
        general_branch_a=general_branch_a,
        branch_a=branch_a,
        branch_a2=branch_a2,
        sub_b=sub_b,
        general_branch_b=general_branch_b,
        branch_b=branch_b,
        branch_b2=branch_b2,
        qu=qu,
        dangwei=dangwei,
        zhibu=zhibu,
        zhibu2=zhibu2,
        shenji=shenji,
        admin=admin,
        baomi=baomi,
        outsider=outsider,
        candidates=candidates,
    )
