from gradecli.domain.bank import RawQuestion, check_bank, parse_question


def _q(**kw):
    base = {"id": "X-1", "type": "single", "stem": "问？", "options": ["甲", "乙", "丙", "丁"], "answer": "B",
            "points": 2, "difficulty": 0.7, "areas": ["服务规范与礼仪"]}
    base.update(kw)
    return RawQuestion(data=base, where="f.yaml:3", file_tier=2, file_family="客服")


def _problems(**kw):
    q, problems = parse_question(_q(**kw), tiers=5)
    assert q is None
    return " | ".join(problems)


def test_a_good_question_of_every_type():
    assert parse_question(_q(), tiers=5)[0].answer == "B"
    assert parse_question(_q(type="multiple", answer="ca", points=3), tiers=5)[0].answer == "AC"
    assert parse_question(_q(type="judge", options=[], answer=False, points=1), tiers=5)[0].answer is False
    assert parse_question(_q(type="judge", options=[], answer="对", points=1), tiers=5)[0].answer is True
    fill = parse_question(_q(type="fill", options=[], stem="首问____制", answer=["负责", " 负责 "]), tiers=5)[0]
    assert fill.answer == ("负责", "负责")
    assert parse_question(_q(type="short", options=[], answer="要点", points=5), tiers=5)[0].type == "short"


def test_every_rule_names_the_problem():
    assert "type 'essay' is unknown" in _problems(type="essay")
    assert "answer E is not among the options A–D" in _problems(answer="E")
    assert "a single-choice question has one answer, not AB" in _problems(answer="AB")
    assert "at least two answers" in _problems(type="multiple", answer="A")
    assert "points 1.5 is not a positive whole number" in _problems(points=1.5)
    assert "points 0 is not a positive whole number" in _problems(points=0)
    assert "difficulty 1.2 is outside 0–1" in _problems(difficulty=1.2)
    assert "knowledge area (areas) is missing" in _problems(areas=[])
    assert "tier 7 is outside the ladder (1–5)" in _problems(tier=7)
    assert "a judge answer is true or false" in _problems(type="judge", options=[], answer="maybe")
    assert "needs a blank written ____" in _problems(type="fill", options=[], answer=["x"])
    assert "two options are the same" in _problems(options=["甲", "甲", "丙"])


def test_duplicate_ids_name_both_places():
    a, b = _q(), _q()
    b.where = "g.yaml:9"
    _, problems = check_bank([a, b], tiers=5)
    assert problems == ["g.yaml:9: duplicate id X-1 (first at f.yaml:3)"]


def test_all_problems_of_a_question_are_listed():
    _, problems = check_bank([_q(answer="Z", points=-1, difficulty=3)], tiers=5)
    assert len(problems) == 3 and all(p.startswith("f.yaml:3: question X-1: ") for p in problems)
