"""Parser for 三定 regulations (主要职责内设机构和人员编制规定 and its older and newer forms).

Pure Python, no Django. ``parse_regulation(text)`` returns::

    {
      "kind": "regulation" | "amendment",
      "organization": "沈阳市人民政府办公厅" | None, "organization_span": [s, e] | None,
      "rank": "正局级" | None,
      "adjustments": [...], "adjustment_spans": [[s, e], ...],   # 职责调整 / 职能转变
      "duties": [...], "duty_spans": [[s, e], ...],               # 主要职责
      "stated_unit_count": 26 | None,
      "units": [{"name", "duties", "counted", "merged_with", "other_names",
                 "span", "name_span", "duty_spans"}],
      "staffing": {"administrative", "logistics", "public_institution",
                   "posts": [{"title", "grade", "count"}]},
      "attached": [{"organization", "other_names", "rank", "span", "duties", "duty_spans",
                    "stated_unit_count", "units", "staffing"}],
      "warnings": ["声明内设机构26个，实际列出25个", ...],
      "amendment": None | {"amends": "《…规定》的标题" | None, "units_added": [...],
                           "units_removed": [...], "units_renamed": [{"from", "to"}],
                           "full_list": bool},
    }

An amending notice (关于调整…职责机构编制的通知 / …调整内设机构的批复) has kind
"amendment": "organization" is the body it amends, "adjustments" its 职责调整, "units" the
organs it names as existing after the change (each with a "change": "added", "renamed",
"merged" or "kept"; the whole list when the notice restates it), "stated_unit_count" the new
count and "staffing" the new quotas. It is a diff, not a regulation to load on its own.

Spans are [start, end) offsets into the text given to ``parse_regulation``: a unit's "span"
covers its whole paragraph, "name_span" its name. Names, duties and post titles are
reported as written (traditional characters and full-width punctuation kept); matching is
done on a simplified, half-width copy of the same length. Ranks and post grades are
categories and come in simplified form ("正处级").

Organs in a numbered or inline list are ``counted``; organs listed after it without a
number (机关党委, 离退休干部处, 纪检组 …, also as the subject of a sentence: "纪检监察机构按
有关规定设置") are not; bodies placed beside the organization ("…归口…管理", "…由…管理",
"…挂…牌子") are no organs. A text that starts inside the 主要职责 list (a web fragment) has its
numbered items read as duties when the organ list or the staffing follows, with a warning.
When a staffing sentence gives quotas of several bodies, the organization's own is taken;
a choice made without that certainty is a warning. ``decode_bytes`` turns a file's bytes
into text; both functions raise ``SandingError`` (one line, Chinese / English) for input
that is not a regulation, and nothing else.
"""

from .decode import decode_bytes
from .errors import SandingError
from .parser import parse_regulation

__all__ = ["SandingError", "decode_bytes", "parse_regulation"]
