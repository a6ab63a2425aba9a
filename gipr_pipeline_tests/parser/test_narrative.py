"""narrative.agreement: statements that must be read (and flagged when they disagree), and
sentences that must never be flagged, whatever the tables say."""

import pytest

from gipr_pipeline.parser import narrative
from gipr_pipeline.parser.parse import parse_path

# Row 1 = 28 received, row 2 = 2 carried in, 3.7 = 27 done; review 10 (4 pending); litigation
# 1 direct + 7 after review.
CELLS = {
    "applications": {("1", "total"): 28, ("2", "total"): 2, ("3.7", "total"): 27},
    "review_litigation": {
        ("review", "total"): 10,
        ("review", "pending"): 4,
        ("litigation_direct", "total"): 1,
        ("litigation_after_review", "total"): 7,
    },
}

# (sentence, (row, stated)) — read, and agreeing with CELLS.
AGREE = [
    ("2024年,区政府办公室全年办理政府信息公开申请27件,继续依法依规做好答复工作。", ("3.7", 27)),
    ("全年共收到政府信息公开申请28件。", ("1", 28)),
    ("本年度共受理依申请公开30件。", ("1", 30)),  # row 1 + row 2
    ("本机关新收政府信息公开申请共计28件。", ("1", 28)),
    ("政府信息公开申请共收到28件。", ("1", 28)),
    ("全年收到并办理政府信息公开申请28件。", ("1", 28)),
    ("办结政府信息公开申请27件。", ("3.7", 27)),
    ("全年办理政府信息公开申请28件。", ("3.7", 28)),  # 办理 for what was received
    ("因政府信息公开被申请行政复议10件。", ("review", 10)),
    ("因政府信息公开被申请行政复议6件,均已审结。", ("review", 6)),  # concluded = 10 − 4
    ("因政府信息公开被提起行政诉讼8件。", ("litigation_direct", 8)),
    # The total is read; the sub-counts after it are not.
    ("全年共收到政府信息公开申请28件,其中自然人申请25件,法人或其他组织申请3件。", ("1", 28)),
    ("全年收到政府信息公开申请28件,予以公开4件,部分公开1件。", ("1", 28)),
]

# (sentence, (row, stated, expected)) — read, and disagreeing with CELLS.
DISAGREE = [
    ("全年共收到政府信息公开申请35件。", ("1", 35, 28)),
    ("2024年,我局办理政府信息公开申请12件,均按时答复。", ("3.7", 12, 27)),
    ("全年共受理依申请公开事项3件。", ("1", 3, 28)),
    ("2024年度未收到政府信息公开申请。", ("1", 0, 28)),
    ("天山乡未收到依申请公开件。", ("1", 0, 28)),
    ("本年度我局无依申请公开政府信息事项。", ("1", 0, 28)),
    ("因政府信息公开被申请行政复议3件。", ("review", 3, 10)),
    ("涉及政府信息公开的行政诉讼案件共2件。".replace("涉及", "因"), ("litigation_direct", 2, 8)),
]

# Never flagged, whatever the tables say: no table twin, sub-counts, comparisons, ranges,
# approximations, years, percentages, other scopes, carry-over, general review work.
NEVER = [
    "2024年,我局累计主动公开政府信息132条,其中在微信公众号上公开38条。",
    "主动公开政府信息132条。",
    "通过区政府门户网站上传发布工作动态等信息12条。",
    "全年共收到政府信息公开申请27-30件。",
    "全年共收到政府信息公开申请约30件。",
    "全年共收到政府信息公开申请30余件。",
    "全年共收到政府信息公开申请30件以上。",
    "全年收到政府信息公开申请较上年增加5件。",
    "全年收到政府信息公开申请同比增长20%。",
    "依申请公开按时答复率100%。",
    "其中当面申请3件,网上申请25件。",
    "办理上年结转政府信息公开申请1件。",
    "全区共收到政府信息公开申请500件。",
    "各单位共办理政府信息公开申请300件。",
    "自条例实施以来累计收到政府信息公开申请1000件。",
    "截至2024年12月31日,共收到政府信息公开申请99件。",
    "全年办理行政复议案件156件,行政诉讼案件40件。",  # a 司法局's general work
    "因政府信息公开引发行政复议和行政诉讼案件共5件。",  # both: ambiguous
    "2024年,我局未发生因依申请公开引发的行政复议或行政诉讼案件。",
    "编撰《人民政府公报》2期,开展培训3次。",
    "2023年1月1日起施行,2024年完成。",
    "收到群众来信12件。",
    "政府信息公开申请表下载量45次。",
    "未收到涉及个人隐私的政府信息公开申请。",
    "除上述申请外,未收到其他政府信息公开申请。",
    "全年受理政府信息公开申请两件。",  # numerals in words are not read
]


def _read(sentence):
    return [(s.row, s.stated) for s in narrative.statements(sentence, CELLS)]


@pytest.mark.parametrize("sentence,want", AGREE)
def test_statements_read_and_agree(sentence, want):
    assert _read(sentence) == [want]
    assert narrative.disagreements(sentence, CELLS) == []


@pytest.mark.parametrize("sentence,want", DISAGREE)
def test_disagreements_flagged_with_the_sentence(sentence, want):
    (s,) = narrative.disagreements(sentence, CELLS)
    assert (s.row, s.stated, s.expected) == want
    assert s.sentence == sentence


@pytest.mark.parametrize("sentence", NEVER)
def test_never_flagged(sentence):
    # Whatever the tables say: try zeros and large numbers too.
    for scale in (0, 1, 1000):
        cells = {t: {k: v * scale for k, v in c.items()} for t, c in CELLS.items()}
        assert narrative.disagreements(sentence, cells) == [], scale


def test_no_table_no_statement():
    assert narrative.statements("全年共收到政府信息公开申请35件。", {}) == []


def test_seed_000_is_not_flagged(seed_paths):
    """Seed 000 says 全年办理政府信息公开申请27件: 3.7 total is 27 (row 1 is 28)."""
    r = parse_path(seed_paths["000"])
    assert not [v for v in r.violations if v.rule == "narrative.agreement"]
    cells = {"applications": {("1", "total"): 28, ("2", "total"): 0, ("3.7", "total"): 27}}
    assert [(s.row, s.stated) for s in narrative.statements(r.sections["overview"], cells)] == [
        ("3.7", 27)
    ]


@pytest.mark.parametrize("seed,read", [("001", 1), ("002", 1), ("003", 1), ("004", 0)])
def test_seed_zero_statements_are_read_and_agree(seed, read, seed_paths):
    r = parse_path(seed_paths[seed])
    cells = {"applications": {("1", "total"): 0, ("2", "total"): 0, ("3.7", "total"): 0}}
    found = narrative.statements(r.sections["overview"], cells)
    # 004 says "截止2024年12月31日,天山乡未收到依申请公开件": a 截止 sentence may count
    # several years, so it is not read (a miss, by design).
    assert [(s.row, s.stated) for s in found] == [("1", 0)] * read
    assert r.violations == []
