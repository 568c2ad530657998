"""Every mutation of a branch general meeting, one `do_<verb>` each (DESIGN principle 5).

Each is atomic, locks its meeting (or, for a cast ballot, its agenda item), checks who acts and
appends its chain event in the same transaction. Casting a ballot is the exception on purpose
(principle 7): it takes no user, appends nothing to the chain and logs nothing; the tally event
at the close seals the ballots instead.

The order of a meeting: create → roll call, exclusions (superior consent), agenda, written
opinions → open (the electorate freezes; the meeting adopts the exclusions) → for each motion in
turn: start voting → codes printed (electronic, optional) → ballots → end balloting → two tellers
count → the monitor confirms → close (the tally event, then the candidate's S15 or S23) → close the
meeting.
"""

from fazhan.meetings.actions.common import BallotRefused, may_write, superior_org
from fazhan.meetings.actions.counting import (
    CountState,
    count_state,
    do_close_item,
    do_close_meeting,
    do_confirm_count,
    do_enter_count,
    item_ballots,
    item_counts,
)
from fazhan.meetings.actions.officers import do_set_officers, officers, voted_on
from fazhan.meetings.actions.prepare import (
    Preview,
    do_add_item,
    do_approve_late_entry,
    do_consent_exclusion,
    do_create_meeting,
    do_open_meeting,
    do_propose_exclusion,
    do_record_opinion,
    do_set_roll_call,
    do_withdraw_exclusion,
    do_withdraw_item,
    electorate_preview,
)
from fazhan.meetings.actions.voting import (
    ballots_cast,
    do_cast_ballot,
    do_end_balloting,
    do_issue_codes,
    do_start_voting,
)

__all__ = [
    "BallotRefused",
    "CountState",
    "Preview",
    "ballots_cast",
    "count_state",
    "do_add_item",
    "do_approve_late_entry",
    "do_cast_ballot",
    "do_close_item",
    "do_close_meeting",
    "do_confirm_count",
    "do_consent_exclusion",
    "do_create_meeting",
    "do_end_balloting",
    "do_enter_count",
    "do_issue_codes",
    "do_open_meeting",
    "do_propose_exclusion",
    "do_record_opinion",
    "do_set_officers",
    "do_set_roll_call",
    "do_start_voting",
    "do_withdraw_exclusion",
    "do_withdraw_item",
    "electorate_preview",
    "item_ballots",
    "item_counts",
    "may_write",
    "officers",
    "superior_org",
    "voted_on",
]
