"""The sheets of SPEC §8: their columns, bilingual headers, parsers and examples."""

from __future__ import annotations

from datetime import date

from gradecli.domain.policy import Policy
from gradecli.formats import cells
from gradecli.formats.excel import Column

YES_NO = ("是", "否")

EMP_NO = Column("emp_no", "工号", "Employee No.", cells.code, unique=True, example="K0001",
                note="write the employee number")


def roster_columns(policy: Policy) -> list[Column]:
    titles = tuple(policy.eligibility.titles)
    return [
        EMP_NO,
        Column("name", "姓名", "Name", cells.text, example="张三", note="write the name"),
        Column("department", "部门", "Department", cells.text, example="客服一部", note="write the department"),
        Column("family", "岗位序列", "Post family", cells.text, example="客服",
               note="write the post family, e.g. " + "/".join(policy.ladder.families)),
        Column("post", "岗位", "Post", cells.text, example="在线客服", note="write the post"),
        Column("professional", "专业技术岗位", "Professional-technical", cells.yes_no, example="是",
               choices=YES_NO, note="write 是 or 否"),
        Column("frontline", "一线岗位", "Front-line", cells.yes_no, example="是", choices=YES_NO,
               note="write 是 or 否"),
        Column("title", "职称", "Title", cells.choice(titles), example="初级", choices=titles,
               note="write one of " + "/".join(titles)),
        Column("service_start", "参加工作日期", "Service start", cells.a_date, example=date(2015, 7, 1),
               note="write the date as YYYY-MM-DD"),
        Column("hire_date", "入职日期", "Hire date", cells.a_date, example=date(2018, 3, 1),
               note="write the date as YYYY-MM-DD"),
        Column("active", "在职", "Active", cells.yes_no, example="是", choices=YES_NO, note="write 是 or 否"),
        Column("leave_date", "离职日期", "Leave date", cells.a_date, required=False, blank_ok=True,
               note="leave empty, or the last day of service as YYYY-MM-DD"),
        Column("certificates", "证书", "Certificates", cells.name_list, required=False, blank_ok=True,
               example="客服中级证书", note="the certificates held, separated by 、; a file "
               "without this column leaves everyone's certificates as they are"),
    ]


def performance_columns(policy: Policy) -> list[Column]:
    ratings = tuple(policy.performance.ratings)
    return [
        Column("emp_no", "工号", "Employee No.", cells.code, example="K0001", note="write the employee number"),
        Column("year", "年度", "Year", cells.integer(1950, 2100), example=2025, note="write the appraisal year"),
        Column("rating", "考核等次", "Rating", cells.choice(ratings), example="良好", choices=ratings,
               note="write one of " + "/".join(ratings)),
        Column("disciplinary", "处分", "Disciplinary", cells.yes_no, example="否", choices=YES_NO,
               note="write 是 or 否"),
    ]


def grade_columns() -> list[Column]:
    return [
        EMP_NO,
        Column("tier", "等", "Tier", cells.integer(1), example=2, note="write the tier number"),
        Column("level", "级", "Level", cells.integer(1), example=1, note="write the level number"),
        Column("effective", "生效日期", "Effective date", cells.a_date, example=date(2024, 1, 1),
               note="write the date as YYYY-MM-DD"),
    ]
