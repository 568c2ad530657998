"""The demo district's organization tree and branch rosters.

The sub-organizations are the seed's report senders (its last paragraph: 各街道党工委，
各镇、乡党委，机关工委，教育工委，国资委党委，烟厂党委，乌江实业集团党委，黔龙集团党委), with
invented names where the seed has none; the district itself is fictional. Every top-level
党委/党工委 has approval authority (细则 art. 23); the two 党委 set up under a street and a town
have none (art. 23 ¶2: 乡镇(街道)党委所属的基层党委不能审批), so their files are approved by the
street or town above.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from random import Random

from faker import Faker

from fazhan.demo.life import Roster
from fazhan.orgs.models import Kind, Member, MemberStatus, Organization, OrgType, kind_level

DISTRICT_NAME = "黔川区"
DISTRICT_CODE = "DEMO"

STREETS = ("城东", "城西", "城南", "舟白")
TOWNS = ("正阳镇", "濯水镇", "石会镇", "黑溪乡")
COMMUNITIES = (
    "新华", "解放", "文化", "桥东", "南海", "建设", "人民", "长征", "书院", "新城", "滨江", "育才",
    "朝阳", "金龙", "正街", "河滨", "西山", "东门", "南门", "北门", "岩溪", "白家", "园丁", "桂园",
    "民主", "胜利", "红旗", "学府", "青年", "公园", "体育", "新区", "商贸", "望城", "龙井", "芭拉",
    "三台", "沿河", "官渡", "箭坝",
)  # fmt: skip
VILLAGES = (
    "桐子", "杉岭", "石板", "红岩", "白果", "水田", "新建", "青杠", "龙洞", "两河", "大坪", "沙坝",
    "金溪", "中坝", "茶园", "田坝", "双河", "高峰", "柏杨", "长春", "黄泥", "凉水", "官坝", "马鞍",
    "石桥", "三合", "光明", "团结", "五里", "花园", "鱼泉", "梨子", "大河", "小河", "木栏", "竹林",
    "莲花", "太平", "寨子", "桂花", "岩门", "天生", "银杏", "老街", "松林", "峡门", "枫香", "杨柳",
    "青龙", "合心", "丰收", "新田", "向阳", "和平", "林峰", "关口", "庙池", "坪坝", "水车", "核桃",
    "大路", "铁炉", "苏家", "望岭", "土坪", "车田", "金洞", "麻田", "兴隆", "平原",
)  # fmt: skip
DEPARTMENTS = (
    "区委办公室", "区人大常委会办公室", "区政府办公室", "区政协办公室", "区纪委监委机关",
    "区委组织部", "区委宣传部", "区委统战部", "区委政法委", "区发展改革委", "区财政局", "区民政局",
    "区司法局", "区人力社保局", "区规划自然资源局", "区生态环境局", "区住房城乡建委", "区交通局",
    "区水利局", "区农业农村委", "区商务委", "区文化旅游委", "区卫生健康委", "区退役军人事务局",
    "区应急管理局", "区审计局", "区市场监管局", "区统计局", "区医保局", "区林业局", "区总工会机关",
    "团区委机关", "区妇联机关", "区工商联机关",
)  # fmt: skip
SCHOOLS = (
    "区实验中学", "区民族中学", "区第二中学", "区第三中学", "城东小学", "城西小学", "新华小学",
    "区实验小学", "育才小学", "人民小学", "正阳中心校", "濯水中心校", "石会中心校", "黑溪中心校",
    "舟白小学", "区实验幼儿园", "区教师进修学校", "区特殊教育学校", "城南小学", "南门小学",
    "区机关幼儿园", "区民族小学",
)  # fmt: skip
STATE_FIRMS = (
    "区交通旅游投资集团", "区水务有限公司", "区粮食储备公司", "区公共交通公司", "区旅游开发公司",
    "区农业投资公司", "区国有资产经营公司", "区融资担保公司", "区人力资源开发公司",
    "区保安服务公司", "区供排水公司", "区城市照明公司",
)  # fmt: skip
TOBACCO_UNITS = (
    "制丝车间", "卷包车间", "动力车间", "物流中心", "质量检验科", "生产技术科", "设备管理科",
    "营销中心", "机关第一", "机关第二",
)  # fmt: skip
WUJIANG_UNITS = (
    "铝业公司", "矿业公司", "物资公司", "运输公司", "建筑安装公司", "硅业公司", "电力销售公司",
    "集团机关第一", "集团机关第二",
)  # fmt: skip
QIANLONG_UNITS = (
    "水泥公司", "建材公司", "房地产开发公司", "物业管理公司", "商贸公司", "食品公司", "混凝土公司",
    "矿山公司", "集团机关",
)  # fmt: skip
ORDINALS = ("第一", "第二", "第三", "第四", "第五")

# Share of the district's candidates a branch of each type draws (a village or a workshop has
# more applicants than a government office; student branches the most).
WEIGHTS = {
    OrgType.RURAL: 1.0,
    OrgType.COMMUNITY: 1.0,
    OrgType.STATE_ENTERPRISE: 1.0,
    OrgType.NON_PUBLIC: 0.7,
    OrgType.SCHOOL: 0.7,
    OrgType.ORGAN: 0.6,
}


@dataclass
class Node:
    """An organization to create. `unit` is its candidates' 工作单位 (None: a firm per person)."""

    name: str
    kind: str
    org_type: str = ""
    can_approve: bool = False
    short: str = ""
    unit: str | None = None
    students: bool = False
    children: list[Node] = field(default_factory=list)
    org: Organization | None = None

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Branch:
    """A created branch with what the population needs of it."""

    org: Organization
    sub: Organization  # the top-level 党委/党工委 above it
    org_type: str
    unit: str | None
    students: bool
    weight: float
    roster: Roster = field(default_factory=lambda: Roster((), 0))


@dataclass
class Tree:
    district: Organization
    subs: list[Organization]  # every 党委/党工委, nested ones included
    general_branches: int
    branches: list[Branch]
    members: int
    dangwei_sub: Organization
    zhibu_branch: Branch
    zhibu2_branch: Branch


def _branch(name: str, org_type: str, unit: str | None, *, students: bool = False) -> Node:
    return Node(name, Kind.BRANCH, org_type, unit=unit, students=students)


def _general(name: str, org_type: str, branches: list[Node]) -> Node:
    return Node(name, Kind.GENERAL_BRANCH, org_type, children=branches)


class _Design:
    """Draws the tree's shape; `k(n)` scales a count of branches (at least one)."""

    def __init__(self, rng: Random, fake: Faker, scale: float) -> None:
        self.rng = rng
        self.fake = fake
        self.scale = scale
        self.communities = list(COMMUNITIES)
        self.villages = list(VILLAGES)
        rng.shuffle(self.communities)
        rng.shuffle(self.villages)
        self.spare = 0

    def k(self, count: int) -> int:
        return max(1, round(count * self.scale))

    def take(self, pool: list[str], count: int) -> list[str]:
        """Names not used yet; numbered ones once the list runs out (scales above 1)."""
        taken = []
        for _ in range(count):
            if pool:
                taken.append(pool.pop())
            else:
                self.spare += 1
                taken.append(f"新建{self.spare}")
        return taken

    def firms(self, count: int, org_type: str) -> list[Node]:
        names = {self.fake.company() for _ in range(count * 2)}
        chosen = sorted(names)[:count]
        self.rng.shuffle(chosen)
        return [_branch(f"{firm}党支部", org_type, firm) for firm in chosen]

    def street(self, name: str) -> Node:
        community = OrgType.COMMUNITY
        children: list[Node] = []
        for place in self.take(self.communities, self.k(3)):
            branches = [
                _branch(f"{place}社区{ORDINALS[i]}党支部", community, None)
                for i in range(self.rng.randint(2, 3))
            ]
            children.append(_general(f"{place}社区党总支", community, branches))
        for place in self.take(self.communities, self.k(7)):
            children.append(_branch(f"{place}社区党支部", community, None))
        children.append(_branch(f"{name}街道机关党支部", OrgType.ORGAN, f"{name}街道办事处"))
        children.extend(self.firms(self.k(2), OrgType.NON_PUBLIC))
        children.append(_branch(f"{name}商务楼宇联合党支部", OrgType.NON_PUBLIC, None))
        return Node(f"{name}街道党工委", Kind.SUB, community, can_approve=True, children=children)

    def town(self, name: str) -> Node:
        rural = OrgType.RURAL
        children: list[Node] = []
        for place in self.take(self.villages, self.k(2)):
            unit = f"{name}{place}村"
            branches = [_branch(f"{place}村{ORDINALS[i]}党支部", rural, unit) for i in range(2)]
            children.append(_general(f"{place}村党总支", rural, branches))
        for place in self.take(self.villages, self.k(13)):
            children.append(_branch(f"{place}村党支部", rural, f"{name}{place}村"))
        children.append(_branch(f"{name}机关党支部", OrgType.ORGAN, f"{name}人民政府"))
        children.append(_branch(f"{name}农民专业合作社联合党支部", rural, f"{name}农民专业合作社"))
        return Node(f"{name}党委", Kind.SUB, rural, can_approve=True, children=children)

    def nested(self, name: str) -> Node:
        """A 基层党委 under a street or town: no approval authority (细则 art. 23 ¶2)."""
        return Node(
            name,
            Kind.SUB,
            OrgType.NON_PUBLIC,
            can_approve=False,
            children=self.firms(self.k(8), OrgType.NON_PUBLIC),
        )

    def organs(self) -> Node:
        organ = OrgType.ORGAN
        police = [_branch(f"区公安局{ORDINALS[i]}党支部", organ, "区公安局") for i in range(3)]
        children = [_general("区公安局党总支", organ, police)]
        for dept in self.sample(DEPARTMENTS, self.k(28)):
            children.append(_branch(f"{dept}党支部", organ, dept.removesuffix("机关")))
        return Node(
            "机关工委", Kind.SUB, organ, can_approve=True, short="区级机关工委", children=children
        )

    def schools(self) -> Node:
        school = OrgType.SCHOOL
        middle = "黔川中学"
        vocational = "区职业教育中心"
        college = "黔川幼儿师范高等专科学校"
        children = [
            _general(
                f"{middle}党总支",
                school,
                [_branch(f"{middle}教师{ORDINALS[i]}党支部", school, middle) for i in range(3)],
            ),
            _general(
                f"{vocational}党总支",
                school,
                [
                    _branch(f"{vocational}教师党支部", school, vocational),
                    _branch(f"{vocational}学生第一党支部", school, vocational, students=True),
                    _branch(f"{vocational}学生第二党支部", school, vocational, students=True),
                ],
            ),
            _general(
                f"{college}党总支",
                school,
                [
                    _branch(f"{college}教师党支部", school, college),
                    _branch(f"{college}学生党支部", school, college, students=True),
                ],
            ),
            _branch("区教委机关党支部", OrgType.ORGAN, "区教育委员会"),
        ]
        for name in self.sample(SCHOOLS, self.k(20)):
            children.append(_branch(f"{name}党支部", school, name))
        return Node(
            "教育工委", Kind.SUB, school, can_approve=True, short="区教育工委", children=children
        )

    def enterprise(self, name: str, prefix: str, units: tuple[str, ...], count: int) -> Node:
        state = OrgType.STATE_ENTERPRISE
        children = [
            _branch(f"{prefix}{unit}党支部", state, prefix + unit.rstrip("第一二"))
            for unit in self.sample(units, self.k(count))
        ]
        return Node(name, Kind.SUB, state, can_approve=True, children=children)

    def sample(self, pool: tuple[str, ...], count: int) -> list[str]:
        return self.rng.sample(pool, min(count, len(pool)))

    def district(self) -> Node:
        state = OrgType.STATE_ENTERPRISE
        subs = [self.street(name) for name in STREETS]
        # 舟白 (a street) and 正阳镇 (a town) each have an industrial 党委 under them.
        subs[3].children.append(self.nested("舟白街道非公有制经济组织综合党委"))
        towns = [self.town(name) for name in TOWNS]
        towns[0].children.append(self.nested("正阳工业园区党委"))
        subs.extend(towns)
        subs.append(self.organs())
        subs.append(self.schools())
        sasac = self.enterprise("国资委党委", "", STATE_FIRMS, 12)
        city = "区城市建设投资集团"
        sasac.children.insert(
            0,
            _general(
                f"{city}党总支",
                state,
                [
                    _branch(f"{city}{unit}党支部", state, city)
                    for unit in ("机关", "工程项目", "物业公司")
                ],
            ),
        )
        sasac.children.append(_branch("区国资委机关党支部", OrgType.ORGAN, "区国资委"))
        subs.append(sasac)
        subs.append(self.enterprise("烟厂党委", "黔川卷烟厂", TOBACCO_UNITS, 10))
        wujiang = self.enterprise("乌江实业集团党委", "乌江实业集团", WUJIANG_UNITS, 9)
        plant = "乌江实业集团发电厂"
        wujiang.children.insert(
            0,
            _general(
                f"{plant}党总支",
                state,
                [
                    _branch(f"{plant}{unit}党支部", state, plant)
                    for unit in ("运行第一", "运行第二", "检修")
                ],
            ),
        )
        subs.append(wujiang)
        subs.append(self.enterprise("黔龙集团党委", "黔龙集团", QIANLONG_UNITS, 9))
        return Node(
            f"中共{DISTRICT_NAME}委员会", Kind.DISTRICT, short=f"{DISTRICT_NAME}委", children=subs
        )


def _create(root: Node) -> None:
    """Create the tree level by level: one bulk insert per depth, parents before children."""
    level = [root]
    # bulk_create skips Organization.save, which fills the level: set it here.
    root.org = Organization(
        name=root.name,
        short_name=root.short,
        kind=root.kind,
        level=kind_level(root.kind, root.name),
        code=DISTRICT_CODE,
        parent=None,
    )
    while level:
        Organization.objects.bulk_create([node.org for node in level if node.org is not None])
        following: list[Node] = []
        for node in level:
            assert node.org is not None
            for index, child in enumerate(node.children, start=1):
                child.org = Organization(
                    name=child.name,
                    short_name=child.short,
                    kind=child.kind,
                    level=kind_level(child.kind, child.name),
                    can_approve=child.can_approve,
                    org_type=child.org_type,
                    code=f"{node.org.code}-{index:02d}",
                    parent=node.org,
                )
                following.append(child)
        level = following


def _rosters(branches: list[Branch], rng: Random, name: Callable[[], str]) -> int:
    """Each branch's members: mostly full, a few probationary, three under 留党察看 in the
    district (one with rights restored), so that contacts, introducers and voters come from real
    rosters (细则 arts. 9, 14; 党章 art. 7)."""
    rows: list[Member] = []
    owners: list[int] = []
    for index, branch in enumerate(branches):
        size = rng.randint(8, 30)
        for position in range(size):
            probationary = position >= 3 and rng.random() < 0.06
            status = MemberStatus.PROBATIONARY if probationary else MemberStatus.FULL
            rows.append(Member(org=branch.org, name=name(), status=status))
            owners.append(index)
    full = [i for i, row in enumerate(rows) if row.status == MemberStatus.FULL]
    for number, i in enumerate(rng.sample(full, 3)):
        rows[i].under_discipline = True
        rows[i].rights_restored = number == 0
    Member.objects.bulk_create(rows)
    eligible: list[list[dict[str, object]]] = [[] for _ in branches]
    voters = [0] * len(branches)
    for row, owner in zip(rows, owners, strict=True):
        if row.may_vote:
            voters[owner] += 1
            eligible[owner].append(row.snapshot())
    for index, branch in enumerate(branches):
        branch.roster = Roster(tuple(eligible[index]), voters[index])
    return len(rows)


def build_tree(rng: Random, fake: Faker, scale: float) -> Tree:
    root = _Design(rng, fake, scale).district()
    _create(root)
    assert root.org is not None
    subs: list[Organization] = []
    general = 0
    branches: list[Branch] = []
    for top in root.children:
        assert top.org is not None
        for node in top.walk():
            assert node.org is not None
            if node.kind == Kind.SUB:
                subs.append(node.org)
            elif node.kind == Kind.GENERAL_BRANCH:
                general += 1
            elif node.kind == Kind.BRANCH:
                weight = 2.0 if node.students else WEIGHTS[OrgType(node.org_type)]
                branches.append(
                    Branch(node.org, top.org, node.org_type, node.unit, node.students, weight)
                )
    members = _rosters(branches, rng, fake.name)
    dangwei = root.children[0]  # 城东街道党工委, with approval authority
    assert dangwei.org is not None
    # zhibu: the first branch of the first community 党总支 (two levels inside dangwei's subtree);
    # zhibu2: the first village branch of 正阳镇 (a different sub-organization).
    zhibu_org = dangwei.children[0].children[0].org
    zhibu2_node = next(n for n in root.children[4].children if n.kind == Kind.BRANCH)
    by_org = {branch.org.pk: branch for branch in branches}
    assert zhibu_org is not None and zhibu2_node.org is not None
    return Tree(
        district=root.org,
        subs=subs,
        general_branches=general,
        branches=branches,
        members=members,
        dangwei_sub=dangwei.org,
        zhibu_branch=by_org[zhibu_org.pk],
        zhibu2_branch=by_org[zhibu2_node.org.pk],
    )
