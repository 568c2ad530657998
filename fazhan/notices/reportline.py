"""The reporting line every notice carries (Issue 14 item 9).

The seed's 公示制 asks that the public be told how to react during the notice period; practice
across the organization departments is to print the 组织部门 reporting line with it: 举报电话
12380 (dialled with the local area code), the 12380 reporting website www.12380.gov.cn, and
letters to the committee above the issuing organization (its telephone and address kept on the
organization, editable on the organization page). The notice then ends with the issuing
organization's name and the date as 落款.
"""

REPORT_PHONE = "12380"
REPORT_SITE = "www.12380.gov.cn"
