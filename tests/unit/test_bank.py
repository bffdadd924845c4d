from gradecli.domain.bank import RawQuestion, check_bank, parse_question


def _q(**kw):
    base = {"id": "X-1", "type": "single", "stem": "问？", "options": ["甲", "乙", "丙", "丁"], "answer": "B",
            "points": 2, "difficulty": 0.7, "areas": ["服务规范与礼仪"]}
    base.update(kw)
    return RawQuestion(data=base, where="f.yaml:3", file_tier=2, file_family="客服")


def _problems(**kw):
    q, problems = parse_question(_q(**kw), tiers=5)
    assert q is None
    return " | ".join(map(str, problems))


def _codes(**kw):
    return [p.code for p in parse_question(_q(**kw), tiers=5)[1]]


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


def test_every_rule_has_a_code_and_typed_parameters():
    assert _codes(type="essay") == ["type_unknown"]
    assert _codes(answer="E") == ["answer_not_option"]
    assert _codes(points=1.5) == ["points_invalid"] and _codes(points=None) == ["points_missing"]
    assert _codes(difficulty="hard") == ["difficulty_not_number"] and _codes(difficulty=1.2) == ["difficulty_outside"]
    assert _codes(tier=7) == ["tier_outside"] and _codes(id="") == ["id_missing"]
    assert _codes(type="judge", options=[], answer=None) == ["answer_missing"]
    _, (problem,) = parse_question(_q(points=1.5), tiers=5)
    assert problem.to_json() == {"code": "points_invalid", "params": {"qid": "X-1", "points": 1.5},
                                 "text": "question X-1: points 1.5 is not a positive whole number"}
    _, (problem,) = parse_question(_q(tier=7), tiers=5)
    assert problem.params == {"qid": "X-1", "tier": 7, "tiers": 5}
    _, problems = parse_question(_q(id="", type="essay"), tiers=5)
    assert [str(p) for p in problems] == [
        "question id is missing; give every question a stable id, e.g. KF-T3-001",
        "question (no id): type 'essay' is unknown; use one of single, multiple, judge, fill, short"]


def test_a_sheet_problem_names_the_column_of_its_field():
    from gradecli.domain.errors import Where

    raw = _q(points=0, answer="Z")
    raw.where, raw.columns = Where("q.xlsx", "Questions", 7), {"points": "分值", "answer": "答案"}
    _, problems = check_bank([raw], tiers=5)
    assert [str(p) for p in problems] == [
        "q.xlsx, sheet Questions, row 7, column 分值: question X-1: points 0 is not a positive whole number",
        "q.xlsx, sheet Questions, row 7, column 答案: question X-1: answer Z is not among the options A–D"]
    assert [p.where.column for p in problems] == ["分值", "答案"]


def test_problems_read_in_chinese(zh):
    _, problems = check_bank([_q(answer="AB")], tiers=5)
    assert [str(p.message) for p in problems] == ["试题 X-1：单选题只有一个答案，不能是 AB"]


def test_duplicate_ids_name_both_places():
    a, b = _q(), _q()
    b.where = "g.yaml:9"
    _, problems = check_bank([a, b], tiers=5)
    assert [str(p) for p in problems] == ["g.yaml:9: duplicate id X-1 (first at f.yaml:3)"]
    assert problems[0].message.code == "duplicate_id" and problems[0].message.params == {"qid": "X-1", "first": "f.yaml:3"}


def test_all_problems_of_a_question_are_listed():
    _, problems = check_bank([_q(answer="Z", points=-1, difficulty=3)], tiers=5)
    assert len(problems) == 3 and all(str(p).startswith("f.yaml:3: question X-1: ") for p in problems)
    assert [p.message.code for p in problems] == ["points_invalid", "difficulty_outside", "answer_not_option"]
