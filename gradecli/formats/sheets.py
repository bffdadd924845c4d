"""The sheets of SPEC §8: their columns, bilingual headers, parsers and examples.

The headers stay bilingual in every language (工号 / Employee No.: offices exchange these sheets);
the notes on how to fill a column are messages of the catalogue, shown in the run's language in a
template's comments and 说明 sheet and in the errors of an import. A note that names the policy's
values (its post families, titles or ratings) is rendered when the columns are built, in the
language of the run that builds them."""

from __future__ import annotations

from datetime import date

from gradecli.domain.policy import Policy
from gradecli.formats import cells
from gradecli.formats.excel import Column
from gradecli.i18n import Msg, N_

YES_NO = ("是", "否")

WRITE_YES_NO = N_("write 是 or 否")
WRITE_DATE = N_("write the date as YYYY-MM-DD")

EMP_NO = Column("emp_no", "工号", "Employee No.", cells.code, unique=True, example="K0001",
                note=N_("write the employee number"))


def roster_columns(policy: Policy) -> list[Column]:
    titles = tuple(policy.eligibility.titles)
    return [
        EMP_NO,
        Column("name", "姓名", "Name", cells.text, example="张三", note=N_("write the name")),
        Column("department", "部门", "Department", cells.text, example="客服一部", note=N_("write the department")),
        Column("family", "岗位序列", "Post family", cells.text, example="客服",
               note=Msg("write the post family, e.g. {families}", families="/".join(policy.ladder.families)).text()),
        Column("post", "岗位", "Post", cells.text, example="在线客服", note=N_("write the post")),
        Column("professional", "专业技术岗位", "Professional-technical", cells.yes_no, example="是",
               choices=YES_NO, note=WRITE_YES_NO),
        Column("frontline", "一线岗位", "Front-line", cells.yes_no, example="是", choices=YES_NO,
               note=WRITE_YES_NO),
        Column("title", "职称", "Title", cells.choice(titles), example="初级", choices=titles,
               note=Msg("write one of {choices}", choices="/".join(titles)).text()),
        Column("service_start", "参加工作日期", "Service start", cells.a_date, example=date(2015, 7, 1),
               note=WRITE_DATE),
        Column("hire_date", "入职日期", "Hire date", cells.a_date, example=date(2018, 3, 1),
               note=WRITE_DATE),
        Column("active", "在职", "Active", cells.yes_no, example="是", choices=YES_NO, note=WRITE_YES_NO),
        Column("leave_date", "离职日期", "Leave date", cells.a_date, required=False, blank_ok=True,
               note=N_("leave empty, or the last day of service as YYYY-MM-DD")),
        Column("certificates", "证书", "Certificates", cells.name_list, required=False, blank_ok=True,
               example="客服中级证书", note=N_("the certificates held, separated by 、; a file without this column "
                                              "leaves everyone's certificates as they are")),
    ]


def performance_columns(policy: Policy) -> list[Column]:
    ratings = tuple(policy.performance.ratings)
    return [
        Column("emp_no", "工号", "Employee No.", cells.code, example="K0001", note=N_("write the employee number")),
        Column("year", "年度", "Year", cells.integer(1950, 2100), example=2025, note=N_("write the appraisal year")),
        Column("rating", "考核等次", "Rating", cells.choice(ratings), example="良好", choices=ratings,
               note=Msg("write one of {choices}", choices="/".join(ratings)).text()),
        Column("disciplinary", "处分", "Disciplinary", cells.yes_no, example="否", choices=YES_NO,
               note=WRITE_YES_NO),
    ]


def grade_columns() -> list[Column]:
    return [
        EMP_NO,
        Column("tier", "等", "Tier", cells.integer(1), example=2, note=N_("write the tier number")),
        Column("level", "级", "Level", cells.integer(1), example=1, note=N_("write the level number")),
        Column("effective", "生效日期", "Effective date", cells.a_date, example=date(2024, 1, 1),
               note=WRITE_DATE),
    ]
