"""What readiness calls things, shared by its reader (sheets), its store, its model and its charts: the
three kinds of sheet, the 测评方式, the 网上申报 statuses, the 问卷调查 indicators, and how a 测评标准
is compared across sheets."""
from __future__ import annotations

import re

from analytics.shared.vocab import clean_text

CATALOGUE, MATERIALS, SURVEY = "catalogue", "materials", "survey"
KIND_LABELS = {CATALOGUE: "测评体系分解表", MATERIALS: "网上申报材料报送情况", SURVEY: "问卷调查结果"}

FIELD_METHOD, ONLINE_METHOD, SURVEY_METHOD = "实地考察", "网上申报", "问卷调查"
METHODS = (FIELD_METHOD, ONLINE_METHOD, SURVEY_METHOD)
PASSED, PENDING, RETURNED, MISSING = "已通过", "待审核", "被退回", "未报送"
SUBMISSION_STATUSES = (PASSED, PENDING, RETURNED, MISSING)
INDICATORS = ("知晓率", "支持率", "参与率", "满意度")
WHOLE_AREA = "全市"

_STANDARD_NOISE = re.compile(r"[\s\u3000、，,。.；;：:“”\"'‘’（）()《》【】\[\]—\-·]+")


def standard_key(text: object) -> str:
    """A 测评标准 as compared across sheets: without spaces and punctuation."""
    return _STANDARD_NOISE.sub("", clean_text(text)).lower()
