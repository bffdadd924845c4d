"""Reading answer sheets: answers by question number, whatever the column order."""

import json

from hypothesis import given
from hypothesis import strategies as st

from gradecli.formats import answer_sheet
from gradecli.services.cycles import _json_texts
from tests.helpers import write_xlsx


def test_answers_follow_the_question_numbers_not_the_column_order(tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", ["工号", "试卷", "题2", "题1", "题4", "题5"],
                      [["K1", "P1", "B", "A", "D", ""], ["K2", "P2", "", "C", 1, "x"]])
    first, second = answer_sheet.read(path)
    assert first.answers(4) == ["A", "B", None, "D"]  # 题3 has no column: unanswered
    assert second.answers(2) == ["C", ""]
    assert first.beyond(4) == [] and second.beyond(4) == [(5, "x")]  # past the paper's last question


def test_a_sheet_numbered_in_order_reads_the_same(tmp_path):
    path = write_xlsx(tmp_path / "b.xlsx", ["周期", "工号", "姓名", "试卷"] + [f"题{n}" for n in range(1, 5)],
                      [["2026", "K1", "", "P1", "A", "", "C", "D"]])
    (row,) = answer_sheet.read(path)
    assert (row.emp_no, row.paper, row.cycle) == ("K1", "P1", "2026")
    assert row.answers(4) == ["A", "", "C", "D"]
    assert row.answers(3) == ["A", "", "C"] and row.beyond(3) == [(4, "D")]


@given(st.lists(st.text()))
def test_stored_responses_are_the_json_that_json_dumps_writes(texts):
    assert _json_texts(texts) == json.dumps(texts, ensure_ascii=False)
