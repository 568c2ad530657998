"""The home page's figures (one grouped query, fazhan.web.views._home_counts) equal the counts of
the lists they link to: each stage card, the three signals and each sub-organization's row."""

from __future__ import annotations

import pytest

from fazhan.people.models import Stage
from tests.people.test_actions import at
from tests.web.test_signals import TODAY, _files

pytestmark = pytest.mark.django_db


def _listed(client, query: str) -> int:
    with at(TODAY):
        return int(client.get(f"/candidates/?{query}").context["page"].paginator.count)


def test_it_counts_on_the_district_home_what_each_linked_list_holds(client, cast):
    _files(cast)
    client.force_login(cast.qu)
    with at(TODAY):
        response = client.get("/")
    context = response.context
    for card in context["stages"]:
        assert card["n"] == _listed(client, f"stage={card['value']}"), card["value"]
    assert context["total"] == _listed(client, "") == 7
    assert context["overdue_count"] == _listed(client, "show=overdue") == 1
    assert context["with_lates"] == _listed(client, "show=late") == 1
    assert context["with_violations"] == _listed(client, "show=findings")
    rows = {row["org"].pk: row for row in context["by_child"]}
    assert set(rows) == {cast.sub_a.pk, cast.sub_b.pk}
    for sub in (cast.sub_a, cast.sub_b):
        assert (
            rows[sub.pk]["total"] == _listed(client, f"org={sub.pk}") == sum(rows[sub.pk]["counts"])
        )
    # sub_a: the three new files and the applicant and activist of the cast; sub_b: a target
    # and a probationary member.
    labels = [value for value, _ in Stage.choices]
    assert rows[cast.sub_b.pk]["counts"][labels.index(Stage.TARGET)] == 1
    assert (rows[cast.sub_a.pk]["total"], rows[cast.sub_b.pk]["total"]) == (5, 2)
    # The table's row: the name linking to the list, the 备案表, one cell per stage, the total.
    cells = "".join(f"<td>{n}</td>" for n in rows[cast.sub_b.pk]["counts"])
    row = (
        f'<a href="/candidates/?org={cast.sub_b.pk}">{cast.sub_b.name}</a> <a class="small" '
        f'href="/paperwork/org/{cast.sub_b.pk}/filing/">备案表</a></td>{cells}<td>2</td></tr>'
    )
    assert row in response.content.decode()


def test_it_counts_on_a_branch_home_only_the_branchs_files(client, cast):
    _files(cast)
    client.force_login(cast.zhibu2)
    with at(TODAY):
        context = client.get("/").context
    assert context["total"] == _listed(client, "") == 1
    assert context["overdue_count"] == 0
    assert [card["n"] for card in context["stages"] if card["value"] == Stage.TARGET] == [1]


def test_it_leaves_a_file_sent_out_of_the_district_out_of_its_stage_card_only(client, cast):
    from datetime import date

    from fazhan.mobility.actions import do_register_outside_org
    from fazhan.mobility.crossing import do_transfer_out_of_district
    from fazhan.people.models import Candidate

    _files(cast)
    leaving = Candidate.objects.filter(org=cast.branch_b, stage=Stage.TARGET).get()
    with at(TODAY):
        outside = do_register_outside_org(
            cast.zhibu2,
            registered_for=cast.branch_b,
            name="区外流动党委",
            kind="mobile",
            contact="联系人",
        )
        do_transfer_out_of_district(
            cast.zhibu2, leaving, outside=outside, happened_on=date.fromisoformat(TODAY[:10])
        )
    client.force_login(cast.qu)
    with at(TODAY):
        context = client.get("/").context
    for card in context["stages"]:
        assert card["n"] == _listed(client, f"stage={card['value']}"), card["value"]
    assert [c["n"] for c in context["stages"] if c["value"] == Stage.TARGET] == [0]
    assert context["total"] == _listed(client, "") == 7
    rows = {row["org"].pk: row for row in context["by_child"]}
    assert rows[cast.sub_b.pk]["total"] == _listed(client, f"org={cast.sub_b.pk}") == 2
