"""Parser for 三定 regulations (主要职责内设机构和人员编制规定 and its older and newer forms).

Pure Python, no Django. ``parse_regulation(text)`` returns::

    {
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
    }

Spans are [start, end) offsets into the text given to ``parse_regulation``: a unit's "span"
covers its whole paragraph, "name_span" its name. Names, duties and post titles are
reported as written (traditional characters and full-width punctuation kept); matching is
done on a simplified, half-width copy of the same length. Ranks and post grades are
categories and come in simplified form ("正处级").

Organs in a numbered or inline list are ``counted``; organs listed after it without a
number (机关党委, 离退休干部处, 纪检组 …) are not. ``decode_bytes`` turns a file's bytes
into text; both functions raise ``SandingError`` (one line, Chinese / English) for input
that is not a regulation, and nothing else.
"""

from .decode import decode_bytes
from .errors import SandingError
from .parser import parse_regulation

__all__ = ["SandingError", "decode_bytes", "parse_regulation"]
